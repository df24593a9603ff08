import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Client, credentials, status, type ServiceError } from "@grpc/grpc-js";
import { backendOptionsFrom, createBackend } from "./backend.js";
import { parseBackendConfig } from "./config/index.js";
import { silentLogger } from "./logger.js";
import { createInMemorySnapshotStore } from "./persistence/in-memory-snapshot-store.js";
import { createInMemoryJournal } from "./persistence/in-memory-journal.js";
import type { Journal } from "./persistence/journal.js";
import {
  appendRequest,
  callUnary,
  capturingLogger,
  eventually,
  pathOf,
  startBackendUnderTest,
  thingRef,
  type BackendUnderTest,
} from "./server/testing/backend-harness.js";
import { decodeState, eventTypeUrl, startRawUserFunction, type RawUserFunction } from "./server/testing/raw-user-function.js";

// What a hostile or careless client meets: limits refused before any work, short permanent errors,
// and a connection that goes on serving; and queued calls whose client has gone never reach the user function.

const text = new TextEncoder();
const identity = (bytes: Buffer): Buffer => bytes;

async function failure(promise: Promise<unknown>): Promise<ServiceError> {
  return promise.then(
    () => assert.fail("expected the call to fail"),
    (error: ServiceError) => error,
  );
}

/** The in-memory journal, counting every call the backend makes on it. */
function countingJournal(): { journal: Journal; calls: () => number } {
  const inner = createInMemoryJournal();
  let calls = 0;
  return {
    calls: () => calls,
    journal: {
      append: (entity, expected, events) => (calls++, inner.append(entity, expected, events)),
      replay: (entity, range) => (calls++, inner.replay(entity, range)),
      highestSequenceNumber: (entity) => (calls++, inner.highestSequenceNumber(entity)),
      close: () => inner.close(),
    },
  };
}

describe("limits on what one call may cost", () => {
  let uf: RawUserFunction;
  let env: BackendUnderTest;
  const counted = countingJournal();

  before(async () => {
    uf = await startRawUserFunction();
    // The defaults: 4 MiB requests, 16 MiB link messages, 4 KiB keys, 200 echoed characters.
    env = await startBackendUnderTest(uf.target, { journal: counted.journal });
  });
  after(async () => {
    await env.close();
    await uf.close();
  });

  it("refuses a 100 KiB key INVALID_ARGUMENT, briefly, before any journal or user-function work; the connection serves on", async () => {
    const journalCalls = counted.calls();
    const streams = uf.streams.length;
    const error = await failure(callUnary(env.client, pathOf("Append"), appendRequest("k".repeat(100 * 1024), "x")));
    assert.equal(status[error.code], "INVALID_ARGUMENT", `status (details: ${error.details.slice(0, 300)})`);
    assert.equal(error.details, "the entity key is 102400 bytes, over the limit of 4096");
    assert.equal(counted.calls(), journalCalls, "no journal call for the refused key");
    assert.equal(uf.streams.length, streams, "no stream to the user function for the refused key");
    assert.equal(await callUnary(env.client, pathOf("Append"), appendRequest("after-key", "ok")).then(decodeState), "ok");
  });

  it("takes a key at the limit", async () => {
    assert.equal(await callUnary(env.client, pathOf("Append"), appendRequest("k".repeat(4096), "y")).then(decodeState), "y");
  });

  it("refuses a 100 MiB request RESOURCE_EXHAUSTED, briefly; the same connection then serves a normal call", async () => {
    // A request whose key is fine, padded with a field the descriptor does not know.
    const request = Buffer.concat([
      Buffer.from(appendRequest("big-request", "")),
      Buffer.from([0x7a]),
      varint(100 * 1024 * 1024),
      Buffer.alloc(100 * 1024 * 1024),
    ]);
    const error = await failure(callUnary(env.client, pathOf("Append"), request));
    assert.equal(status[error.code], "RESOURCE_EXHAUSTED", `status (details: ${error.details.slice(0, 300)})`);
    assert.ok(error.details.length < 200, `a short message, got ${error.details.length} characters: ${error.details.slice(0, 300)}`);
    assert.ok(
      !uf.streams.some((s) => s.received[0]?.case === "init" && s.received[0].entityId === "big-request"),
      "never reached an entity",
    );
    assert.equal(await callUnary(env.client, pathOf("Append"), appendRequest("after-request", "ok")).then(decodeState), "ok");
  });
});

