import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client, credentials, makeGenericClientConstructor, status, type ServiceError } from "@grpc/grpc-js";
import type { AnyPayload } from "../protocol/index.js";
import type { EntityRef } from "./ids.js";
import { addReflection } from "./ops/add-reflection.js";
import { healthServiceDefinition } from "./ops/health-service.js";
import { createOperationalSurface } from "./server/create-operational-surface.js";
import { createInMemoryJournal } from "./persistence/in-memory-journal.js";
import { createInMemorySnapshotStore } from "./persistence/in-memory-snapshot-store.js";
import type { Journal } from "./persistence/journal.js";
import type { SnapshotStore, StoredSnapshot } from "./persistence/snapshot-store.js";
import { StorageError } from "./persistence/storage-error.js";
import {
  appendRequest,
  callBidi,
  callClientStream,
  callServerStream,
  callUnary,
  capturingLogger,
  compositeRequest,
  eventually,
  pathOf,
  startBackendUnderTest,
  thingRef,
  type BackendUnderTest,
} from "./server/testing/backend-harness.js";
import {
  decodeState,
  eventTypeUrl,
  snapshotTypeUrl,
  startRawUserFunction,
  type RawUserFunction,
} from "./server/testing/raw-user-function.js";

const text = new TextEncoder();

const HealthClient = makeGenericClientConstructor(healthServiceDefinition(), "Health");
function checkHealth(client: Client, service: string): Promise<string> {
  return new Promise((resolve, reject) => {
    (client as unknown as { Check: (r: object, cb: (e: Error | null, v?: { status: string }) => void) => void }).Check(
      { service },
      (error, response) => (error ? reject(error) : resolve(response?.status ?? "")),
    );
  });
}

async function rejectsWith(promise: Promise<unknown>, code: status, details?: string | RegExp): Promise<ServiceError> {
  const error = (await promise.then(
    () => assert.fail(`expected gRPC status ${status[code]}`),
    (e: unknown) => e,
  )) as ServiceError;
  assert.equal(status[error.code], status[code], `status (details: ${error.details})`);
  if (typeof details === "string") assert.equal(error.details, details);
  else if (details) assert.match(error.details, details);
  return error;
}

const append = (env: BackendUnderTest, id: string, value: string) =>
  callUnary(env.client, pathOf("Append"), appendRequest(id, value)).then(decodeState);

