// First, on purpose: the reflection service brings @grpc/proto-loader, which swaps in a camelCase
// descriptor.proto by path process-wide; the descriptors served must not depend on import order.
import "@grpc/reflection";
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import { typeUrlOf, type AnyPayload, type StreamOut } from "../../../../reference/protocol/index.js";
import { cartTypes, modelTypes, startInstrumentedUserFunction, subjectOf, type InstrumentedUserFunction } from "./index.js";
import { connectScriptedBackend, type ScriptedBackend } from "./test-backend-side.js";

const model = "lightbend.serverless.tck.model";
const encode = (name: string, value: Record<string, unknown>): AnyPayload => {
  const type = modelTypes().lookupType(`${model}.${name}`);
  return { typeUrl: typeUrlOf(`${model}.${name}`), value: type.encode(type.fromObject(value)).finish() };
};
const decode = (name: string, payload: AnyPayload | undefined) =>
  modelTypes()
    .lookupType(`${model}.${name}`)
    .toObject(modelTypes().lookupType(`${model}.${name}`).decode(payload!.value), { defaults: true });
const process = (id: string, ...values: string[]) => encode("Request", { id, actions: values.map((value) => ({ emit: { value } })) });
const reply = (m: StreamOut) => {
  assert.equal(m.case, "reply", `expected a reply, got ${JSON.stringify(m)}`);
  return m as Extract<StreamOut, { case: "reply" }>;
};

