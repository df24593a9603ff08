import { Given, Then, When } from "@cucumber/cucumber";
import { subjectOf, type InstrumentedSubjectName } from "../../kit/doubles/instrumented-user-function/index.js";
import { loosely } from "../driver/backend-stage.js";
import { modelMethodPath, modelRequest } from "../driver/model-requests.js";
import type { BackendWorld } from "../world/backend-world.js";

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
  this.settingsOverride = {
    ...this.stage.settings,
    passivationTimeoutMs: Math.max(this.stage.settings.passivationTimeoutMs, 3 * this.timeoutMs),
  };
  await this.client();
});

Given("the backend starts while the user function is down", async function (this: BackendWorld) {
  const { launched, launchedAt } = await this.stage.startWhileUserFunctionDown(subjectOf("model"));
  this.remembered.backendStartedAt = launchedAt;
  let exited: string | undefined;
  void launched.exited.then((how) => (exited = how));
  this.remembered.backendExited = () => exited;
});

/**
 * A5 (issue 9, item 7): the user function stays down until the backend has tried ready()
 * twice, so a backend that asks once and gives up is caught however slowly it starts.
 * One call per refused attempt shows that nothing is served meanwhile.
 */
Then(
  "the backend retries ready\\() while the user function is down, and calls to the model entity fail meanwhile",
  async function (this: BackendWorld) {
    const since = this.recall("backendStartedAt");
    const exited = this.recall("backendExited");
    const client = await this.stage.currentClient();
    const entityId = this.entityId(`early-${this.scenarioTag}`);
    const startupTimeoutMs = this.stage.options.startupTimeoutMs;
    const until = since + startupTimeoutMs;
    const attempts = () => this.uf.traffic.refusedReadyCalls.filter((t) => t >= since);
    const expected = `the backend to call ready() again after the user function refused it (A5: retry while the user function is down), within ${startupTimeoutMs} ms of its start (--startup-timeout)`;
    const seen = () => {
      const times = attempts().map((t) => `+${t - since} ms`);
      return `${times.length} ready() attempt(s)${times.length > 0 ? ` (${times.join(", ")})` : ""}${exited() === undefined ? "" : `, then the backend stopped (${exited()})`}`;
    };
    for (let answered = -1; attempts().length < 2;) {
      if (exited() !== undefined) this.fail(expected, seen());
      if (attempts().length > answered) {
        answered = attempts().length;
        const outcome = await client.unary(modelMethodPath("Process"), modelRequest(entityId, [{ emit: "too early" }]), {
          timeoutMs: this.timeoutMs,
        });
        if (outcome.ok) this.fail("calls to fail while the user function is down", "a call succeeded");
        continue;
      }
      const left = until - Date.now();
      if (left <= 0) this.fail(expected, seen());
      await this.eventually(() => attempts().length > answered || exited() !== undefined, expected, seen, left);
    }
  },
);

When("the user function comes up", async function (this: BackendWorld) {
  await this.uf.comeUp();
});

Then("the backend eventually serves the model entity", async function (this: BackendWorld) {
  await this.stage.awaitServing();
  const record = await this.process(`up-${this.scenarioTag}`, [{ emit: "a" }]);
  if (!record.outcome.ok)
    this.fail("the backend to serve once the user function is up", `${record.outcome.codeName}: ${record.outcome.details}`);
  // The call made while the user function was down must not have reached it.
  if (this.lastResponse().state !== "a")
    this.fail('state "a" (nothing from before the user function was up)', JSON.stringify(this.lastResponse().state));
});

Then("ready\\() was called before any handle stream was opened", function (this: BackendWorld) {
  const since = this.recall("backendStartedAt");
  const firstReady = this.uf.traffic.readyCalls.find((t) => t >= since);
  const firstStream = this.uf.traffic.streams.find((s) => s.openedAt >= since);
  if (firstReady === undefined) return this.fail("a ready() call", "none");
  if (firstStream && firstStream.openedAt < firstReady)
    this.fail("ready() before any handle stream", `stream ${firstStream.streamId} opened first`);
  const refused = this.uf.traffic.refusedHandles.filter((t) => t >= since).length;
  if (refused > 0) this.fail("no handle stream while the user function refused ready()", `${refused} handle stream(s) were opened then`);
});

// The start happens in the Then step: the kit ends its wait early once the backend refused
// clearly, and a clear refusal names the words the Then step gives.
When("the backend starts on the spec {string}", function (this: BackendWorld, name: string) {
  this.remembered.refusalSpec = name;
});

Then("it refuses to serve it with a startup error mentioning {string}", async function (this: BackendWorld, words: string) {
  const name = this.remembered.refusalSpec;
  if (name === undefined) throw new Error("no spec to refuse was given");
  const observation = await this.stage.launchExpectingRefusal(subjectOf(name as InstrumentedSubjectName), words);
  const expected = `a startup error mentioning ${JSON.stringify(words)} (an exit, or NOT_SERVING, and none of the spec's methods served)`;
  const tail = () => observation.output.split("\n").slice(-10).join("\n");
  if (!observation.refused) this.fail(expected, `${observation.how}; its output:\n${tail()}`);
  if (!loosely(observation.output).includes(loosely(words))) {
    this.fail(expected, `${observation.how}, and its output does not mention it:\n${tail()}`);
  }
});

When("the backend is restarted", async function (this: BackendWorld) {
  await this.stage.restart();
});

When("the backend is stopped while that call is in flight", async function (this: BackendWorld) {
  const entityId = this.recall("startedEntity");
  await this.eventually(
    () => this.uf.traffic.commandsOf(entityId).length > 0,
    "the command to reach the user function",
    () => "no command arrived",
  );
  await this.stage.stopBackend();
});
