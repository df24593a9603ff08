import { Given, Then, When } from "@cucumber/cucumber";
import type { TckWorld } from "../world/tck-world.js";

// The subject-independent protocol checks: `this.protocol` is the run's subject, whichever it is.

Given("entity {entity} is started with no history", function (this: TckWorld, entity: string) {
  this.protocol.startWithEvents(entity, 0);
});

Given("entity {entity} is started with {int} event(s)", function (this: TckWorld, entity: string, count: number) {
  this.protocol.startWithEvents(entity, count);
});

When("the backend sends a second Init on the stream of {entity}", function (this: TckWorld, entity: string) {
  this.protocol.sendRaw(entity, { case: "init", entityId: entity, snapshot: undefined });
});

When("the backend sends an Event before Init on a stream for {entity}", function (this: TckWorld, entity: string) {
  this.protocol.openRaw(entity);
  this.protocol.sendRaw(entity, { case: "event", sequence: 1, payload: this.protocol.someEvent() });
});

When("the backend sends a Command before Init on a stream for {entity}", function (this: TckWorld, entity: string) {
  this.protocol.openRaw(entity);
  const command = this.protocol.someCommand(entity);
  this.protocol.sendRaw(entity, { case: "command", entityId: entity, id: 1, name: command.name, payload: command.payload });
});

When("the backend sends a Command for entity {string} on the stream of {entity}", function (this: TckWorld, other: string, entity: string) {
  const command = this.protocol.someCommand(entity);
  this.protocol.sendRaw(entity, { case: "command", entityId: other, id: 1, name: command.name, payload: command.payload });
});

When(
  "the backend sends command 1 on the stream of {entity} and, once it is answered, command 1 again",
  async function (this: TckWorld, entity: string) {
    const command = this.protocol.someCommand(entity);
    this.protocol.sendRaw(entity, { case: "command", entityId: entity, id: 1, name: command.name, payload: command.payload });
    await this.protocol.expectAnswer(entity, 1);
    this.protocol.sendRaw(entity, { case: "command", entityId: entity, id: 1, name: command.name, payload: command.payload });
  },
);

When("the backend sends a message with nothing set on the stream of {entity}", function (this: TckWorld, entity: string) {
  this.protocol.sendRaw(entity, { case: undefined });
});

When("the backend replays an event of an unknown type to {entity}", function (this: TckWorld, entity: string) {
  this.protocol.replayUnknownEvent(entity);
});

Then("the user function ends the stream of {entity} with an error", async function (this: TckWorld, entity: string) {
  await this.protocol.expectEndsWithError(entity);
});

When("entity {entity} is sent a command named {string}", async function (this: TckWorld, entity: string, name: string) {
  await this.protocol.processUnrunnable(entity, { name, payload: this.protocol.someCommand(entity).payload });
});

When("entity {entity} is sent a payload that does not decode", async function (this: TckWorld, entity: string) {
  await this.protocol.processUnrunnable(entity, this.protocol.undecodableCommand(entity));
});

Then("entity {entity} still answers a command with the state its history gives", async function (this: TckWorld, entity: string) {
  await this.protocol.expectStillUsable(entity);
});

Then("every event and snapshot the user function sent is a well-formed Any", function (this: TckWorld) {
  this.expectWellFormedAnys();
});

Then("every reply carries the output type the descriptor declares for its method", function (this: TckWorld) {
  this.discovery.expectRepliesOfDeclaredTypes(this.driver().transcript);
});
