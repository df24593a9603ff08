import { Then } from "@cucumber/cucumber";
import { checkLifecycleProperty, checkSerialConsistencyProperty, type PropertyContext, type PropertyOutcome } from "../properties/index.js";
import type { BackendWorld } from "../world/backend-world.js";

function contextOf(world: BackendWorld, name: string): PropertyContext {
  return {
    stage: world.stage,
    entityPrefix: `${name}-${world.scenarioTag}-${world.parameters.runId}`,
    timeoutMs: world.timeoutMs,
    runs: world.parameters.runs,
    seed: world.parameters.seed,
    rerunCommand: world.parameters.rerunCommand,
  };
}

function judge(world: BackendWorld, property: string, outcome: PropertyOutcome): void {
  if (!outcome.ok) world.fail(`${property} to hold`, `a counterexample:\n${outcome.report}`);
}

Then("the model predicts every reply while entities are passivated at random points", async function (this: BackendWorld) {
  judge(this, "H7 with passivations", await checkLifecycleProperty(contextOf(this, "h7p"), { entities: 3, restarts: false }));
});

Then("the model predicts every reply while the backend is restarted at random points", async function (this: BackendWorld) {
  judge(this, "H7 with restarts", await checkLifecycleProperty(contextOf(this, "h7r"), { entities: 2, restarts: true }));
});

Then("concurrent calls on a few entities always give serially consistent replies", async function (this: BackendWorld) {
  judge(this, "I6 serial consistency", await checkSerialConsistencyProperty(contextOf(this, "i6")));
});
