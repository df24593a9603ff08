import { Then, When } from "@cucumber/cucumber";
import type { AnyPayload } from "../../../reference/protocol/index.js";
import { modelTypes } from "../../kit/doubles/instrumented-user-function/index.js";
import { describeSequences, describeStream, replayFault, type BackendWorld } from "../world/backend-world.js";
import type { ModelAction } from "../driver/model-requests.js";

const sameBytes = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
const stateOf = (snapshot: AnyPayload | undefined) => {
  if (!snapshot) return undefined;
  const type = modelTypes().lookupType("lightbend.serverless.tck.model.State");
  return String((type.decode(snapshot.value) as unknown as { value: string }).value);
};

When("entity {string} is passivated", async function (this: BackendWorld, name: string) {
  await this.passivated(name);
});

Then("the stream of entity {string} ended cleanly", function (this: BackendWorld, name: string) {
  const stream = this.latestStream(name);
  if (stream.ended !== "completed by both sides") this.fail("the stream to end by both sides completing it", stream.ended ?? "still open");
});

Then("the user function saw {int} stream(s) for entity {string}", function (this: BackendWorld, count: number, name: string) {
  const streams = this.streamsOf(name);
  if (streams.length !== count) {
    const seen =
      streams.length === 0
        ? `none; ${this.streamsOfScenario()}`
        : `the backend opened ${streams.length}: ${streams.map(describeStream).join("; ")}`;
    this.fail(`${count} handle stream(s) for entity ${this.entityId(name)}`, seen);
  }
});

Then("every stream of entity {string} began with Init", function (this: BackendWorld, name: string) {
  for (const stream of this.streamsOf(name)) {
    if (stream.received[0]?.case !== "init") this.fail(`stream ${stream.streamId} to begin with Init`, describeStream(stream));
  }
});

Then("the Init and every Command of entity {string} carried its entity id", function (this: BackendWorld, name: string) {
  const id = this.entityId(name);
  const streams = this.streamsOf(name);
  if (streams.length === 0) this.fail(`a stream whose Init names ${JSON.stringify(id)}`, `none did; ${this.streamsOfScenario()}`);
  for (const stream of streams) {
    for (const message of stream.received) {
      if ((message.case === "init" || message.case === "command") && message.entityId !== id) {
        this.fail(`${message.case} for entity ${JSON.stringify(id)}`, `${message.case} for ${JSON.stringify(message.entityId)}`);
      }
    }
  }
});

Then(
  "the command ids of entity {string} were {int}, {int}, {int} on its first stream and {int}, {int} on its second",
  function (this: BackendWorld, name: string, a: number, b: number, c: number, d: number, e: number) {
    const streams = this.streamsOf(name);
    const ids = streams.map((s) => s.received.flatMap((m) => (m.case === "command" ? [m.id] : [])));
    const expected = [
      [a, b, c],
      [d, e],
    ];
    if (JSON.stringify(ids) !== JSON.stringify(expected)) {
      // Name the first broken rule: ids start at 1 on every stream, then increase by one.
      const why = ids.flatMap((list, i) => {
        const stream = streams[i]!.streamId;
        if (list.length > 0 && list[0] !== 1) return [`stream ${stream} began at command id ${list[0]}, not 1`];
        const at = list.findIndex((id, k) => k > 0 && id !== list[k - 1]! + 1);
        if (at <= 0) return [];
        return [
          list[at]! <= list[at - 1]!
            ? `stream ${stream} reused command id ${list[at]} after ${list[at - 1]}`
            : `stream ${stream} skipped from command id ${list[at - 1]} to ${list[at]}`,
        ];
      });
      this.fail(
        `command ids per stream ${JSON.stringify(expected)}`,
        `${JSON.stringify(ids)}${why.length > 0 ? `: ${why[0]}` : ` (${streams.length} stream(s))`}`,
      );
    }
  },
);

Then("the backend completed no stream of entity {string} while its command was in flight", function (this: BackendWorld, name: string) {
  for (const stream of this.streamsOf(name)) {
    const commands = stream.received.filter((m) => m.case === "command").length;
    if (stream.sentBeforeCompletion !== undefined && stream.sentBeforeCompletion < commands) {
      this.fail(
        `stream ${stream.streamId} completed only after the answer to each of its ${commands} command(s)`,
        `the backend completed it after ${stream.sentBeforeCompletion} answer(s)`,
      );
    }
  }
});