describe("instrumented user function", () => {
  const open: Array<{ uf: InstrumentedUserFunction; backend: ScriptedBackend }> = [];
  after(async () => {
    for (const { uf, backend } of open) {
      backend.close();
      await uf.close();
    }
  });
  const start = async (options: Parameters<typeof startInstrumentedUserFunction>[0] = {}) => {
    const uf = await startInstrumentedUserFunction(options);
    const backend = connectScriptedBackend(uf.address);
    open.push({ uf, backend });
    return { uf, backend };
  };

  it("serves a hand-written descriptor an independent decoder reads, entity_key options included", async () => {
    const { backend } = await start();
    const spec = await backend.ready();
    assert.equal(spec.serviceName, `${model}.ModelEntity`);
    assert.equal(spec.persistenceId, "tck-model");
    const file = fromBinary(FileDescriptorProtoSchema, spec.proto);
    assert.deepEqual(file.dependency, ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"]);
    assert.deepEqual(
      file.service[0]?.method.map((m) => m.name),
      ["Process", "ProcessEmpty", "ProcessComposite", "ProcessStream"],
    );
    assert.deepEqual(
      file.service[0]?.method.map((m) => [m.inputType, m.outputType, m.clientStreaming]),
      [
        [`.${model}.Request`, `.${model}.Response`, false],
        [`.${model}.Request`, ".google.protobuf.Empty", false],
        [`.${model}.CompositeRequest`, `.${model}.Response`, false],
        [`.${model}.Request`, `.${model}.Response`, true],
      ],
    );
    const keyFields = (message: string) =>
      file.messageType
        .find((m) => m.name === message)!
        .field.filter((f) => (f.options?.$unknown ?? []).some((u) => u.no === 50002 && u.data.length === 1 && u.data[0] === 1))
        .map((f) => f.name);
    assert.deepEqual(keyFields("Request"), ["id"]);
    assert.deepEqual(keyFields("CompositeRequest"), ["part_a", "part_b", "part_c", "part_d"]);
    assert.deepEqual(keyFields("Response"), []);
  });

  it("serves descriptor variants and malformed specs on demand", async () => {
    const { uf, backend } = await start();
    uf.serve(subjectOf("model-keys-out-of-order"));
    const reversed = fromBinary(FileDescriptorProtoSchema, (await backend.ready()).proto);
    assert.deepEqual(
      reversed.messageType.find((m) => m.name === "CompositeRequest")!.field.map((f) => f.number),
      [5, 4, 3, 2, 1],
    );
    uf.serve(subjectOf("model-partial-descriptor"));
    const partial = fromBinary(FileDescriptorProtoSchema, (await backend.ready()).proto);
    assert.deepEqual(
      partial.messageType.find((m) => m.name === "Request")!.field.map((f) => f.name),
      ["id"],
    );
    uf.serve(subjectOf("malformed-empty-persistence-id"));
    assert.equal((await backend.ready()).persistenceId, "");
    uf.serve(subjectOf("malformed-unparsable-descriptor"));
    assert.throws(() => fromBinary(FileDescriptorProtoSchema, subjectOf("malformed-unparsable-descriptor").spec.proto));
    uf.serve(subjectOf("model", { persistenceId: "a-b" }));
    assert.equal((await backend.ready()).persistenceId, "a-b");
    assert.equal(uf.traffic.readyCalls.length, 4);
  });

  it("replays, answers commands with their events, snapshots every 5 and records it all", async () => {
    const { uf, backend } = await start();
    const stream = backend.open();
    stream.send({ case: "init", entityId: "e1", snapshot: { sequence: 3, payload: encode("State", { value: "abc" }) } });
    stream.send({ case: "event", sequence: 4, payload: encode("Appended", { value: "d" }) });
    stream.send({ case: "command", entityId: "e1", id: 1, name: "Process", payload: process("e1", "e", "f") });
    const first = reply(await stream.next());
    assert.equal(first.commandId, 1);
    assert.deepEqual(decode("Response", first.payload), { state: "abcdef", message: "" });
    assert.deepEqual(
      first.events.map((e) => decode("Appended", e)["value"]),
      ["e", "f"],
    );
    // Events 5 and 6: 5 is a multiple of 5.
    assert.deepEqual(decode("State", first.snapshot), { value: "abcdef" });
    stream.send({ case: "command", entityId: "e1", id: 2, name: "ProcessEmpty", payload: process("e1", "g") });
    const second = reply(await stream.next());
    assert.equal(second.payload?.typeUrl, typeUrlOf("google.protobuf.Empty"));
    assert.equal(second.snapshot, undefined);
    stream.send({
      case: "command",
      entityId: "e1",
      id: 3,
      name: "Process",
      payload: encode("Request", { id: "e1", actions: [{ emit: { value: "x" } }, { fail: { description: "no" } }] }),
    });
    assert.deepEqual(await stream.next(), { case: "failure", commandId: 3, description: "no" });
    stream.complete();
    assert.equal(await stream.ended(), grpc.status.OK);
    const [recorded] = uf.traffic.streamsOf("e1");
    assert.equal(recorded?.received.length, 5);
    assert.equal(recorded?.backendCompleted, true);
    assert.deepEqual(uf.traffic.violations, []);
    assert.match(uf.traffic.transcript(["e1"]), /backend completed its side/);
  });

  it("flags what the backend gets wrong: a command before Init, a wrong payload type url", async () => {
    const { uf, backend } = await start();
    const early = backend.open();
    early.send({ case: "command", entityId: "e2", id: 1, name: "Process", payload: process("e2") });
    assert.equal(await early.ended(), grpc.status.FAILED_PRECONDITION);
    assert.deepEqual(
      uf.traffic.violations.map((v) => v.item),
      ["B1"],
    );
    const mislabelled = backend.open();
    mislabelled.send({ case: "init", entityId: "e3", snapshot: undefined });
    mislabelled.send({
      case: "command",
      entityId: "e3",
      id: 1,
      name: "Process",
      payload: { ...process("e3", "a"), typeUrl: "type.googleapis.com/x.Y" },
    });
    await mislabelled.next().catch(() => undefined);
    assert.deepEqual(
      uf.traffic.violations.map((v) => v.item),
      ["B1", "D5"],
    );
    mislabelled.cancel();
  });

  it("misbehaves on instruction, one command at a time", async () => {
    const { uf, backend } = await start();
    uf.instruct(
      "m1",
      { kind: "wrong-command-id" },
      { kind: "snapshot-without-events" },
      { kind: "reply-twice" },
      { kind: "failure-with-id-zero" },
      { kind: "empty-message" },
      { kind: "slow", delayMs: 50 },
      { kind: "never-answer" },
    );
    const stream = backend.open();
    stream.send({ case: "init", entityId: "m1", snapshot: undefined });
    const command = (id: number, ...values: string[]) =>
      stream.send({ case: "command", entityId: "m1", id, name: "Process", payload: process("m1", ...values) });
    command(1, "a");
    assert.equal(reply(await stream.next()).commandId, 1001);
    command(2, "b");
    const snapshotOnly = reply(await stream.next());
    assert.deepEqual([snapshotOnly.events.length, snapshotOnly.snapshot !== undefined], [0, true]);
    command(3);
    assert.equal(reply(await stream.next()).commandId, 3);
    assert.equal(reply(await stream.next()).commandId, 3);
    command(4);
    assert.deepEqual(await stream.next(), { case: "failure", commandId: 0, description: "instructed to answer with command id 0" });
    command(5);
    assert.deepEqual(await stream.next(), { case: undefined });
    command(6, "c");
    assert.equal(reply(await stream.next()).commandId, 6);
    command(7);
    await assert.rejects(stream.next(200), /timed out/);
    // Instructions used up: the next command is answered normally.
    command(8);
    assert.equal(reply(await stream.next()).commandId, 8);
    uf.instruct("m1", { kind: "large-events", bytes: 1024 * 1024 });
    command(9, "x");
    const large = reply(await stream.next());
    assert.equal(decode("Appended", large.events[0])["value"], "x" + "#".repeat(1024 * 1024));
    stream.cancel();
  });

  it("ends a stream mid-command, cleanly or with an error, on instruction", async () => {
    const { uf, backend } = await start();
    uf.instruct("m2", { kind: "end-stream" });
    uf.instruct("m3", { kind: "error-stream" });
    for (const [entityId, status] of [
      ["m2", grpc.status.OK],
      ["m3", grpc.status.FAILED_PRECONDITION],
    ] as const) {
      const stream = backend.open();
      stream.send({ case: "init", entityId, snapshot: undefined });
      stream.send({ case: "command", entityId, id: 1, name: "Process", payload: process(entityId, "a") });
      assert.equal(await stream.ended(), status);
    }
  });

  it("delays a wrong-id answer or a stream end when told, so calls can queue behind it", async () => {
    const { uf, backend } = await start();
    uf.instruct("m4", { kind: "wrong-command-id", afterMs: 150 });
    uf.instruct("m5", { kind: "end-stream", afterMs: 150 });
    const wrongId = backend.open();
    wrongId.send({ case: "init", entityId: "m4", snapshot: undefined });
    let started = performance.now();
    wrongId.send({ case: "command", entityId: "m4", id: 1, name: "Process", payload: process("m4", "a") });
    assert.equal(reply(await wrongId.next()).commandId, 1001);
    // A lower bound only: the delay happened at all (timers never fire early by more than a tick).
    assert.ok(performance.now() - started >= 140, "the wrong-id answer came after the delay");
    wrongId.cancel();
    const ending = backend.open();
    ending.send({ case: "init", entityId: "m5", snapshot: undefined });
    started = performance.now();
    ending.send({ case: "command", entityId: "m5", id: 1, name: "Process", payload: process("m5", "a") });
    assert.equal(await ending.ended(), grpc.status.OK);
    assert.ok(performance.now() - started >= 140, "the stream ended after the delay");
  });

  it("serves the shopping cart", async () => {
    const { backend } = await start({ subject: subjectOf("cart") });
    const spec = await backend.ready();
    assert.equal(spec.persistenceId, "shopping-cart");
    const cart = (name: string, value: Record<string, unknown>): AnyPayload => {
      const type = cartTypes().lookupType(`com.example.shoppingcart.${name}`);
      return { typeUrl: typeUrlOf(`com.example.shoppingcart.${name}`), value: type.encode(type.fromObject(value)).finish() };
    };
    const stream = backend.open();
    stream.send({ case: "init", entityId: "u1", snapshot: undefined });
    stream.send({
      case: "command",
      entityId: "u1",
      id: 1,
      name: "AddItem",
      payload: cart("AddLineItem", { user_id: "u1", product_id: "p1", name: "Eggs", quantity: 2 }),
    });
    assert.equal(reply(await stream.next()).events.length, 1);
    stream.send({
      case: "command",
      entityId: "u1",
      id: 2,
      name: "RemoveItem",
      payload: cart("RemoveLineItem", { user_id: "u1", product_id: "nope" }),
    });
    assert.equal((await stream.next()).case, "failure");
    stream.send({ case: "command", entityId: "u1", id: 3, name: "GetCart", payload: cart("GetShoppingCart", { user_id: "u1" }) });
    const got = reply(await stream.next());
    const cartType = cartTypes().lookupType("com.example.shoppingcart.Cart");
    assert.deepEqual(cartType.toObject(cartType.decode(got.payload!.value)), { items: [{ product_id: "p1", name: "Eggs", quantity: 2 }] });
    stream.cancel();
  });

  it("can be down at first and come up later at the same address", async () => {
    const { uf, backend } = await start({ startDown: true });
    assert.equal(uf.isUp, false);
    await assert.rejects(backend.ready());
    await uf.comeUp();
    // A fresh channel: the first one is backing off after the refused connection.
    const later = connectScriptedBackend(uf.address);
    assert.equal((await later.ready()).serviceName, `${model}.ModelEntity`);
    later.close();
    await uf.goDown();
    await uf.comeUp();
    const again = connectScriptedBackend(uf.address);
    assert.equal((await again.ready()).persistenceId, "tck-model");
    again.close();
    assert.equal(uf.traffic.readyCalls.length, 2);
  });
  // I4: the kit can keep a passivated stream alive, and sees a second stream opened meanwhile.
  it(
    "holds a passivated stream open when told, and records a second stream for the entity opened meanwhile",
    { timeout: 20_000 },
    async () => {
      const { uf, backend } = await start();
      await backend.ready();
      uf.holdOpenAfterBackendCompletes("held", 60_000);
      const first = backend.open();
      first.send({ case: "init", entityId: "held", snapshot: undefined });
      first.send({ case: "command", entityId: "held", id: 1, name: "Process", payload: process("held", "a") });
      reply(await first.next());
      first.complete();
      await new Promise<void>((resolve) => {
        const stop = uf.traffic.onChange(() => uf.traffic.streams[0]?.backendCompleted && (stop(), resolve()));
      });
      const second = backend.open();
      second.send({ case: "init", entityId: "held", snapshot: undefined });
      await new Promise<void>((resolve) => {
        if (uf.traffic.overlaps.length > 0) return resolve();
        const stop = uf.traffic.onChange(() => uf.traffic.overlaps.length > 0 && (stop(), resolve()));
      });
      const [overlap] = uf.traffic.overlaps;
      assert.equal(overlap?.live.streamId, "s1");
      assert.equal(overlap?.opened.streamId, "s2");
      assert.equal(overlap?.live.ended, undefined, "the user function kept its side of s1 open");
      assert.equal(overlap?.live.heldOpenMs, 60_000);
      assert.ok(
        uf.traffic.violations.some(
          (v) =>
            v.item === "I4" &&
            v.streamId === "s2" &&
            /two streams for one entity were live at the same time: s2 .* while s1/.test(v.actual),
        ),
      );
      // A backend that cancels the held stream before opening the next one is fine.
      first.cancel();
      second.cancel();
      uf.holdOpenAfterBackendCompletes("cancelled-first", 60_000);
      const third = backend.open();
      third.send({ case: "init", entityId: "cancelled-first", snapshot: undefined });
      third.complete();
      await new Promise<void>((resolve) => {
        const stop = uf.traffic.onChange(() => uf.traffic.streams[2]?.backendCompleted && (stop(), resolve()));
      });
      third.cancel();
      await third.ended();
      const fourth = backend.open();
      fourth.send({ case: "init", entityId: "cancelled-first", snapshot: undefined });
      fourth.send({ case: "command", entityId: "cancelled-first", id: 1, name: "Process", payload: process("cancelled-first", "b") });
      reply(await fourth.next());
      assert.equal(uf.traffic.overlaps.length, 1, "no overlap recorded for a stream cancelled before the next opened");
      fourth.cancel();
    },
  );

  it("can be down but observed: ready() is refused UNAVAILABLE and recorded, until it comes up (A5)", async () => {
    const { uf, backend } = await start();
    await uf.goDownRefusingReady();
    assert.equal(uf.isUp, false);
    await assert.rejects(backend.ready(), (error: grpc.ServiceError) => error.code === grpc.status.UNAVAILABLE);
    assert.equal(uf.traffic.refusedReadyCalls.length, 1);
    assert.equal(uf.traffic.readyCalls.length, 0);
    await uf.comeUp();
    assert.equal(uf.isUp, true);
    assert.equal((await backend.ready()).persistenceId, "tck-model");
    assert.equal(uf.traffic.readyCalls.length, 1);
  });
});