describe("backend with a raw-protocol user function", () => {
  let uf: RawUserFunction;
  let env: BackendUnderTest;

  before(async () => {
    uf = await startRawUserFunction();
    env = await startBackendUnderTest(uf.target);
  });
  after(async () => {
    await env.close();
    await uf.close();
  });

  it("forwards requests as commands and persists each reply's events before answering", async () => {
    assert.equal(await append(env, "a1", "x"), "x");
    assert.equal(await append(env, "a1", "y+z"), "xyz");
    const events = await env.events("a1");
    assert.deepEqual(
      events.map((e) => [e.sequenceNumber, e.payload.typeUrl, Buffer.from(e.payload.value).toString()]),
      [
        [1, eventTypeUrl, "x"],
        [2, eventTypeUrl, "y"],
        [3, eventTypeUrl, "z"],
      ],
    );
    const stream = uf.streams.find((s) => s.received[0]?.case === "init" && s.received[0].entityId === "a1");
    assert.ok(stream, "a stream for a1");
    const commands = stream.received.filter((m) => m.case === "command");
    assert.deepEqual(
      commands.map((c) => [c.id, c.name, c.entityId, c.payload?.typeUrl]),
      [
        [1, "Append", "a1", "type.googleapis.com/test.backend.Request"],
        [2, "Append", "a1", "type.googleapis.com/test.backend.Request"],
      ],
    );
    assert.deepEqual([...(commands[1]?.payload?.value ?? [])], [...appendRequest("a1", "y+z")]);
  });

  it("forwards request and reply bytes untouched, fields unknown to the descriptor included", async () => {
    // Field 15 is in no descriptor: a partial-descriptor client or user function may still send it.
    const unknownField = [0x78, 0x2a];
    const request = Uint8Array.from([...appendRequest("raw1", ""), ...unknownField]);
    const replyBytes = Uint8Array.from([0x0a, 0x01, 0x61, ...unknownField]);
    uf.misbehave = (context) => {
      if (context.command.entityId !== "raw1") return "normal";
      context.send({
        case: "reply",
        commandId: context.command.id,
        payload: { typeUrl: "type.googleapis.com/test.backend.Response", value: replyBytes },
        events: [],
        snapshot: undefined,
      });
      return "handled";
    };
    try {
      const reply = await callUnary(env.client, pathOf("Append"), request);
      assert.deepEqual([...reply], [...replyBytes]);
      const command = uf.streams.flatMap((s) => s.received).find((m) => m.case === "command" && m.entityId === "raw1");
      assert.deepEqual([...(command?.case === "command" ? (command.payload?.value ?? []) : [])], [...request]);
    } finally {
      uf.misbehave = undefined;
    }
  });

  it("carries large events and replies (a reply beyond grpc-js's 4 MiB default) byte for byte", async () => {
    const big = "x".repeat(2_500_000) + "é";
    assert.equal(await append(env, "big1", big), big);
    const [event] = await env.events("big1");
    assert.equal(Buffer.from(event!.payload.value).toString(), big);
  });

  it("stores the snapshot riding on a reply at its last event's sequence number", async () => {
    await append(env, "s1", "a+b+c+d");
    const snapshot = await env.snapshotStore.latest(thingRef("s1"));
    assert.deepEqual(snapshot && [snapshot.sequenceNumber, snapshot.payload.typeUrl, Buffer.from(snapshot.payload.value).toString()], [
      4,
      snapshotTypeUrl,
      "abcd",
    ]);
  });

  it("answers a reply without payload bytes with an empty response", async () => {
    const reply = await callUnary(env.client, pathOf("AppendEmpty"), appendRequest("e1", "q"));
    assert.equal(reply.length, 0);
    assert.equal(await append(env, "e1", ""), "q");
  });

  it("answers a Failure with UNKNOWN and its description, persisting nothing", async () => {
    await append(env, "f1", "a");
    await rejectsWith(append(env, "f1", "fail:Item not in cart"), status.UNKNOWN, "Item not in cart");
    assert.equal(await append(env, "f1", "b"), "ab");
    assert.equal((await env.events("f1")).length, 2);
  });

  it("refuses a request without a key value with INVALID_ARGUMENT, reaching no entity", async () => {
    const before = uf.streams.length;
    await rejectsWith(append(env, "", "x"), status.INVALID_ARGUMENT);
    await rejectsWith(callUnary(env.client, pathOf("Append"), Uint8Array.from([0x0a, 0x50])), status.INVALID_ARGUMENT);
    assert.equal(uf.streams.length, before);
  });

  it("answers UNIMPLEMENTED for a method the service does not have", async () => {
    await rejectsWith(callUnary(env.client, pathOf("Nope"), appendRequest("u1", "x")), status.UNIMPLEMENTED);
    await rejectsWith(callUnary(env.client, "/other.Service/Append", appendRequest("u1", "x")), status.UNIMPLEMENTED);
  });

  it("joins composite keys in field order with escapes, never sharing entities between distinct tuples", async () => {
    const call = (a: string, b: string, value: string) =>
      callUnary(env.client, pathOf("AppendComposite"), compositeRequest(a, b, value)).then(decodeState);
    assert.equal(await call("x-y", "z", "1"), "1");
    assert.equal(await call("x", "y-z", "2"), "2");
    const initIds = uf.streams.flatMap((s) => (s.received[0]?.case === "init" ? [s.received[0].entityId] : []));
    assert.ok(initIds.includes("x\\-y-z"), `ids seen: ${initIds.join(" ")}`);
    assert.ok(initIds.includes("x-y\\-z"), `ids seen: ${initIds.join(" ")}`);
  });

  it("keeps unusual entity ids intact", async () => {
    for (const id of ["with/slash", "with space", "100%", "ünï©ødé ✓"]) {
      assert.equal(await append(env, id, "v"), "v");
      assert.equal((await env.events(id)).length, 1);
    }
  });

  it("serialises concurrent calls to one entity, losing none", async () => {
    const values = Array.from({ length: 30 }, (_, i) => String.fromCharCode(65 + (i % 26)));
    const states = await Promise.all(values.map((v) => append(env, "c1", v)));
    const final = await append(env, "c1", "");
    assert.equal(final.length, 30);
    // Each reply is a prefix of the final state: the calls ran one after another.
    for (const state of states) assert.ok(final.startsWith(state));
    assert.equal(new Set(states.map((s) => s.length)).size, 30);
  });

  it("runs each message of a bidirectional stream as a command for its own key, replying in order", async () => {
    const { replies, error } = await callBidi(env.client, pathOf("AppendStream"), [
      appendRequest("b1", "a"),
      appendRequest("b2", "x"),
      appendRequest("b1", "b"),
      appendRequest("b2", "y"),
    ]);
    assert.equal(error, undefined);
    assert.deepEqual(replies.map(decodeState), ["a", "x", "ab", "xy"]);
  });

  it("ends a bidirectional stream with the status of the first failing command", async () => {
    const { replies, error } = await callBidi(env.client, pathOf("AppendStream"), [
      appendRequest("b3", "a"),
      appendRequest("b3", "fail:no"),
      appendRequest("b3", "c"),
    ]);
    assert.deepEqual(replies.map(decodeState), ["a"]);
    assert.equal(error?.code, status.UNKNOWN);
    assert.equal(error?.details, "no");
  });

  it("answers a client stream with the reply to its last message", async () => {
    const reply = await callClientStream(env.client, pathOf("AppendAll"), [
      appendRequest("cs1", "a"),
      appendRequest("cs2", "b"),
      appendRequest("cs1", "c"),
    ]);
    assert.equal(decodeState(reply), "ac");
  });

  it("answers a server-streaming call with its one reply", async () => {
    const replies = await callServerStream(env.client, pathOf("Watch"), appendRequest("w1", "z"));
    assert.deepEqual(replies.map(decodeState), ["z"]);
  });
});