Then("the latest stream of entity {string} began with Init without a snapshot", function (this: BackendWorld, name: string) {
  const stream = this.latestStream(name);
  const init = stream.received[0];
  if (init?.case !== "init") return this.fail("Init first", describeStream(stream));
  if (init.snapshot !== undefined)
    this.fail(
      "an Init without a snapshot (the entity never snapshotted)",
      `the Init offered a snapshot at sequence ${init.snapshot.sequence} that the user function never sent`,
    );
});

Then(
  "the latest stream of entity {string} began with Init offering the snapshot {string} at sequence {int}",
  function (this: BackendWorld, name: string, state: string, sequence: number) {
    const stream = this.latestStream(name);
    const init = stream.received[0];
    const expected = `Init offering the latest snapshot, ${JSON.stringify(state)} at sequence ${sequence}`;
    if (init?.case !== "init") return this.fail(expected, describeStream(stream));
    if (!init.snapshot)
      return this.fail(expected, `the Init offered no snapshot, although the user function sent one on an earlier stream`);
    const offered = stateOf(init.snapshot.payload);
    if (init.snapshot.sequence < sequence)
      this.fail(expected, `the Init offered an older snapshot, ${JSON.stringify(offered)} at sequence ${init.snapshot.sequence}`);
    if (init.snapshot.sequence !== sequence)
      this.fail(
        expected,
        `the Init offered ${JSON.stringify(offered)} at sequence ${init.snapshot.sequence}: stored at another sequence than the last event of the reply that carried it`,
      );
    if (offered !== state)
      this.fail(
        expected,
        `the Init offered ${JSON.stringify(offered)} at sequence ${sequence}: another snapshot's payload than the one sent with that sequence`,
      );
  },
);

Then(
  "the latest stream of entity {string} began with Init offering the snapshot the user function sent, byte for byte, at sequence {int}",
  function (this: BackendWorld, name: string, sequence: number) {
    const sentSnapshots = this.streamsOf(name).flatMap((s) => this.repliesOf(s).flatMap((r) => (r.snapshot ? [r.snapshot] : [])));
    const sent = sentSnapshots.at(-1);
    if (!sent) return this.fail("the user function to have sent a snapshot", "none was sent");
    const init = this.latestStream(name).received[0];
    if (init?.case !== "init" || !init.snapshot?.payload)
      return this.fail(`Init offering a snapshot at ${sequence}`, "no snapshot offered");
    if (init.snapshot.sequence !== sequence) this.fail(`snapshot sequence ${sequence}`, `${init.snapshot.sequence}`);
    if (init.snapshot.payload.typeUrl !== sent.typeUrl || !sameBytes(init.snapshot.payload.value, sent.value)) {
      this.fail(
        `the snapshot as sent (${sent.typeUrl}, ${sent.value.length} bytes)`,
        `${init.snapshot.payload.typeUrl}, ${init.snapshot.payload.value.length} bytes, different`,
      );
    }
  },
);

Then(
  "the latest stream of entity {string} replayed events {int} to {int} before its first command",
  function (this: BackendWorld, name: string, from: number, to: number) {
    const stream = this.latestStream(name);
    const firstCommand = stream.received.findIndex((m) => m.case === "command");
    const before = firstCommand < 0 ? stream.received : stream.received.slice(0, firstCommand);
    const sequences = before.flatMap((m) => (m.case === "event" ? [m.sequence] : []));
    const after = stream.received.slice(firstCommand < 0 ? stream.received.length : firstCommand).filter((m) => m.case === "event").length;
    const expected = Array.from({ length: to - from + 1 }, (_, i) => from + i);
    const describe = (s: number[]) => (s.length === 0 ? "no events" : `events ${s[0]} to ${s.at(-1)} (${s.length})`);
    if (sequences.length !== expected.length || sequences.some((s, i) => s !== expected[i])) {
      const init = stream.received[0];
      const snapshot = init?.case === "init" ? init.snapshot?.sequence : undefined;
      this.fail(`replayed ${describe(expected)}`, `replayed ${describe(sequences)}: ${whatWentWrong(sequences, snapshot, from, to)}`);
    }
    if (after > 0) this.fail("every replayed event before the first command", `${after} event(s) after it`);
  },
);

