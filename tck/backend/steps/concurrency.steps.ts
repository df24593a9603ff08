import { Then, When } from "@cucumber/cucumber";
import type { ModelAction } from "../driver/model-requests.js";
import type { BackendWorld, CallRecord } from "../world/backend-world.js";

const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

function batch(world: BackendWorld): CallRecord[] {
  return world.remembered.batch ?? [];
}

async function settle(world: BackendWorld, calls: Array<Promise<CallRecord>>): Promise<CallRecord[]> {
  world.inFlight.push(...calls);
  const records = await Promise.all(calls);
  world.remembered.batch = records;
  return records;
}

When(
  "the client sends {int} commands to entity {string} one after another without waiting, each emitting its number",
  async function (this: BackendWorld, count: number, name: string) {
    const calls: Array<Promise<CallRecord>> = [];
    for (let i = 1; i <= count; i++) {
      calls.push(this.process(name, [{ emit: String(i) }]));
      // Their arrival order at the backend is the order sent: the next goes once a probe sent after
      // this one has come back through the backend (a fixed gap of 40 ms was this before: a loaded
      // machine outran it).
      if (i < count) await this.probeBackend();
    }
    // An answer held "once the calls behind it are queued" goes now.
    await this.callsQueued(this.entityId(name));
    await settle(this, calls);
  },
);

When(
  "{int} clients each process emit of their own letter on entity {string} at once",
  async function (this: BackendWorld, count: number, name: string) {
    await this.client();
    await settle(
      this,
      letters
        .slice(0, count)
        .split("")
        .map((letter) => this.process(name, [{ emit: letter }])),
    );
    this.remembered.letters = letters.slice(0, count);
  },
);

When(
  "{int} entities named {string} each process emit of their own letter {int} times, all at once",
  async function (this: BackendWorld, count: number, name: string, times: number) {
    await this.client();
    const perEntity = async (i: number) => {
      const records: CallRecord[] = [];
      for (let n = 0; n < times; n++) records.push(await this.process(`${name}-${i}`, [{ emit: letters[i]! }]));
      return records;
    };
    const all = await Promise.all(Array.from({ length: count }, (_, i) => perEntity(i)));
    this.remembered.batch = all.flat();
    this.remembered.entities = all;
  },
);

When(
  "the client sends {int} more commands than the relay buffer holds to entity {string} at once, each emitting {string}",
  async function (this: BackendWorld, extra: number, name: string, value: string) {
    const entityId = this.entityId(name);
    // The first command occupies the entity (its answer is slow); the burst then fills the queue and overflows it by `extra`.
    const reached = this.uf.traffic.commandsOf(entityId).length;
    const first = this.process(name, [{ emit: value }]);
    this.inFlight.push(first);
    await this.eventually(
      () => this.uf.traffic.commandsOf(entityId).length > reached,
      "the first command to reach the user function",
      () => "it did not",
    );
    const burst = Array.from({ length: this.settings.relayBuffer + extra }, () => this.process(name, [{ emit: value }]));
    await this.callsQueued(entityId);
    await settle(this, [first, ...burst]);
  },
);

When(
  "the client sends {actions} to entity {string} with {int} more calls emitting {string} queued behind it",
  async function (this: BackendWorld, actions: ModelAction[], name: string, queued: number, value: string) {
    const entityId = this.entityId(name);
    const reached = this.uf.traffic.commandsOf(entityId).length;
    const first = this.process(name, actions);
    this.inFlight.push(first);
    // The queued calls must arrive while the first one is with the user function (its answer is delayed).
    await this.eventually(
      () => this.uf.traffic.commandsOf(entityId).length > reached,
      "the first command to reach the user function",
      () => "it did not",
    );
    const behind = Array.from({ length: queued }, () => this.process(name, [{ emit: value }]));
    await this.callsQueued(entityId);
    await settle(this, [first, ...behind]);
  },
);

Then(
  "the first of those calls failed with {status} and the {int} queued ones with {status}",
  function (this: BackendWorld, first: string, queued: number, rest: string) {
    const [head, ...tail] = batch(this);
    if (!head || tail.length !== queued) throw new Error(`expected ${queued + 1} calls in the batch, have ${batch(this).length}`);
    const describe = (r: CallRecord) => (r.outcome.ok ? "OK" : r.outcome.codeName);
    if (describe(head) !== first) {
      this.fail(
        `the call in flight to fail ${first}`,
        `${head.outcome.ok ? "it succeeded" : `${head.outcome.codeName}: ${head.outcome.details}`}; ${this.recoveryOf(head.entityId)}`,
      );
    }
    const wrong = tail.filter((r) => describe(r) !== rest);
    if (wrong.length > 0) {
      const served = wrong.filter((r) => r.outcome.ok).length;
      this.fail(
        `all ${queued} queued calls to fail ${rest}`,
        `${tail.map(describe).join(", ")}${served > 0 ? `: the backend served ${served} queued call(s) after the stream failed` : ""}; ${this.recoveryOf(head.entityId)}`,
      );
    }
  },
);

Then("every one of those calls succeeded", function (this: BackendWorld) {
  const failed = batch(this).filter((r) => !r.outcome.ok);
  if (failed.length > 0) {
    const first = failed[0]!.outcome;
    this.fail("every call to succeed", `${failed.length} failed, e.g. ${first.ok ? "" : `${first.codeName}: ${first.details}`}`);
  }
});

