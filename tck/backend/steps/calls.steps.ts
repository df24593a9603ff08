import { Then, When } from "@cucumber/cucumber";
import { compositeRequest, modelMethodPath, modelRequest, type ModelAction } from "../driver/model-requests.js";
import type { BackendWorld } from "../world/backend-world.js";

When("the client processes {actions} on entity {string}", async function (this: BackendWorld, actions: ModelAction[], name: string) {
  await this.process(name, actions);
});

When(
  "the client processes {actions} on entity {string} through ProcessEmpty",
  async function (this: BackendWorld, actions: ModelAction[], name: string) {
    await this.process(name, actions, "ProcessEmpty");
  },
);

When(
  "the client processes {actions} on entity {string}, waiting well past the relay timeout",
  async function (this: BackendWorld, actions: ModelAction[], name: string) {
    // Twice the relay timeout plus a margin: a DEADLINE_EXCEEDED well before this deadline is the backend's own.
    const clientDeadlineMs = this.settings.relayTimeoutMs * 2 + this.timeoutMs;
    const started = performance.now();
    await this.process(name, actions, "Process", clientDeadlineMs);
    this.remembered.clientDeadline = { clientDeadlineMs, elapsedMs: performance.now() - started };
  },
);

Then(
  "the call fails with DEADLINE_EXCEEDED from the backend's relay timeout, before the client's own deadline",
  function (this: BackendWorld) {
    this.expectFailure(this.lastCall(), "DEADLINE_EXCEEDED");
    const timing = this.remembered.clientDeadline;
    if (!timing) throw new Error("no call waited past the relay timeout");
    const { relayTimeoutMs } = this.settings;
    // Half-way between the relay timeout and the client deadline: past it, only the client's deadline can have fired.
    const latestMs = relayTimeoutMs + (timing.clientDeadlineMs - relayTimeoutMs) / 2;
    if (timing.elapsedMs >= latestMs) {
      this.fail(
        `the backend to end the call at its relay timeout (${relayTimeoutMs} ms), before the client's deadline (${timing.clientDeadlineMs} ms)`,
        `the call ended after ${Math.round(timing.elapsedMs)} ms: the client's own deadline, not the backend's`,
      );
    }
  },
);

When(
  "the client processes {actions} on entity {string} with a {int} ms deadline",
  async function (this: BackendWorld, actions: ModelAction[], name: string, deadlineMs: number) {
    try {
      await this.process(name, actions, "Process", deadlineMs);
    } finally {
      this.clientCallEnded(this.entityId(name));
    }
  },
);

When("the client processes an event of {int} MiB on entity {string}", async function (this: BackendWorld, mib: number, name: string) {
  await this.process(name, [{ emit: "x".repeat(mib * 1024 * 1024) }]);
});

When("the client processes emit {string} with an empty key", async function (this: BackendWorld, value: string) {
  this.remembered.emptyKeyField = "id (Request's only key field)";
  await this.call("", modelMethodPath("Process"), modelRequest("", [{ emit: value }]));
});

When(
  /^the client processes emit "([^"]*)" through ProcessComposite with an empty string key part and (-?\d+), (true|false), (KIND_ONE|KIND_TWO)$/,
  async function (this: BackendWorld, value: string, partB: string, partC: string, partD: string) {
    this.remembered.emptyKeyField = "part_a (CompositeRequest's string key field; the other key fields are set)";
    const key = { partA: "", partB: Number(partB), partC: partC === "true", partD: partD === "KIND_ONE" ? 1 : 2 } as const;
    await this.call("", modelMethodPath("ProcessComposite"), compositeRequest(key, [{ emit: value }]));
  },
);

// docs/protocol.md: an empty string or bytes key is no key: INVALID_ARGUMENT, and nothing reaches the user function.
Then("the backend refused the empty key with INVALID_ARGUMENT, and nothing reached the user function", function (this: BackendWorld) {
  const last = this.lastCall();
  const field = this.remembered.emptyKeyField;
  const reached = this.uf.traffic.streams.filter((s) =>
    s.received.some(
      (m) => m.case === "command" && m.payload !== undefined && Buffer.from(m.payload.value).equals(Buffer.from(last.request)),
    ),
  );
  const forwarded = reached.map((s) => `stream ${s.streamId} (Init for ${JSON.stringify(s.entityId)})`).join(", ");
  const expected = `the backend to refuse a request whose key field ${field} is empty with INVALID_ARGUMENT, before it reaches the user function`;
  if (last.outcome.ok)
    this.fail(
      expected,
      `the backend accepted the empty key: the call succeeded${reached.length > 0 ? `, and the request reached the user function as a Command on ${forwarded}` : ""}`,
    );
  if (reached.length > 0)
    this.fail(
      expected,
      `the request reached the user function as a Command on ${forwarded} (the call then failed ${last.outcome.codeName})`,
    );
  if (last.outcome.codeName !== "INVALID_ARGUMENT")
    this.fail(expected, `the call failed ${last.outcome.codeName}: ${last.outcome.details}`);
});