/** The broken replay rule, named from the traffic (C4, C6, F4): expected events `from` to `to` after the snapshot offered. */
function whatWentWrong(sequences: readonly number[], snapshot: number | undefined, from: number, to: number): string {
  const first = sequences[0];
  const last = sequences.at(-1);
  const offer = snapshot === undefined ? "no snapshot was offered" : `a snapshot at ${snapshot} was offered`;
  if (first === undefined || last === undefined) return `the backend replayed no events, and ${offer}`;
  const fault = replayFault(sequences, snapshot);
  if (fault !== undefined) return fault;
  if (first !== from)
    return `replay started at ${first}, not ${from}, because ${offer}${from > 1 ? ` (the latest snapshot is at ${from - 1})` : ""}`;
  if (last < to) return `replay stopped at ${last}, short of event ${to}`;
  return `replay went on to ${last}, past event ${to}, the last persisted`;
}

Then("the latest stream of entity {string} replayed no events", function (this: BackendWorld, name: string) {
  const events = this.replayedEvents(this.latestStream(name));
  if (events.length > 0) this.fail("no replayed events", `the backend replayed ${describeSequences(events.map((e) => e.sequence))}`);
});

Then(
  "the latest stream of entity {string} replayed every event byte for byte as the user function emitted it",
  function (this: BackendWorld, name: string) {
    const streams = this.streamsOf(name);
    const emitted = streams.slice(0, -1).flatMap((s) => this.repliesOf(s).flatMap((r) => r.events));
    const replayed = this.replayedEvents(this.latestStream(name));
    if (replayed.length !== emitted.length) this.fail(`${emitted.length} replayed events`, `${replayed.length}`);
    emitted.forEach((event, i) => {
      const back = replayed[i]?.payload;
      if (!back || back.typeUrl !== event.typeUrl || !sameBytes(back.value, event.value)) {
        this.fail(
          `event ${i + 1} as emitted (${event.typeUrl}, ${event.value.length} bytes)`,
          back ? `${back.typeUrl}, ${back.value.length} bytes, different` : "missing",
        );
      }
    });
  },
);

Then("entity {string} is on a new stream", function (this: BackendWorld, name: string) {
  const streams = this.streamsOf(name);
  if (streams.length < 2) {
    const [only] = streams;
    this.fail(
      `entity ${this.entityId(name)} recovered on a new stream (the backend closes the stream it failed)`,
      only
        ? `every command went to stream ${describeStream(only)}: the backend kept the stream of the failed entity`
        : `no stream; ${this.streamsOfScenario()}`,
    );
  }
});

Then(
  "the backend closes the stream of entity {string} for the answer with nothing pending, long before it could passivate it",
  async function (this: BackendWorld, name: string) {
    const stream = this.latestStream(name);
    const { passivationTimeoutMs } = this.settings;
    if (passivationTimeoutMs <= this.timeoutMs) throw new Error("needs a passivation timeout longer than --timeout");
    await this.eventually(
      () => stream.ended !== undefined,
      `the backend to fail entity ${this.entityId(name)} for the answer with nothing pending (a protocol violation, D9): close stream ${stream.streamId} within ${this.timeoutMs} ms (--timeout), long before its passivation timeout of ${passivationTimeoutMs} ms`,
      () =>
        `the backend ignored the answer with nothing pending: stream ${stream.streamId} is still open, with ${stream.sent.length} answers to ${stream.received.filter((m) => m.case === "command").length} command(s)`,
    );
  },
);

