import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { status, type ServiceError } from "@grpc/grpc-js";
import type { StreamOut } from "../protocol/index.js";
import {
  appendRequest,
  callUnary,
  eventually,
  pathOf,
  startBackendUnderTest,
  type BackendUnderTest,
} from "./server/testing/backend-harness.js";
import {
  decodeState,
  eventTypeUrl,
  startRawUserFunction,
  type CommandContext,
  type RawUserFunction,
} from "./server/testing/raw-user-function.js";

// A user function that breaks the protocol on purpose: what the backend answers, and that the next call recovers.

const text = new TextEncoder();
const relayTimeoutMs = 300;

async function outcome(promise: Promise<Buffer>): Promise<string> {
  return promise.then(
    (reply) => `ok ${decodeState(reply)}`,
    // The error id differs per call; that it is there, and in the log, is tested in limits-and-errors.test.ts.
    (error: ServiceError) => `${status[error.code]} ${error.details.replace(/ \(error id [0-9a-f]{12}\)$/, "")}`,
  );
}

describe("a misbehaving user function", () => {
  let uf: RawUserFunction;
  let env: BackendUnderTest;
  let entityCounter = 0;
  let id: string;

  before(async () => {
    uf = await startRawUserFunction();
    env = await startBackendUnderTest(uf.target, { entity: { relayTimeoutMs } });
  });
  after(async () => {
    await env.close();
    await uf.close();
  });
  beforeEach(() => {
    uf.misbehave = undefined;
    id = `m${++entityCounter}`;
  });

  const append = (value: string) => outcome(callUnary(env.client, pathOf("Append"), appendRequest(id, value)));
  const streamsOf = () => uf.streams.filter((s) => s.received[0]?.case === "init" && s.received[0].entityId === id);

  /** Misbehaves once, on the first command carrying `value`, after a short pause so later calls queue behind it. */
  function onceOn(value: string, act: (context: CommandContext) => void): void {
    let done = false;
    uf.misbehave = (context) => {
      if (
        done ||
        !Buffer.from(context.command.payload?.value ?? [])
          .toString()
          .includes(value)
      )
        return "normal";
      done = true;
      setTimeout(() => act(context), 100);
      return "handled";
    };
  }

  /** After the failure, the entity recovers on a fresh stream from what was persisted. */
  async function assertRecovers(expectedState: string): Promise<void> {
    assert.equal(await append("z"), `ok ${expectedState}z`);
    const latest = streamsOf().at(-1)!;
    const commands = latest.received.filter((m) => m.case === "command");
    assert.equal(commands[0]?.id, 1, "command ids restart at 1 on the new stream");
    assert.equal(latest.received[0]?.case, "init");
  }

  const reply = (commandId: number, fields: Partial<Extract<StreamOut, { case: "reply" }>> = {}): StreamOut => ({
    case: "reply",
    commandId,
    payload: undefined,
    events: [],
    snapshot: undefined,
    ...fields,
  });

  it("a reply with a wrong command id: INTERNAL for the call, UNAVAILABLE for the queued one", async () => {
    assert.equal(await append("a"), "ok a");
    onceOn("bad", (c) => c.send(reply(c.command.id + 5, { events: [{ typeUrl: eventTypeUrl, value: text.encode("!") }] })));
    const [bad, queued] = await Promise.all([append("bad"), append("q")]);
    assert.match(bad, /^INTERNAL protocol violation by the user function: a Reply to command 7 while command 2 is pending$/);
    assert.match(queued, /^UNAVAILABLE entity m1 restarted after a protocol violation/);
    assert.deepEqual(
      (await env.events(id)).map((e) => Buffer.from(e.payload.value).toString()),
      ["a"],
    );
    await eventually(() => streamsOf()[0]!.cancelled, 5_000, "the broken stream cancelled");
    await assertRecovers("a");
    assert.equal(streamsOf().length, 2);
  });

  it("no reply at all: DEADLINE_EXCEEDED at the relay timeout, then the entity restarts", async () => {
    assert.equal(await append("a"), "ok a");
    uf.misbehave = (context) =>
      Buffer.from(context.command.payload?.value ?? [])
        .toString()
        .includes("silent")
        ? "handled"
        : "normal";
    assert.equal(await append("silent"), `DEADLINE_EXCEEDED no reply from the user function within ${relayTimeoutMs} ms`);
    uf.misbehave = undefined;
    await assertRecovers("a");
  });

  it("no reply to a command sent after the previous command's relay period ran out: DEADLINE_EXCEEDED still", async () => {
    assert.equal(await append("a"), "ok a");
    // The session keeps its relay timer across commands (refreshed, not made anew). This waits out the
    // period "a" started it with (a timer of the same process set later for longer fires after that
    // one), so the timer has run out before the next command starts it again.
    await new Promise((resolve) => setTimeout(resolve, relayTimeoutMs + 50));
    uf.misbehave = (context) =>
      Buffer.from(context.command.payload?.value ?? [])
        .toString()
        .includes("silent")
        ? "handled"
        : "normal";
    const silent = outcome(callUnary(env.client, pathOf("Append"), appendRequest(id, "silent"), { deadline: Date.now() + 5_000 }));
    assert.equal(await silent, `DEADLINE_EXCEEDED no reply from the user function within ${relayTimeoutMs} ms`);
    uf.misbehave = undefined;
    await assertRecovers("a");
  });

  it("the stream ended mid-command: UNAVAILABLE for the pending and queued calls", async () => {
    assert.equal(await append("a"), "ok a");
    onceOn("quit", (c) => c.end());
    const [pending, queued] = await Promise.all([append("quit"), append("q")]);
    assert.equal(pending, "UNAVAILABLE the user function completed the stream");
    assert.equal(queued, "UNAVAILABLE the user function completed the stream");
    await assertRecovers("a");
  });

  it("a snapshot without events: INTERNAL, nothing stored", async () => {
    assert.equal(await append("a"), "ok a");
    onceOn("snap", (c) => c.send(reply(c.command.id, { snapshot: { typeUrl: "type.googleapis.com/x.State", value: text.encode("zzz") } })));
    assert.equal(
      await append("snap"),
      "INTERNAL protocol violation by the user function: a Reply to command 2 with a snapshot but no events",
    );
    assert.equal(await env.snapshotStore.latest({ persistenceId: env.service.persistenceId, entityId: id as never }), undefined);
    await assertRecovers("a");
  });

  it("a Failure with command id 0: INTERNAL", async () => {
    onceOn("zero", (c) => c.send({ case: "failure", commandId: 0, description: "whole entity broken" }));
    assert.equal(await append("zero"), "INTERNAL protocol violation by the user function: a Failure with command id 0");
    await assertRecovers("");
  });

  it("a message with no oneof case: INTERNAL", async () => {
    onceOn("empty", (c) => c.send({ case: undefined }));
    assert.equal(await append("empty"), "INTERNAL protocol violation by the user function: a message with no oneof case set");
    await assertRecovers("");
  });

  it("bytes that do not decode as an EntityStreamOut: INTERNAL, like every other protocol violation", async () => {
    // Field 1 (reply) as a length-delimited field of length 5 with only 1 byte left: not protobuf.
    onceOn("garbage", (c) => c.sendBytes(Uint8Array.from([0x0a, 0x05, 0xff])));
    assert.equal(
      await append("garbage"),
      "INTERNAL protocol violation by the user function: a message that does not decode as an EntityStreamOut",
    );
    await assertRecovers("");
  });

  it("a second reply with nothing pending: the first call succeeds, the entity restarts", async () => {
    onceOn("twice", (c) => {
      c.send(reply(c.command.id, { events: [{ typeUrl: eventTypeUrl, value: text.encode("t") }] }));
      c.send(reply(c.command.id));
    });
    assert.equal(await append("twice"), "ok ");
    await eventually(() => streamsOf()[0]!.cancelled, 5_000, "the broken stream cancelled");
    await assertRecovers("t");
  });

  it("the stream failing with an error status: UNAVAILABLE, then recovery", async () => {
    assert.equal(await append("a"), "ok a");
    uf.misbehave = (context) => {
      if (
        !Buffer.from(context.command.payload?.value ?? [])
          .toString()
          .includes("crash")
      )
        return "normal";
      // The user function's side of the stream errors out, as a library does on a broken stream.
      context.fail("handler crashed");
      return "handled";
    };
    // The stream's status text stays in the log (it may name hosts); the client learns what failed.
    assert.equal(await append("crash"), "UNAVAILABLE the stream to the user function failed");
    uf.misbehave = undefined;
    await assertRecovers("a");
  });
});