describe("limits from the command line", () => {
  it("reach the backend: --max-key-length and --max-echoed-text-length as parsed, through backendOptionsFrom", async () => {
    const uf = await startRawUserFunction();
    const parsed = parseBackendConfig(["--port", "0", "--user-function", uf.target, "--max-key-length", "10B"], {});
    assert.equal(parsed.kind, "config");
    if (parsed.kind !== "config") return;
    const options = backendOptionsFrom(parsed.config);
    const backend = createBackend(options, {
      journal: createInMemoryJournal(),
      snapshotStore: createInMemorySnapshotStore(),
      logger: silentLogger,
    });
    const address = await backend.start();
    await backend.serving;
    const client = new Client(address.target, credentials.createInsecure());
    try {
      const error = await failure(callUnary(client, pathOf("Append"), appendRequest("k".repeat(11), "x")));
      assert.equal(error.details, "the entity key is 11 bytes, over the limit of 10");
      assert.equal(await callUnary(client, pathOf("Append"), appendRequest("k".repeat(10), "x")).then(decodeState), "x");
    } finally {
      client.close();
      await backend.stop();
      await uf.close();
    }
  });
});

describe("the user-function link's message limit", () => {
  it("fails a command whose reply is over the limit RESOURCE_EXHAUSTED, not UNAVAILABLE, and the entity recovers", async () => {
    const uf = await startRawUserFunction();
    uf.misbehave = (context) => {
      if (
        !Buffer.from(context.command.payload?.value ?? [])
          .toString()
          .includes("huge")
      )
        return "normal";
      context.send({
        case: "reply",
        commandId: context.command.id,
        payload: undefined,
        events: [{ typeUrl: eventTypeUrl, value: new Uint8Array(300 * 1024) }],
        snapshot: undefined,
      });
      return "handled";
    };
    const env = await startBackendUnderTest(uf.target, { limits: { maxRequestBytes: 64 * 1024, maxUserFunctionMessageBytes: 256 * 1024 } });
    try {
      assert.equal(await callUnary(env.client, pathOf("Append"), appendRequest("l1", "a")).then(decodeState), "a");
      const error = await failure(callUnary(env.client, pathOf("Append"), appendRequest("l1", "huge")));
      assert.equal(status[error.code], "RESOURCE_EXHAUSTED", `status (details: ${error.details})`);
      assert.match(error.details, /^a message for entity l1 exceeds the user-function link's size limit \(error id [0-9a-f]{12}\)$/);
      assert.deepEqual(
        (await env.events("l1")).map((e) => Buffer.from(e.payload.value).toString()),
        ["a"],
        "nothing persisted",
      );
      assert.equal(await callUnary(env.client, pathOf("Append"), appendRequest("l1", "b")).then(decodeState), "ab");
    } finally {
      await env.close();
      await uf.close();
    }
  });
});

describe("a history with a message over the link's limit", () => {
  it("fails the call RESOURCE_EXHAUSTED, a permanent code, not UNAVAILABLE", async () => {
    const uf = await startRawUserFunction();
    const env = await startBackendUnderTest(uf.target, { limits: { maxRequestBytes: 64 * 1024, maxUserFunctionMessageBytes: 256 * 1024 } });
    try {
      // An event stored while the limit was higher.
      await env.journal.append(thingRef("h1"), 0, [{ typeUrl: eventTypeUrl, value: new Uint8Array(300 * 1024) }]);
      const error = await failure(callUnary(env.client, pathOf("Append"), appendRequest("h1", "a")));
      assert.equal(status[error.code], "RESOURCE_EXHAUSTED", `status (details: ${error.details})`);
      assert.match(error.details, /^a message for entity h1 exceeds the user-function link's size limit \(error id [0-9a-f]{12}\)$/);
    } finally {
      await env.close();
      await uf.close();
    }
  });
});

describe("client-facing error messages", () => {
  it("quote a long entity id cut to the echo limit with …", async () => {
    const uf = await startRawUserFunction();
    // A queue of 0: the first call of an entity runs, any other is refused at once, quoting the id.
    const env = await startBackendUnderTest(uf.target, { entity: { queueCapacity: 0 }, limits: { maxEchoedTextLength: 10 } });
    try {
      const id = "e".repeat(3000);
      await callUnary(env.client, pathOf("Append"), appendRequest(id, "a"));
      const error = await failure(callUnary(env.client, pathOf("Append"), appendRequest(id, "b")));
      assert.equal(status[error.code], "RESOURCE_EXHAUSTED");
      assert.equal(error.details, "entity eeeeeeeeee… has 0 commands waiting (the limit)");
    } finally {
      await env.close();
      await uf.close();
    }
  });

  it("carry no file path or address from a store's error; the log has them under the error id the client got", async () => {
    const uf = await startRawUserFunction();
    const log = capturingLogger();
    const broken = createInMemoryJournal();
    const journal: Journal = {
      ...broken,
      replay: broken.replay.bind(broken),
      highestSequenceNumber: broken.highestSequenceNumber.bind(broken),
      close: broken.close.bind(broken),
      // A store failing with a message that names an address and a path.
      append: () => Promise.reject(new Error("connect ECONNREFUSED 10.1.2.3:9042 at /srv/app/node_modules/x.js:1:2")),
    };
    const env = await startBackendUnderTest(uf.target, { journal, logger: log.logger });
    try {
      const error = await failure(callUnary(env.client, pathOf("Append"), appendRequest("b1", "x")));
      assert.equal(status[error.code], "UNAVAILABLE");
      assert.match(error.details, /^journal write failed for entity b1 \(error id ([0-9a-f]{12})\)$/);
      const errorId = /error id ([0-9a-f]{12})/.exec(error.details)?.[1];
      const logged = log.entries.find((e) => e.message === "call failed" && e.fields["errorId"] === errorId);
      assert.ok(logged, `the log has error id ${errorId}`);
      assert.match(String(logged.fields["detail"]), /10\.1\.2\.3:9042/);
    } finally {
      await env.close();
      await uf.close();
    }
  });
});

describe("a queued call whose client has gone", () => {
  it("is taken out of the queue and never reaches the user function (cancelled, or its deadline passed)", async () => {
    const uf = await startRawUserFunction();
    let release: (() => void) | undefined;
    uf.misbehave = (context) => {
      // Hold the first command, so the others queue behind it.
      if (context.command.id !== 1) return "normal";
      release = () =>
        context.send({
          case: "reply",
          commandId: 1,
          payload: undefined,
          events: [{ typeUrl: eventTypeUrl, value: text.encode("first") }],
          snapshot: undefined,
        });
      return "handled";
    };
    const log = capturingLogger();
    const env = await startBackendUnderTest(uf.target, { entity: { queueCapacity: 3 }, logger: log.logger });
    const dropped = () => log.entries.filter((e) => e.message === "dropped a queued command: its client has gone").length;
    const commandsSeen = () => uf.streams.flatMap((s) => s.received).filter((m) => m.case === "command").length;
    try {
      const first = callUnary(env.client, pathOf("Append"), appendRequest("c1", "held"));
      await eventually(() => release !== undefined, 5_000, "the first command at the user function");
      // Three calls fill the queue; a fourth is refused, which shows the three are queued.
      const settled: Array<Promise<string>> = [];
      const cancellable: Array<{ cancel(): void }> = [];
      for (let i = 0; i < 2; i++) {
        settled.push(
          new Promise((resolve) => {
            cancellable.push(
              env.client.makeUnaryRequest(
                pathOf("Append"),
                identity,
                identity,
                Buffer.from(appendRequest("c1", `cancelled${i}`)),
                {},
                (error) => resolve(error ? status[error.code] : "ok"),
              ),
            );
          }),
        );
      }
      settled.push(
        callUnary(env.client, pathOf("Append"), appendRequest("c1", "expired"), { deadline: Date.now() + 300 }).then(
          () => "ok",
          (error: ServiceError) => status[error.code],
        ),
      );
      const probe = await failure(callUnary(env.client, pathOf("Append"), appendRequest("c1", "probe"), { deadline: Date.now() + 5_000 }));
      assert.equal(status[probe.code], "RESOURCE_EXHAUSTED", "a fourth call is refused: three are queued");
      for (const call of cancellable) call.cancel();
      await eventually(() => dropped() === 3, 5_000, "three queued commands dropped");
      // Their places are free again: a new call queues instead of being refused.
      const later = callUnary(env.client, pathOf("Append"), appendRequest("c1", "later"));
      release!();
      await first;
      assert.equal(await later.then(decodeState), "later");
      assert.deepEqual((await Promise.all(settled)).sort(), ["CANCELLED", "CANCELLED", "DEADLINE_EXCEEDED"]);
      assert.equal(commandsSeen(), 2, "the user function saw the held command and the later one only");
      assert.deepEqual(
        (await env.events("c1")).map((e) => Buffer.from(e.payload.value).toString()),
        ["first", "later"],
      );
    } finally {
      await env.close();
      await uf.close();
    }
  });
});

describe("a bidirectional call cancelled with commands queued", () => {
  it("takes its queued commands out: they never reach the user function", async () => {
    const uf = await startRawUserFunction();
    let release: (() => void) | undefined;
    uf.misbehave = (context) => {
      if (context.command.id !== 1) return "normal";
      release = () => context.send({ case: "reply", commandId: 1, payload: undefined, events: [], snapshot: undefined });
      return "handled";
    };
    const log = capturingLogger();
    const env = await startBackendUnderTest(uf.target, { entity: { queueCapacity: 3 }, logger: log.logger });
    const dropped = () => log.entries.filter((e) => e.message === "dropped a queued command: its client has gone").length;
    try {
      const call = env.client.makeBidiStreamRequest(pathOf("AppendStream"), identity, identity);
      const ended = new Promise<string>((resolve) => {
        call.on("error", (error: ServiceError) => resolve(status[error.code]));
        call.on("end", () => resolve("ended"));
      });
      call.on("data", () => {});
      for (const value of ["held", "q1", "q2", "q3"]) call.write(Buffer.from(appendRequest("bidi1", value)));
      await eventually(() => release !== undefined, 5_000, "the first command at the user function");
      // With a queue of 3, a probe is refused once the stream's three are queued; a probe that queued
      // instead is dropped when its deadline passes (and counted), never reaching the user function.
      let probesDropped = 0;
      await eventually(
        async () => {
          const probe = await failure(
            callUnary(env.client, pathOf("Append"), appendRequest("bidi1", "probe"), { deadline: Date.now() + 200 }),
          );
          if (probe.code === status.DEADLINE_EXCEEDED) probesDropped++;
          return probe.code === status.RESOURCE_EXHAUSTED;
        },
        5_000,
        "the stream's three commands queued",
      );
      call.cancel();
      assert.equal(await ended, "CANCELLED");
      await eventually(() => dropped() === 3 + probesDropped, 5_000, "the stream's three queued commands dropped");
      release!();
      assert.equal(await callUnary(env.client, pathOf("Append"), appendRequest("bidi1", "after")).then(decodeState), "after");
      const commands = uf.streams.flatMap((s) => s.received).filter((m) => m.case === "command").length;
      assert.equal(commands, 2, "the user function saw the held command and the later one only");
    } finally {
      await env.close();
      await uf.close();
    }
  });
});

function varint(n: number): Buffer {
  const bytes: number[] = [];
  while (n > 0x7f) {
    bytes.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}