When("the client calls the method {string} of the model entity", async function (this: BackendWorld, method: string) {
  const entityId = this.entityId("d8");
  await this.call(entityId, `/lightbend.serverless.tck.model.ModelEntity/${method}`, modelRequest(entityId, [{ emit: "a" }]));
});

When(
  "the client appends {int} events to entity {string}, {int} per command",
  async function (this: BackendWorld, total: number, name: string, perCommand: number) {
    for (let done = 0; done < total; done += perCommand) {
      const record = await this.process(
        name,
        Array.from({ length: Math.min(perCommand, total - done) }, () => ({ emit: "e" })),
      );
      if (!record.outcome.ok)
        this.fail(`appending events ${done + 1}.. to succeed`, `${record.outcome.codeName}: ${record.outcome.details}`);
    }
  },
);

When("the client starts processing {actions} on entity {string}", function (this: BackendWorld, actions: ModelAction[], name: string) {
  const call = this.process(name, actions);
  this.inFlight.push(call);
  this.remembered.startedCall = call;
  this.remembered.startedEntity = this.entityId(name);
});

Then("that call succeeded with state {string}", async function (this: BackendWorld, state: string) {
  const call = this.remembered.startedCall;
  if (!call) throw new Error("no call was started");
  await call;
  if (this.lastResponse().state !== state) this.fail(`state ${JSON.stringify(state)}`, JSON.stringify(this.lastResponse().state));
});

Then("the reply state is {string}", function (this: BackendWorld, state: string) {
  const actual = this.lastResponse().state;
  // The state alone is a symptom; how the entity's stream was recovered names the cause (a lost or skipped event, a wrong snapshot).
  if (actual !== state)
    this.fail(
      `reply state ${JSON.stringify(state)}`,
      `reply state ${JSON.stringify(actual)}; ${this.recoveryOf(this.lastCall().entityId)}`,
    );
});

Then("the reply state is {string} or {string}", function (this: BackendWorld, one: string, other: string) {
  const actual = this.lastResponse().state;
  if (actual !== one && actual !== other)
    this.fail(`reply state ${JSON.stringify(one)} or ${JSON.stringify(other)}`, JSON.stringify(actual));
  this.remembered.state = actual;
});

Then("the reply state is {int} characters long", function (this: BackendWorld, length: number) {
  const actual = this.lastResponse().state.length;
  if (actual !== length) this.fail(`a state of ${length} characters`, `${actual} characters`);
});

Then("the reply state is {int} events long plus {string}", function (this: BackendWorld, events: number, tail: string) {
  const actual = this.lastResponse().state;
  const expected = "e".repeat(events) + tail;
  if (actual !== expected)
    this.fail(
      `a state of ${events} "e"s then ${JSON.stringify(tail)}`,
      `${actual.length} characters ending ${JSON.stringify(actual.slice(-10))}`,
    );
});

const violations: Record<string, string> = {
  "a wrong command id": "an answer whose command id is not the pending command's",
  "a snapshot without events": "a Reply carrying a snapshot but no events",
  "an empty message": "an EntityStreamOut with no message set",
  "a failure with command id 0": "a Failure with command id 0",
};

// docs/protocol.md: each of these is a protocol violation: the call fails INTERNAL and the entity's stream is closed.
Then(
  /^the call fails with INTERNAL for (a wrong command id|a snapshot without events|an empty message|a failure with command id 0)$/,
  function (this: BackendWorld, violation: string) {
    const last = this.lastCall();
    const expected = `the backend to treat ${violations[violation]} as a protocol violation: the call fails INTERNAL`;
    if (last.outcome.ok)
      this.fail(expected, `the backend accepted it as the answer: the call succeeded; ${this.recoveryOf(last.entityId)}`);
    if (last.outcome.codeName !== "INTERNAL") this.fail(expected, `the call failed ${last.outcome.codeName}: ${last.outcome.details}`);
  },
);

Then("the call fails with {status}", function (this: BackendWorld, code: string) {
  this.expectFailure(this.lastCall(), code);
});

Then("the call fails with {status} and the description {string}", function (this: BackendWorld, code: string, description: string) {
  const last = this.lastCall();
  this.expectFailure(last, code);
  if (!last.outcome.ok && last.outcome.details !== description)
    this.fail(`description ${JSON.stringify(description)}`, JSON.stringify(last.outcome.details));
});

Then("the call succeeded with an empty message", function (this: BackendWorld) {
  const last = this.lastCall();
  if (!last.outcome.ok) this.fail("an empty reply message", `${last.outcome.codeName}: ${last.outcome.details}`);
  if (last.outcome.bytes.length !== 0) this.fail("an empty reply message (0 bytes)", `${last.outcome.bytes.length} bytes`);
});

Then("after entity {string} is passivated it answers with the same state", async function (this: BackendWorld, name: string) {
  const before = this.remembered.state;
  await this.passivated(name);
  await this.process(name, []);
  const after = this.lastResponse().state;
  if (after !== before) this.fail(`the state ${JSON.stringify(before)} the entity answered before passivation`, JSON.stringify(after));
});
