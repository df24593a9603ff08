import { Given, Then, When } from "@cucumber/cucumber";
import { subjectOf, type SubjectName } from "../../instrumented-user-function/index.js";
import type { RefusalObservation } from "../driver/backend-stage.js";
import { modelMethodPath, modelRequest } from "../driver/model-requests.js";
import type { BackendWorld } from "../world/backend-world.js";

/** Words compared loosely: case, spaces, dashes and underscores do not matter ("persistence id" ~ "persistence_id"). */
const loose = (text: string) => text.toLowerCase().replace(/[\s_-]+/g, "");

Given("the backend serves the model entity", async function (this: BackendWorld) {
  this.subject = subjectOf("model");
  await this.client();
});

Given("the backend serves the shopping cart", async function (this: BackendWorld) {
  this.subject = subjectOf("cart");
  await this.client();
});

Given("the backend serves the model entity with persistence id {string}", async function (this: BackendWorld, persistenceId: string) {
  this.subject = subjectOf("model", { persistenceId });
  await this.client();
});

Given("the backend serves the model entity with a partial descriptor", async function (this: BackendWorld) {
  this.subject = subjectOf("model-partial-descriptor");
  await this.client();
});

Given("the backend serves the model entity with its composite key fields declared in reverse order", async function (this: BackendWorld) {
  this.subject = subjectOf("model-keys-out-of-order");
  await this.client();
});

// A stream that ends within this scenario's waits (each bounded by --timeout) was not passivated (G3, D9).
Given("the backend runs with a passivation timeout longer than every wait of this scenario", async function (this: BackendWorld) {
  this.settingsOverride = { ...this.stage.settings, passivationTimeoutMs: Math.max(this.stage.settings.passivationTimeoutMs, 3 * this.timeoutMs) };
  await this.client();
});

Given("the backend starts while the user function is down", async function (this: BackendWorld) {
  this.memory.set("backend started at", Date.now());
  await this.stage.startWhileUserFunctionDown(subjectOf("model"));
});

Then("calls to the model entity fail for {int} second(s)", async function (this: BackendWorld, seconds: number) {
  const client = await this.stage.currentClient();
  const entityId = this.entityId(`early-${this.scenarioTag}`);
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    const outcome = await client.unary(modelMethodPath("Process"), modelRequest(entityId, [{ emit: "too early" }]), { timeoutMs: 1000 });
    if (outcome.ok) this.fail("calls to fail while the user function is down", "a call succeeded");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});

When("the user function comes up", async function (this: BackendWorld) {
  await this.uf.comeUp();
});

Then("the backend eventually serves the model entity", async function (this: BackendWorld) {
  await this.stage.awaitServing();
  const record = await this.process(`up-${this.scenarioTag}`, [{ emit: "a" }]);
  if (!record.outcome.ok) this.fail("the backend to serve once the user function is up", `${record.outcome.codeName}: ${record.outcome.details}`);
  // The call made while the user function was down must not have reached it.
  if (this.lastResponse().state !== "a") this.fail('state "a" (nothing from before the user function was up)', JSON.stringify(this.lastResponse().state));
});

Then("ready\\() was called before any handle stream was opened", function (this: BackendWorld) {
  const since = this.memory.get("backend started at") as number;
  const firstReady = this.uf.traffic.readyCalls.find((t) => t >= since);
  const firstStream = this.uf.traffic.streams.find((s) => s.openedAt >= since);
  if (firstReady === undefined) return this.fail("a ready() call", "none");
  if (firstStream && firstStream.openedAt < firstReady) this.fail("ready() before any handle stream", `stream ${firstStream.streamId} opened first`);
});

When("the backend starts on the spec {string}", async function (this: BackendWorld, name: string) {
  const observation = await this.stage.launchExpectingRefusal(subjectOf(name as SubjectName), this.stage.options.startupTimeoutMs);
  this.memory.set("refusal", observation);
});

Then("it refuses to serve it with a startup error mentioning {string}", function (this: BackendWorld, words: string) {
  const observation = this.memory.get("refusal") as RefusalObservation;
  if (!observation.refused) this.fail(`a startup error mentioning ${JSON.stringify(words)}`, observation.how);
  if (!loose(observation.output).includes(loose(words))) {
    this.fail(`a startup error mentioning ${JSON.stringify(words)}`, `${observation.how}, and its output does not mention it:\n${observation.output.split("\n").slice(-10).join("\n")}`);
  }
});

When("the backend is restarted", async function (this: BackendWorld) {
  await this.stage.restart();
});

When("the backend is stopped while that call is in flight", async function (this: BackendWorld) {
  const entityId = this.memory.get("started entity") as string;
  await this.eventually(
    () => this.uf.traffic.commandsOf(entityId).length > 0,
    "the command to reach the user function",
    () => "no command arrived",
  );
  await this.stage.stopBackend();
});
