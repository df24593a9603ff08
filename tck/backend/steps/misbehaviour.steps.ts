import { Given, When } from "@cucumber/cucumber";
import type { Misbehaviour } from "../../kit/doubles/instrumented-user-function/index.js";
import type { BackendWorld } from "../world/backend-world.js";

const violations: Record<string, Misbehaviour> = {
  "a wrong command id": { kind: "wrong-command-id" },
  "a snapshot without events": { kind: "snapshot-without-events" },
  "an empty message": { kind: "empty-message" },
  "a failure with command id 0": { kind: "failure-with-id-zero" },
  twice: { kind: "reply-twice" },
};

Given(
  /^the user function answers the next command of entity "([^"]*)" (?:with )?(a wrong command id|a snapshot without events|an empty message|a failure with command id 0|twice)$/,
  function (this: BackendWorld, name: string, violation: string) {
    this.uf.instruct(this.entityId(name), violations[violation]!);
  },
);

Given(
  "the user function answers the next command of entity {string} after {int} ms",
  function (this: BackendWorld, name: string, delayMs: number) {
    this.uf.instruct(this.entityId(name), { kind: "slow", delayMs });
  },
);

Given(
  "the user function answers the next command of entity {string} after {int} passivation timeouts",
  function (this: BackendWorld, name: string, times: number) {
    this.uf.instruct(this.entityId(name), { kind: "slow", delayMs: times * this.settings.passivationTimeoutMs });
  },
);

// "once the calls behind it are queued": the answer waits for the step that sends those calls to see
// them in the backend (BackendWorld.callsQueued), at most --timeout; never for a fixed time.
Given(
  "the user function answers the next command of entity {string} once the calls behind it are queued",
  function (this: BackendWorld, name: string) {
    const entityId = this.entityId(name);
    this.uf.instruct(entityId, { kind: "slow", delayMs: this.timeoutMs, until: this.queuedBehind(entityId) });
  },
);

Given(
  "the user function answers the next command of entity {string} once the client's call has ended",
  function (this: BackendWorld, name: string) {
    const entityId = this.entityId(name);
    this.uf.instruct(entityId, { kind: "slow", delayMs: this.timeoutMs, until: this.afterClientCallEnds(entityId) });
  },
);

Given(
  "the user function answers the next command of entity {string} with a wrong command id once the calls behind it are queued",
  function (this: BackendWorld, name: string) {
    const entityId = this.entityId(name);
    this.uf.instruct(entityId, { kind: "wrong-command-id", afterMs: this.timeoutMs, until: this.queuedBehind(entityId) });
  },
);

When(
  /^the user function (completes|fails) the stream of entity "([^"]*)" on its next command once the calls behind it are queued$/,
  function (this: BackendWorld, how: string, name: string) {
    const entityId = this.entityId(name);
    this.uf.instruct(entityId, {
      kind: how === "completes" ? "end-stream" : "error-stream",
      afterMs: this.timeoutMs,
      until: this.queuedBehind(entityId),
    });
  },
);

When(
  /^the user function (completes|fails) the stream of entity "([^"]*)" on its next command$/,
  function (this: BackendWorld, how: string, name: string) {
    this.uf.instruct(this.entityId(name), { kind: how === "completes" ? "end-stream" : "error-stream" });
  },
);

When("the user function ends the stream of entity {string} with an error on its next command", function (this: BackendWorld, name: string) {
  this.uf.instruct(this.entityId(name), { kind: "error-stream" });
});

When("the user function never answers the next command of entity {string}", function (this: BackendWorld, name: string) {
  this.uf.instruct(this.entityId(name), { kind: "never-answer" });
});

Given("the user function never snapshots entity {string}", function (this: BackendWorld, name: string) {
  this.uf.snapshotEveryFor(this.entityId(name), Infinity);
});

Given(
  "the user function emits its events of the next command of entity {string} {int} MiB larger than asked",
  function (this: BackendWorld, name: string, mib: number) {
    this.uf.instruct(this.entityId(name), { kind: "large-events", bytes: mib * 1024 * 1024 });
  },
);

// I4: a stream the backend completed lives on until the user function completes its side too. Half the
// relay timeout: long enough for the next call to arrive meanwhile, short enough that a backend which
// waits for the stream (bounding its wait and the next call's recovery by the relay timeout) gets it.
Given(
  "the user function keeps its side of the next passivated stream of entity {string} open for half the relay timeout",
  function (this: BackendWorld, name: string) {
    this.uf.holdOpenAfterBackendCompletes(this.entityId(name), Math.round(this.settings.relayTimeoutMs / 2));
  },
);