describe("passivation and recovery", () => {
  it("completes an idle entity's stream and recovers it from the snapshot plus later events", async () => {
    const uf = await startRawUserFunction();
    const env = await startBackendUnderTest(uf.target, { entity: { passivationTimeoutMs: 150 } });
    try {
      assert.equal(await append(env, "p1", "a+b"), "ab");
      assert.equal(await append(env, "p1", "c"), "abc"); // a snapshot at 3 rides on this reply
      assert.equal(await append(env, "p1", "d"), "abcd");
      const first = uf.streams[0]!;
      await eventually(() => first.completedByBackend && env.backend.activeEntities === 0, 5_000, "passivation");
      assert.equal(first.cancelled, false);

      assert.equal(await append(env, "p1", "e"), "abcde");
      assert.equal(uf.streams.length, 2);
      const second = uf.streams[1]!;
      assert.deepEqual(second.received.slice(0, 3), [
        {
          case: "init",
          entityId: "p1",
          snapshot: { sequence: 3, payload: { typeUrl: snapshotTypeUrl, value: text.encode("abc") } },
        },
        { case: "event", sequence: 4, payload: { typeUrl: eventTypeUrl, value: text.encode("d") } },
        {
          case: "command",
          entityId: "p1",
          id: 1,
          name: "Append",
          payload: { typeUrl: "type.googleapis.com/test.backend.Request", value: Uint8Array.from(appendRequest("p1", "e")) },
        },
      ]);
      assert.deepEqual(
        (await env.events("p1")).map((e) => e.sequenceNumber),
        [1, 2, 3, 4, 5],
      );
    } finally {
      await env.close();
      await uf.close();
    }
  });

  it("opens an entity's next stream only once its passivated stream has ended", async () => {
    const uf = await startRawUserFunction();
    uf.endDelayMs = 400;
    const env = await startBackendUnderTest(uf.target, { entity: { passivationTimeoutMs: 100 } });
    try {
      assert.equal(await append(env, "o1", "a"), "a");
      // Passivation has half-closed stream 1; the user function is still finishing it.
      await eventually(() => env.backend.activeEntities === 0, 5_000, "passivation");
      assert.deepEqual(uf.lifecycle, ["open 1"]);
      assert.equal(await append(env, "o1", "b"), "ab");
      assert.deepEqual(uf.lifecycle, ["open 1", "closed 1", "open 2"]);
      assert.equal(uf.streams[0]!.completedByBackend, true);
    } finally {
      await env.close();
      await uf.close();
    }
  });

  it("replays a long history (10,000 events) page by page", async () => {
    const uf = await startRawUserFunction();
    uf.snapshotEvery = 1_000_000;
    const journal = createInMemoryJournal();
    const ref = thingRef("long");
    const history: AnyPayload[] = Array.from({ length: 10_000 }, (_, i) => ({
      typeUrl: eventTypeUrl,
      value: text.encode(String(i % 10)),
    }));
    await journal.append(ref, 0, history);
    const env = await startBackendUnderTest(uf.target, { journal });
    try {
      const state = await append(env, "long", "!");
      assert.equal(state.length, 10_001);
      const events = uf.streams[0]!.received.filter((m) => m.case === "event");
      assert.deepEqual(
        events.map((e) => e.sequence),
        Array.from({ length: 10_000 }, (_, i) => i + 1),
      );
    } finally {
      await env.close();
      await uf.close();
    }
  });
});