Then("the user function received those commands one at a time, in the order they were sent", function (this: BackendWorld) {
  const records = batch(this);
  const entityId = records[0]?.entityId ?? "";
  const received = this.uf.traffic.commandsOf(entityId).map((c) => Buffer.from(c.payload?.value ?? new Uint8Array(0)).toString("hex"));
  const sent = records.map((r) => Buffer.from(r.request).toString("hex"));
  const order = received.map((hex) => sent.indexOf(hex) + 1);
  if (JSON.stringify(order) !== JSON.stringify(sent.map((_, i) => i + 1))) {
    const missing = sent.map((_, i) => i + 1).filter((n) => !order.includes(n));
    const twice = order.filter((n, i) => order.indexOf(n) !== i);
    const swapped = order.findIndex((n, i) => i > 0 && n < order[i - 1]!);
    const why = [
      ...(missing.length > 0 ? [`call(s) ${missing.join(", ")} never reached the user function`] : []),
      ...(twice.length > 0 ? [`call(s) ${[...new Set(twice)].join(", ")} reached it more than once`] : []),
      ...(swapped > 0 ? [`call ${order[swapped]} reached it after call ${order[swapped - 1]}, which was sent later`] : []),
    ];
    this.fail(`commands in the order sent (1..${sent.length})`, `order ${order.join(", ")}${why.length > 0 ? `: ${why.join("; ")}` : ""}`);
  }
});

Then("each of those replies showed the state after its own command", function (this: BackendWorld) {
  const states = batch(this).map((r) => this.decodeState(r));
  const expected = states.map((_, i) => Array.from({ length: i + 1 }, (_, n) => String(n + 1)).join(""));
  if (JSON.stringify(states) !== JSON.stringify(expected)) this.fail(`states ${JSON.stringify(expected)}`, JSON.stringify(states));
});

Then("the state of entity {string} holds each of those letters exactly once", async function (this: BackendWorld, name: string) {
  await this.process(name, []);
  const state = this.lastResponse().state;
  const expected = String(this.remembered.letters);
  if ([...state].sort().join("") !== [...expected].sort().join("")) {
    const lost = [...expected].filter((c) => !state.includes(c));
    const repeated = [...new Set([...state].filter((c, i) => state.indexOf(c) !== i))];
    const why = [
      ...(lost.length > 0 ? [`${lost.join("")} lost`] : []),
      ...(repeated.length > 0 ? [`${repeated.join("")} applied more than once`] : []),
    ];
    this.fail(`each of ${JSON.stringify(expected)} exactly once`, `${JSON.stringify(state)}${why.length > 0 ? `: ${why.join(", ")}` : ""}`);
  }
});

Then("each of those replies showed a state the next one extends", function (this: BackendWorld) {
  const states = batch(this)
    .map((r) => this.decodeState(r))
    .sort((a, b) => a.length - b.length);
  states.forEach((state, i) => {
    if (state.length !== i + 1) this.fail(`reply states of lengths 1..${states.length} (one command at a time)`, JSON.stringify(states));
    const next = states[i + 1];
    if (next !== undefined && !next.startsWith(state))
      this.fail(`${JSON.stringify(next)} to extend ${JSON.stringify(state)} (a serial order)`, "it does not");
  });
});

Then("each of those entities holds only its own letter, {int} times", function (this: BackendWorld, times: number) {
  const entities = this.recall("entities");
  entities.forEach((records, i) => {
    const state = this.decodeState(records.at(-1)!);
    const expected = letters[i]!.repeat(times);
    if (state !== expected) {
      const foreign = [...new Set([...state].filter((c) => c !== letters[i]))];
      this.fail(
        `entity ${records[0]?.entityId} in state ${JSON.stringify(expected)}`,
        `${JSON.stringify(state)}${foreign.length > 0 ? `: it holds other entities' letters (${foreign.join("")}), so entities shared state` : ""}`,
      );
    }
  });
});

Then(
  "exactly {int} of those calls failed with RESOURCE_EXHAUSTED and every other one succeeded",
  function (this: BackendWorld, refused: number) {
    const records = batch(this);
    const exhausted = records.filter((r) => !r.outcome.ok && r.outcome.codeName === "RESOURCE_EXHAUSTED").length;
    const others = records.filter((r) => !r.outcome.ok && r.outcome.codeName !== "RESOURCE_EXHAUSTED");
    if (others.length > 0) {
      const first = others[0]!.outcome;
      this.fail(
        "every call not refused to succeed",
        `${others.length} failed otherwise, e.g. ${first.ok ? "" : `${first.codeName}: ${first.details}`}`,
      );
    }
    // One call in flight plus relayBuffer queued are accepted; everything beyond is refused.
    if (exhausted !== refused) {
      this.fail(
        `exactly ${refused} of ${records.length} calls to fail RESOURCE_EXHAUSTED (1 in flight + relay buffer ${this.settings.relayBuffer} accepted)`,
        `${exhausted} did: the backend ${exhausted === 0 ? "has no per-entity queue bound (or a larger one)" : `accepted ${records.length - exhausted}, so its queue holds ${records.length - exhausted - 1} behind the call in flight, not ${this.settings.relayBuffer}`}`,
      );
    }
    this.remembered.successes = records.filter((r) => r.outcome.ok).length;
  },
);

Then(
  "the state of entity {string} has one {string} per call that succeeded",
  async function (this: BackendWorld, name: string, value: string) {
    const successes = this.recall("successes");
    await this.process(name, []);
    const state = this.lastResponse().state;
    if (state !== value.repeat(successes))
      this.fail(`${successes} × ${JSON.stringify(value)}`, `${JSON.stringify(state)} (${state.length / value.length})`);
  },
);
