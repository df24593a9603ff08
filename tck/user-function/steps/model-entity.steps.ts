import { Given, Then, When } from "@cucumber/cucumber";
import type { ModelAction } from "../../kit/subjects/model-entity-subject.js";
import type { ModelMethod } from "../world/model-entity-backend.js";
import type { TckWorld } from "../world/tck-world.js";

// ---- history ----

Given("entity {entity} is started again with no history", function (this: TckWorld, entity: string) {
  this.model.start(entity);
});

Given("entity {entity} is started with events {values}", function (this: TckWorld, entity: string, events: string[]) {
  this.model.start(entity, { events });
});

Given(
  "entity {entity} is started from snapshot {string} at sequence {int}",
  function (this: TckWorld, entity: string, state: string, sequence: number) {
    this.model.start(entity, { snapshot: { state, sequence } });
  },
);

Given(
  "entity {entity} is started from snapshot {string} at sequence {int} followed by events {values}",
  function (this: TckWorld, entity: string, state: string, sequence: number, events: string[]) {
    this.model.start(entity, { snapshot: { state, sequence }, events });
  },
);

Given("entity {entity} is started from a snapshot at a snapshot point", function (this: TckWorld, entity: string) {
  this.model.start(entity, { snapshot: { state: "snap", sequence: this.snapshotEvery } });
});

Given("entity {entity} is started with events up to one before a snapshot point", function (this: TckWorld, entity: string) {
  this.model.start(entity, { events: lettersFor(this.snapshotEvery - 1) });
});

Given(
  "entity {entity} is started from a snapshot past one snapshot point, with events up to one before the next",
  function (this: TckWorld, entity: string) {
    const n = this.snapshotEvery;
    const sequence = n + 1;
    this.model.start(entity, { snapshot: { state: "snap", sequence }, events: lettersFor(Math.max(0, 2 * n - 1 - sequence)) });
  },
);

Then("the user function sends nothing on the stream of {entity}", async function (this: TckWorld, entity: string) {
  await this.model.expectSilence(entity);
});

// ---- commands ----

When("entity {entity} processes {actions}", async function (this: TckWorld, entity: string, actions: ModelAction[]) {
  await this.model.process(entity, actions);
});

When(
  "entity {entity} processes {actions} through {method}",
  async function (this: TckWorld, entity: string, actions: ModelAction[], method: ModelMethod) {
    await this.model.process(entity, actions, method);
  },
);

// C9: the catalogue asks for "well within the timeouts" of a backend (60 s relay), not the kit's per-step bound.
const longReplayAllowanceMs = 30_000;

When("entity {entity} processes {actions} after the long replay", async function (this: TckWorld, entity: string, actions: ModelAction[]) {
  await this.model.process(entity, actions, "Process", Math.max(this.timeoutMs, longReplayAllowanceMs));
});

When(
  "entity {entity} processes {actions} {int} times",
  async function (this: TckWorld, entity: string, actions: ModelAction[], times: number) {
    for (let i = 0; i < times; i++) await this.model.process(entity, actions);
  },
);

When("entity {entity} processes {int} commands one after another", async function (this: TckWorld, entity: string, count: number) {
  for (let i = 1; i <= count; i++) {
    await this.model.process(entity, i % 3 === 0 ? [{ emit: String(i) }, { fail: `refused ${i}` }] : [{ emit: String(i) }]);
  }
});

When("the backend half-closes the stream of {entity}", function (this: TckWorld, entity: string) {
  this.model.halfClose(entity);
});

Then("the user function completes the stream of {entity}", async function (this: TckWorld, entity: string) {
  await this.model.expectCompleted(entity);
});

When("the backend recovers entity {entity} if its stream ended", function (this: TckWorld, entity: string) {
  if (this.model.streamEnded(entity)) this.model.recover(entity);
});

When("{int} entities each process their own name {int} times, all at once", async function (this: TckWorld, count: number, times: number) {
  const names = Array.from({ length: count }, (_, i) => `i1-${i}`);
  this.concurrentStates = await this.model.processConcurrently(names, times);
});

Then("each entity's state is its own name {int} times", function (this: TckWorld, times: number) {
  for (const [name, state] of this.concurrentStates) {
    const expected = name.repeat(times);
    if (state !== expected) this.fail(`entity ${name} has state ${JSON.stringify(expected)}`, `state ${JSON.stringify(state)}`);
  }
});

// ---- judging ----

Then("the reply state is {string}", function (this: TckWorld, state: string) {
  this.model.expectReplyState(state);
});

Then("the reply state is what the entity's history gives", function (this: TckWorld) {
  this.model.expectReplyStateFromHistory();
});

Then("the reply message is {string}", function (this: TckWorld, message: string) {
  this.model.expectReplyMessage(message);
});

Then("the reply carries the events {values}", function (this: TckWorld, values: string[]) {
  this.model.expectEvents(values);
});

Then("the reply carries no snapshot", function (this: TckWorld) {
  this.model.expectNoSnapshot();
});

Then("the reply carries a snapshot exactly when an event reaches a multiple of the snapshot interval", function (this: TckWorld) {
  this.model.expectSnapshotRule();
});

Then("the last {int} commands failed with {string}", function (this: TckWorld, count: number, description: string) {
  this.model.expectEveryCommandFailed(count, description);
});

Then("the reply payload is an empty google.protobuf.Empty", function (this: TckWorld) {
  this.model.expectEmptyPayload();
});

Then("the reply payload's type url is {string}", function (this: TckWorld, typeUrl: string) {
  this.model.expectPayloadTypeUrl(typeUrl);
});

Then("every answer carried the id of its command", function (this: TckWorld) {
  this.model.expectEveryAnswerCarriedItsId();
});

Then("no further answer arrives on the stream of {entity}", async function (this: TckWorld, entity: string) {
  await this.model.expectNoFurtherAnswer(entity);
});

/** Event values "a", "b", … for histories whose length depends on N. */
function lettersFor(count: number): string[] {
  return Array.from({ length: count }, (_, i) => String.fromCharCode(97 + (i % 26)));
}