describe("storage failures", () => {
  /**
   * The in-memory journal, with appends that fail while `failing` says so (fault injection, not a mock):
   * by rejecting, or with `throwing` by throwing before any promise, as a careless adapter may.
   */
  function flakyJournal(failing: () => StorageError | undefined, throwing = false): Journal {
    const journal = createInMemoryJournal();
    const fallible = async (entity: EntityRef, expected: number, events: readonly AnyPayload[]) => {
      const error = failing();
      if (error) throw error;
      return journal.append(entity, expected, events);
    };
    return {
      append: throwing
        ? (entity, expected, events) => {
            const error = failing();
            if (error) throw error;
            return journal.append(entity, expected, events);
          }
        : fallible,
      replay: (entity, range) => journal.replay(entity, range),
      highestSequenceNumber: (entity) => journal.highestSequenceNumber(entity),
      close: () => journal.close(),
    };
  }

  it("fails the call UNAVAILABLE when the journal write fails, and recovers with only what was persisted", async () => {
    const uf = await startRawUserFunction();
    let fail: StorageError | undefined;
    const log = capturingLogger();
    const env = await startBackendUnderTest(uf.target, { journal: flakyJournal(() => fail), logger: log.logger });
    try {
      assert.equal(await append(env, "j1", "a"), "a");
      fail = StorageError.unavailable("disk on fire at cassandra-7.internal:9042");
      const error = await rejectsWith(
        append(env, "j1", "b"),
        status.UNAVAILABLE,
        /^journal write failed for entity j1 \(error id [0-9a-f]{12}\)$/,
      );
      // The store's text (with its address) is only in the log, under the id the client got.
      const errorId = /error id ([0-9a-f]+)/.exec(error.details)?.[1];
      const logged = log.entries.find((e) => e.fields["errorId"] === errorId);
      assert.ok(logged, `a log entry with error id ${errorId}`);
      assert.match(String(logged.fields["detail"]), /disk on fire at cassandra-7\.internal:9042/);
      fail = undefined;
      // The user function's state ("ab") was ahead of the journal: a fresh stream replays only "a".
      assert.equal(await append(env, "j1", "c"), "ac");
      assert.equal(uf.streams.length, 2);
      await eventually(() => uf.streams[0]!.cancelled, 5_000, "the first stream cancelled");
    } finally {
      await env.close();
      await uf.close();
    }
  });

  it("fails the call UNAVAILABLE when the journal adapter throws instead of rejecting, and recovers", async () => {
    const uf = await startRawUserFunction();
    let fail: StorageError | undefined;
    const env = await startBackendUnderTest(uf.target, { journal: flakyJournal(() => fail, true) });
    try {
      assert.equal(await append(env, "t1", "a"), "a");
      fail = StorageError.unavailable("thrown, not rejected");
      // With a deadline: a throw that escaped would leave the call unanswered.
      const call = callUnary(env.client, pathOf("Append"), appendRequest("t1", "b"), { deadline: Date.now() + 5_000 });
      await rejectsWith(call, status.UNAVAILABLE, /^journal write failed for entity t1 \(error id [0-9a-f]{12}\)$/);
      fail = undefined;
      assert.equal(await append(env, "t1", "c"), "ac");
    } finally {
      await env.close();
      await uf.close();
    }
  });

  /** An in-memory journal where `foreignWrites` appends of k1 are each preceded by another writer's event "X". */
  function journalWithAnotherWriter() {
    const inner = createInMemoryJournal();
    const counts = { foreignWrites: 0, conflicts: 0 };
    const foreign = [{ typeUrl: eventTypeUrl, value: text.encode("X") }];
    const journal: Journal = {
      append: async (entity, expected, events) => {
        if (counts.foreignWrites > 0 && entity.entityId === thingRef("k1").entityId) {
          counts.foreignWrites -= 1;
          await inner.append(entity, await inner.highestSequenceNumber(entity), foreign);
        }
        return inner.append(entity, expected, events).catch((error: unknown) => {
          if (error instanceof StorageError && error.kind === "conflict") counts.conflicts += 1;
          throw error;
        });
      },
      replay: (entity, range) => inner.replay(entity, range),
      highestSequenceNumber: (entity) => inner.highestSequenceNumber(entity),
      close: () => inner.close(),
    };
    return {
      journal,
      counts,
      foreignWrite: (id: string) => inner.highestSequenceNumber(thingRef(id)).then((n) => inner.append(thingRef(id), n, foreign)),
    };
  }

  it("on a journal conflict recovers the entity on a new stream and runs the command again: the call succeeds", async () => {
    const uf = await startRawUserFunction();
    const env = await startBackendUnderTest(uf.target);
    try {
      assert.equal(await append(env, "k1", "a"), "a");
      // A second writer (another backend replica) takes sequence number 2.
      await env.journal.append(thingRef("k1"), 1, [{ typeUrl: eventTypeUrl, value: text.encode("X") }]);
      assert.equal(await append(env, "k1", "b"), "aXb", "the command ran again on the state recovered from the journal");
      assert.equal(uf.streams.length, 2, "a new stream for the recovered entity");
      await eventually(() => uf.streams[0]!.cancelled, 5_000, "the stream whose state was behind cancelled");
      assert.deepEqual(
        (await env.events("k1")).map((e) => e.sequenceNumber),
        [1, 2, 3],
      );
    } finally {
      await env.close();
      await uf.close();
    }
  });

  it("fails a command whose append conflicts twice ABORTED, and the entity carries on", async () => {
    const uf = await startRawUserFunction();
    const other = journalWithAnotherWriter();
    const env = await startBackendUnderTest(uf.target, { journal: other.journal });
    try {
      assert.equal(await append(env, "k1", "a"), "a");
      other.counts.foreignWrites = 2; // the other writer wins the append and its retry
      await rejectsWith(append(env, "k1", "b"), status.ABORTED, /^another writer persisted events of entity k1 first/);
      assert.equal(other.counts.conflicts, 2, "one retry, then the client hears of it");
      assert.equal(await append(env, "k1", "c"), "aXXc");
    } finally {
      await env.close();
      await uf.close();
    }
  });

  it("with the freshness check, recovers a cached entity another writer moved on before the command runs: no conflict", async () => {
    const uf = await startRawUserFunction();
    const other = journalWithAnotherWriter();
    const env = await startBackendUnderTest(uf.target, { journal: other.journal, entity: { freshnessCheck: true } });
    try {
      assert.equal(await append(env, "k1", "a"), "a");
      await other.foreignWrite("k1");
      assert.equal(await append(env, "k1", "b"), "aXb");
      assert.equal(other.counts.conflicts, 0, "the stale entity was recovered before its append");
      assert.equal(uf.streams.length, 2);
      assert.equal(await append(env, "k1", "c"), "aXbc");
      assert.equal(uf.streams.length, 2, "a fresh entity keeps its stream");
    } finally {
      await env.close();
      await uf.close();
    }
  });

  it("does not fail the call when the snapshot write fails", async () => {
    const uf = await startRawUserFunction();
    const store = createInMemorySnapshotStore();
    const failingSaves: SnapshotStore = {
      save: async (_entity: EntityRef, _snapshot: StoredSnapshot) => {
        throw StorageError.unavailable("snapshot store down");
      },
      latest: (entity, max) => store.latest(entity, max),
      close: () => store.close(),
    };
    const env = await startBackendUnderTest(uf.target, { snapshotStore: failingSaves });
    try {
      assert.equal(await append(env, "n1", "a+b+c"), "abc");
      assert.equal((await env.events("n1")).length, 3);
    } finally {
      await env.close();
      await uf.close();
    }
  });
});