Then("entity {string} answered every command on the stream it began on, with no second Init", function (this: BackendWorld, name: string) {
  const streams = this.streamsOf(name);
  const [first, next] = streams;
  if (!first) return this.fail(`a handle stream for entity ${this.entityId(name)}`, "none was opened");
  const failure = first.sent.find((m) => m.case === "failure");
  const expected = `entity ${this.entityId(name)} to keep stream ${first.streamId} after the Failure (G3: the entity and its stream carry on), every command on it`;
  const how = `after the Failure${failure?.case === "failure" ? ` of command ${failure.commandId}` : ""}`;
  if (next) {
    const replayed = this.replayedEvents(next).length;
    this.fail(
      expected,
      `the backend ended stream ${first.streamId} (${first.ended ?? "still open"}) ${how} and opened stream ${next.streamId} with a new Init, replaying ${replayed} event(s), for the next command`,
    );
  }
  if (first.ended !== undefined) this.fail(expected, `the backend ended stream ${first.streamId} (${first.ended}) ${how}`);
});

Then("the user function saw an Init for entity {string}", function (this: BackendWorld, name: string) {
  const id = this.entityId(name);
  if (!this.uf.traffic.streams.some((s) => s.received[0]?.case === "init" && s.received[0].entityId === id)) {
    this.fail(`an Init for ${JSON.stringify(id)}`, this.streamsOfScenario());
  }
});

Then(
  "the user function received the last request's bytes unchanged as {string} with type url {string}",
  function (this: BackendWorld, name: string, typeUrl: string) {
    const last = this.lastCall();
    const command = this.uf.traffic.commandsOf(last.entityId).at(-1);
    if (!command) return this.fail("a Command for the request", "none arrived");
    if (command.name !== name) this.fail(`Command.name ${JSON.stringify(name)}`, JSON.stringify(command.name));
    if (command.payload?.typeUrl !== typeUrl) this.fail(`type url ${typeUrl}`, command.payload?.typeUrl ?? "no payload");
    if (!command.payload || !sameBytes(command.payload.value, last.request)) {
      this.fail(`the request bytes unchanged (${last.request.length} bytes)`, `${command.payload?.value.length ?? 0} different bytes`);
    }
  },
);

Then("the client received the reply bytes the user function sent", function (this: BackendWorld) {
  const last = this.lastCall();
  if (!last.outcome.ok) return this.fail("the call to succeed", `${last.outcome.codeName}: ${last.outcome.details}`);
  const stream = this.uf.traffic.streamsOf(last.entityId).at(-1);
  const reply = stream ? this.repliesOf(stream).at(-1) : undefined;
  if (!reply?.payload) return this.fail("a reply from the user function", "none");
  if (!sameBytes(reply.payload.value, last.outcome.bytes)) {
    this.fail(`the reply bytes unchanged (${reply.payload.value.length} bytes)`, `${last.outcome.bytes.length} different bytes`);
  }
});

When(
  "the backend completes the stream of entity {string} while the user function keeps its side open",
  async function (this: BackendWorld, name: string) {
    const stream = this.latestStream(name);
    await this.eventually(
      () => stream.backendCompleted,
      `the backend to passivate entity ${this.entityId(name)} (complete its side of stream ${stream.streamId}) within ${this.settings.passivationTimeoutMs} ms of idleness`,
      () => `stream ${describeStream(stream)}`,
      this.settings.passivationTimeoutMs + this.timeoutMs,
    );
  },
);

// The user function completes a held stream after half the relay timeout; a backend may cancel it sooner. Either way the call has that long, and --timeout more.
When(
  "the client processes {actions} on entity {string}, given as long as the held stream may take to end",
  async function (this: BackendWorld, actions: ModelAction[], name: string) {
    await this.process(name, actions, "Process", Math.round(this.settings.relayTimeoutMs / 2) + this.timeoutMs);
  },
);

Then("no two streams of entity {string} were live at the same time", function (this: BackendWorld, name: string) {
  const id = this.entityId(name);
  const overlap = this.uf.traffic.overlaps.find((o) => o.entityId === id);
  if (overlap) {
    this.fail(
      `at most one live stream for entity ${id} (I4): the backend waits for stream ${overlap.live.streamId} to end, or cancels it, before opening another`,
      `two streams for one entity were live at the same time: ${overlap.opened.streamId} opened with an Init for it while ${describeStream(overlap.live)} was live`,
    );
  }
  const streams = this.streamsOf(name);
  if (streams.length < 2)
    this.fail(`the second call on a new stream of entity ${id}, after the first was passivated`, this.streamsOfScenario());
});
