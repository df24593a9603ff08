import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import {
  type AnyPayload,
  createEntityClient,
  type EntityClient,
  loadProtos,
  readyOf,
  type StreamIn,
  type StreamOut,
  typeUrlOf,
} from "../../reference/protocol/index.js";
import { createEntitySession, type EntitySession, type RunningUserFunction } from "../../reference/support/index.js";
import { createModelEntity, startModelEntity } from "./index.js";

// Payloads are built with protobufjs directly, not through the library under test.
const model = "lightbend.serverless.tck.model";
const root = loadProtos(["tck/model.proto"]);

function any(typeName: string, value: Record<string, unknown>): AnyPayload {
  const type = root.lookupType(typeName);
  const bytes = type.encode(type.fromObject(value)).finish();
  return { typeUrl: typeUrlOf(typeName), value: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

type Action = { emit: string } | { fail: string } | { respond: string } | { throw: string } | "nothing";
const actionObject = (a: Action) =>
  a === "nothing"
    ? {}
    : "emit" in a
      ? { emit: { value: a.emit } }
      : "fail" in a
        ? { fail: { description: a.fail } }
        : "respond" in a
          ? { respond: { message: a.respond } }
          : { throw: { message: a.throw } };

const appended = (value: string) => any(`${model}.Appended`, { value });
const stateOf = (value: string) => any(`${model}.State`, { value });
const init = (snapshot?: { sequence: number; state: string }): StreamIn => ({
  case: "init",
  entityId: "m1",
  snapshot: snapshot ? { sequence: snapshot.sequence, payload: stateOf(snapshot.state) } : undefined,
});
const event = (sequence: number, value: string): StreamIn => ({ case: "event", sequence, payload: appended(value) });
const command = (id: number, actions: Action[], name = "Process"): StreamIn => {
  const composite = name === "ProcessComposite";
  const request = composite
    ? { part_a: "m", part_b: 1, part_c: true, part_d: "KIND_ONE", actions: actions.map(actionObject) }
    : { id: "m1", actions: actions.map(actionObject) };
  return { case: "command", entityId: "m1", id, name, payload: any(`${model}.${composite ? "CompositeRequest" : "Request"}`, request) };
};
const reply = (commandId: number, state: string, events: string[] = [], opts: { message?: string; snapshot?: string } = {}): StreamOut => ({
  case: "reply",
  commandId,
  payload: any(`${model}.Response`, { state, message: opts.message ?? "" }),
  events: events.map(appended),
  snapshot: opts.snapshot === undefined ? undefined : stateOf(opts.snapshot),
});
const failure = (commandId: number, description: string): StreamOut => ({ case: "failure", commandId, description });

async function transcript(session: EntitySession, inbound: StreamIn[]): Promise<StreamOut[]> {
  const out: StreamOut[] = [];
  for (const message of inbound) {
    const step = await session.receive(message);
    if (step.kind === "violation") throw step.violation;
    out.push(...step.send);
  }
  return out;
}

const session = (snapshotEvery?: number) => createEntitySession(createModelEntity(snapshotEvery === undefined ? {} : { snapshotEvery }));

describe("TCK model entity", () => {
  it("starts from the empty string and appends emitted values in order", async () => {
    const out = await transcript(session(), [init(), command(1, []), command(2, [{ emit: "a" }, { emit: "b" }]), command(3, [])]);
    assert.deepEqual(out, [reply(1, ""), reply(2, "ab", ["a", "b"]), reply(3, "ab")]);
  });

  it("replies with the message of the last respond", async () => {
    const out = await transcript(session(), [init(), command(1, [{ respond: "x" }, { emit: "a" }, { respond: "y" }])]);
    assert.deepEqual(out, [reply(1, "a", ["a"], { message: "y" })]);
  });

  it("fails with exactly the description, discards earlier events, runs no later action", async () => {
    const out = await transcript(session(), [
      init(),
      command(1, [{ emit: "a" }]),
      command(2, [{ emit: "b" }, { fail: "exactly this" }, { emit: "c" }]),
      command(3, [{ respond: "after" }]),
    ]);
    assert.deepEqual(out, [reply(1, "a", ["a"]), failure(2, "exactly this"), reply(3, "a", [], { message: "after" })]);
  });

  it("answers a Failure when the handler throws, and carries on", async () => {
    const out = await transcript(session(), [init(), command(1, [{ emit: "a" }, { throw: "boom" }, { emit: "b" }]), command(2, [])]);
    assert.equal(out.length, 2);
    assert.ok(out[0]?.case === "failure" && out[0].commandId === 1);
    assert.match(out[0].description, /boom/);
    assert.deepEqual(out[1], reply(2, ""));
  });

  it("ignores an action with no case set", async () => {
    const out = await transcript(session(), [init(), command(1, ["nothing", { emit: "a" }])]);
    assert.deepEqual(out, [reply(1, "a", ["a"])]);
  });

  it("replies google.protobuf.Empty to ProcessEmpty, and runs the actions of every method", async () => {
    const out = await transcript(session(), [
      init(),
      command(1, [{ emit: "a" }], "ProcessEmpty"),
      command(2, [{ emit: "b" }], "ProcessComposite"),
      command(3, [{ emit: "c" }], "ProcessStream"),
    ]);
    const empty = { typeUrl: "type.googleapis.com/google.protobuf.Empty", value: new Uint8Array(0) };
    assert.deepEqual(out, [
      { case: "reply", commandId: 1, payload: empty, events: [appended("a")], snapshot: undefined },
      reply(2, "ab", ["b"]),
      reply(3, "abc", ["c"]),
    ]);
  });

  it("restores from a snapshot and replayed events", async () => {
    const out = await transcript(session(), [init({ sequence: 2, state: "xy" }), event(3, "z"), command(1, [])]);
    assert.deepEqual(out, [reply(1, "xyz")]);
  });

  it("snapshots every 5 events by default, on absolute sequence numbers", async () => {
    const out = await transcript(session(), [
      init({ sequence: 2, state: "xy" }),
      event(3, "z"),
      command(1, [{ emit: "1" }]), // 4
      command(2, [{ emit: "2" }, { emit: "3" }]), // 5, 6
      command(3, [{ emit: "4" }]), // 7
    ]);
    assert.deepEqual(out, [reply(1, "xyz1", ["1"]), reply(2, "xyz123", ["2", "3"], { snapshot: "xyz123" }), reply(3, "xyz1234", ["4"])]);
  });

  it("snapshots every N events when configured", async () => {
    const out = await transcript(session(2), [
      init(),
      command(1, [{ emit: "a" }]),
      command(2, [{ emit: "b" }]),
      command(3, [{ emit: "c" }]),
    ]);
    assert.deepEqual(out, [reply(1, "a", ["a"]), reply(2, "ab", ["b"], { snapshot: "ab" }), reply(3, "abc", ["c"])]);
  });
});

describe("startModelEntity", () => {
  let running: RunningUserFunction;
  let client: EntityClient;

  before(async () => {
    running = await startModelEntity({ host: "127.0.0.1", port: 0, snapshotEvery: 3 });
    client = createEntityClient(running.address);
  });

  after(async () => {
    client.close();
    await running.close();
  });

  it("answers ready() with the model service, persistence id tck-model and its descriptor", async () => {
    const spec = await readyOf(client, 5000);
    assert.equal(spec.serviceName, `${model}.ModelEntity`);
    assert.equal(spec.persistenceId, "tck-model");
    const file = fromBinary(FileDescriptorProtoSchema, spec.proto);
    assert.equal(file.name, "tck/model.proto");
    const stream = file.service[0]?.method.find((m) => m.name === "ProcessStream");
    assert.deepEqual([stream?.clientStreaming, stream?.serverStreaming], [true, true]);
    const composite = file.messageType.find((m) => m.name === "CompositeRequest");
    const keyed = composite?.field.filter((f) => f.options?.$unknown?.some((u) => u.no === 50002)).map((f) => f.name);
    assert.deepEqual(keyed, ["part_a", "part_b", "part_c", "part_d"]);
  });

  it("uses the configured snapshot interval over gRPC", async () => {
    const received = await new Promise<StreamOut[]>((resolve, reject) => {
      const out: StreamOut[] = [];
      const call = client.handle({ deadline: Date.now() + 5000 });
      call.on("data", (m: StreamOut) => out.push(m));
      call.on("error", reject);
      call.on("end", () => resolve(out));
      call.write(init());
      call.write(command(1, [{ emit: "a" }, { emit: "b" }, { emit: "c" }]));
      call.end();
    });
    assert.deepEqual(received, [reply(1, "abc", ["a", "b", "c"], { snapshot: "abc" })]);
  });
});