describe("limits and cancellation", () => {
  it("refuses a burst beyond the entity's queue with RESOURCE_EXHAUSTED", async () => {
    const uf = await startRawUserFunction();
    const held: Array<() => void> = [];
    uf.misbehave = (context) => {
      // Hold every reply until released, so commands pile up behind the first.
      held.push(() => context.send({ case: "reply", commandId: context.command.id, payload: undefined, events: [], snapshot: undefined }));
      return "handled";
    };
    const env = await startBackendUnderTest(uf.target, { entity: { queueCapacity: 2 } });
    try {
      let refused = 0;
      const calls = Array.from({ length: 4 }, () =>
        callUnary(env.client, pathOf("Append"), appendRequest("q1", "")).then(
          () => "ok",
          (error: ServiceError) => {
            refused++;
            return status[error.code];
          },
        ),
      );
      // One in flight, two queued, the fourth refused; only then let the replies through.
      await eventually(() => refused === 1, 5_000, "a refused call");
      for (let answered = 0; answered < 3; answered++) {
        await eventually(() => held.length > 0, 5_000, "a command at the user function");
        held.shift()!();
      }
      assert.deepEqual((await Promise.all(calls)).sort(), ["RESOURCE_EXHAUSTED", "ok", "ok", "ok"]);
    } finally {
      await env.close();
      await uf.close();
    }
  });

  it("completes a command whose client gave up, without corrupting the entity", async () => {
    const uf = await startRawUserFunction();
    let release: (() => void) | undefined;
    uf.misbehave = (context) => {
      if (context.command.id !== 1) return "normal";
      release = () =>
        context.send({
          case: "reply",
          commandId: 1,
          payload: undefined,
          events: [{ typeUrl: eventTypeUrl, value: text.encode("slow") }],
          snapshot: undefined,
        });
      return "handled";
    };
    const env = await startBackendUnderTest(uf.target);
    try {
      await rejectsWith(
        callUnary(env.client, pathOf("Append"), appendRequest("g1", "ignored"), { deadline: Date.now() + 100 }),
        status.DEADLINE_EXCEEDED,
      );
      await eventually(() => release !== undefined, 5_000, "command at the user function");
      release!();
      // The slow command's event is persisted and the entity carries on from it.
      assert.deepEqual(await callUnary(env.client, pathOf("Append"), appendRequest("g1", "x")).then(decodeState), "x");
      assert.deepEqual(
        (await env.events("g1")).map((e) => Buffer.from(e.payload.value).toString()),
        ["slow", "x"],
      );
    } finally {
      await env.close();
      await uf.close();
    }
  });
});

describe("startup and shutdown", () => {
  it("listens first and serves the user service once the user function answers ready()", async () => {
    // Find a free port for the user function, then start the backend before it.
    const probe = await startRawUserFunction();
    const port = probe.port;
    await probe.close();
    const { createBackend } = await import("./backend.js");
    const { silentLogger } = await import("./logger.js");
    const journal = createInMemoryJournal();
    const snapshotStore = createInMemorySnapshotStore();
    const backend = createBackend(
      { port: 0, userFunction: `127.0.0.1:${port}` },
      { journal, snapshotStore, logger: silentLogger, operations: createOperationalSurface({ addReflection }) },
    );
    let uf: RawUserFunction | undefined;
    let health: Client | undefined;
    try {
      const address = await backend.start();
      assert.ok(address.port > 0);
      health = new HealthClient(address.target, credentials.createInsecure());
      let served = false;
      void backend.serving.then(() => (served = true));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(served, false);
      assert.equal(await checkHealth(health, ""), "NOT_SERVING");
      await rejectsWith(callUnary(health, pathOf("Append"), appendRequest("h1", "x")), status.UNIMPLEMENTED);
      uf = await startRawUserFunction(port);
      const service = await backend.serving;
      assert.equal(service.name, "test.backend.Things");
      assert.equal(await checkHealth(health, ""), "SERVING");
      assert.equal(await checkHealth(health, "test.backend.Things"), "SERVING");
      assert.equal(decodeState(await callUnary(health, pathOf("Append"), appendRequest("h1", "x"))), "x");
      // Server reflection: ServerReflectionRequest { list_services = 7: "" } lists the user's service.
      const reflection = await callBidi(health, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", [
        Uint8Array.of(0x3a, 0x00),
      ]);
      assert.equal(reflection.error, undefined);
      assert.match(Buffer.concat(reflection.replies).toString("latin1"), /test\.backend\.Things/);
    } finally {
      health?.close();
      await backend.stop();
      await uf?.close();
    }
  });

  it("stops within its grace period even when a call never finishes, cancelling the entity's stream", async () => {
    const uf = await startRawUserFunction();
    uf.misbehave = () => "handled"; // never answers
    const journal = createInMemoryJournal();
    const snapshotStore = createInMemorySnapshotStore();
    const { createBackend } = await import("./backend.js");
    const { silentLogger } = await import("./logger.js");
    const backend = createBackend(
      { port: 0, userFunction: uf.target, shutdownGraceMs: 200 },
      { journal, snapshotStore, logger: silentLogger },
    );
    const address = await backend.start();
    await backend.serving;
    const client = new Client(address.target, credentials.createInsecure());
    try {
      const stuck = callUnary(client, pathOf("Append"), appendRequest("stuck", "x")).then(
        () => "answered",
        (error: ServiceError) => status[error.code],
      );
      await eventually(() => uf.streams.length === 1 && uf.streams[0]!.received.length === 2, 5_000, "the command sent");
      await backend.stop();
      assert.notEqual(await stuck, "answered");
      await eventually(() => uf.streams[0]!.cancelled, 5_000, "the entity stream cancelled");
    } finally {
      client.close();
      await uf.close();
    }
  });

  it("drains a call in flight on stop and completes every entity stream", async () => {
    const uf = await startRawUserFunction();
    let release: (() => void) | undefined;
    uf.misbehave = (context) => {
      if (context.command.entityId !== "d1") return "normal";
      release = () =>
        context.send({
          case: "reply",
          commandId: context.command.id,
          payload: undefined,
          events: [{ typeUrl: eventTypeUrl, value: text.encode("late") }],
          snapshot: undefined,
        });
      return "handled";
    };
    const env = await startBackendUnderTest(uf.target);
    try {
      assert.equal(await append(env, "d2", "idle"), "idle");
      const inFlight = callUnary(env.client, pathOf("Append"), appendRequest("d1", "x"));
      await eventually(() => release !== undefined, 5_000, "command at the user function");
      const stopped = env.backend.stop();
      await new Promise((r) => setTimeout(r, 50));
      release!();
      await inFlight;
      await stopped;
      assert.ok(uf.streams.every((s) => s.completedByBackend && !s.cancelled));
      assert.equal((await env.events("d1")).length, 1);
    } finally {
      await env.close();
      await uf.close();
    }
  });
});
