import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AnyPayload, StreamIn, StreamOut } from "../../reference/protocol/index.js";
import { createProtocolInvariants, type InvariantViolation } from "./protocol-invariants.js";

const any = (name: string, ...bytes: number[]): AnyPayload => ({ typeUrl: `type.googleapis.com/${name}`, value: Uint8Array.from(bytes) });
const init = (entityId: string, snapshot?: { sequence: number; payload: AnyPayload }): StreamIn => ({ case: "init", entityId, snapshot });
const event = (sequence: number, payload = any("E", sequence)): StreamIn => ({ case: "event", sequence, payload });
const command = (id: number, entityId = "e1"): StreamIn => ({ case: "command", entityId, id, name: "Do", payload: any("Req") });
const reply = (commandId: number, events: AnyPayload[] = [], snapshot?: AnyPayload): StreamOut => ({
  case: "reply",
  commandId,
  payload: any("Resp"),
  events,
  snapshot,
});
const failure = (commandId: number): StreamOut => ({ case: "failure", commandId, description: "no" });

type Step = ["in", StreamIn] | ["out", StreamOut];

/** Feeds a transcript on one stream and returns the catalogue items that broke. */
function check(steps: Step[], invariants = createProtocolInvariants(), stream = "s1"): string[] {
  const found: InvariantViolation[] = [];
  for (const [direction, message] of steps) {
    found.push(...(direction === "in" ? invariants.toUserFunction(stream, message as StreamIn) : invariants.toBackend(stream, message as StreamOut)));
  }
  return found.map((v) => v.item);
}

describe("protocol invariants (M2)", () => {
  it("accept a well-behaved stream", () => {
    assert.deepEqual(
      check([
        ["in", init("e1")],
        ["in", command(1)],
        ["out", reply(1, [any("E", 1), any("E", 2)])],
        ["in", command(2)],
        ["out", failure(2)],
        ["in", command(3)],
        ["out", reply(3, [any("E", 3)], any("S"))],
      ]),
      [],
    );
  });

  it("Init must come first, once", () => {
    assert.deepEqual(check([["in", command(1)]]), ["B1"]);
    assert.deepEqual(check([["in", init("e1")], ["in", init("e1")]]), ["B1"]);
  });

  it("replayed events are contiguous from the snapshot and come before commands", () => {
    assert.deepEqual(check([["in", init("e1")], ["in", event(2)]]), ["C4"]);
    assert.deepEqual(check([["in", init("e1", { sequence: 5, payload: any("S") })], ["in", event(6)], ["in", event(8)]]), ["C4"]);
    assert.deepEqual(check([["in", init("e1")], ["in", command(1)], ["in", event(1)]]), ["C5"]);
  });

  it("command ids start at 1 and increase, one in flight, same entity", () => {
    assert.deepEqual(check([["in", init("e1")], ["in", command(2)]]), ["D1"]);
    // Increasing, not necessarily by one.
    assert.deepEqual(check([["in", init("e1")], ["in", command(1)], ["out", reply(1)], ["in", command(3)], ["out", reply(3)]]), []);
    assert.deepEqual(check([["in", init("e1")], ["in", command(1)], ["out", reply(1)], ["in", command(1)]]), ["D1"]);
    assert.deepEqual(check([["in", init("e1")], ["in", command(1)], ["in", command(2)]]), ["D4"]);
    assert.deepEqual(check([["in", init("e1")], ["in", command(1, "e2")]]), ["B2"]);
  });

  it("answers correlate with the pending command, one each", () => {
    assert.deepEqual(check([["in", init("e1")], ["in", command(1)], ["out", reply(7)]]), ["D2"]);
    assert.deepEqual(check([["in", init("e1")], ["out", reply(1)]]), ["D3"]);
    assert.deepEqual(check([["in", init("e1")], ["in", command(1)], ["out", failure(0)]]), ["D2"]);
    assert.deepEqual(check([["in", init("e1")], ["in", command(1)], ["out", reply(1)], ["out", reply(1)]]), ["D3"]);
  });

  it("a snapshot rides only with events; empty oneofs are violations", () => {
    assert.deepEqual(check([["in", init("e1")], ["in", command(1)], ["out", reply(1, [], any("S"))]]), ["F1"]);
    assert.deepEqual(check([["in", { case: undefined }]]), ["B5"]);
    assert.deepEqual(check([["in", init("e1")], ["out", { case: undefined }]]), ["B5"]);
  });

  it("a later stream must replay exactly the acknowledged history, without failed commands' events", () => {
    const invariants = createProtocolInvariants();
    check([["in", init("e1")], ["in", command(1)], ["out", reply(1, [any("E", 1), any("E", 2)])], ["in", command(2)], ["out", failure(2)]], invariants, "s1");
    invariants.streamEnded("s1");
    // Exact replay: fine.
    assert.deepEqual(check([["in", init("e1")], ["in", event(1, any("E", 1))], ["in", event(2, any("E", 2))], ["in", command(1)]], invariants, "s2"), []);
    invariants.streamEnded("s2");
    // A changed event, and a replay that stops short.
    assert.deepEqual(check([["in", init("e1")], ["in", event(1, any("E", 9))], ["in", command(1)]], invariants, "s3"), ["E6", "C4"]);
  });

  it("events count as persisted only once the backend moves on: a failed write is no violation", () => {
    const invariants = createProtocolInvariants();
    // Reply to 2 with an event, then the stream is torn down (the write failed): event 3 never persisted.
    check([["in", init("e1")], ["in", command(1)], ["out", reply(1, [any("E", 1)])], ["in", command(2)], ["out", reply(2, [any("E", 2)])]], invariants, "s1");
    invariants.streamEnded("s1");
    assert.deepEqual(check([["in", init("e1")], ["in", event(1, any("E", 1))], ["in", command(1)]], invariants, "s2"), []);
    invariants.streamEnded("s2");
    // Confirmed by the next command: a replay that stops short of it is a violation.
    assert.deepEqual(check([["in", init("e1")], ["in", command(1)]], invariants, "s3"), ["C4"]);
    // Confirmed by the backend completing the stream (passivation).
    const other = createProtocolInvariants();
    check([["in", init("e2", undefined)], ["in", command(1, "e2")], ["out", reply(1, [any("E", 1)], any("S"))]], other, "s1");
    other.backendClosed("s1");
    other.streamEnded("s1");
    assert.deepEqual(check([["in", init("e2", { sequence: 1, payload: any("S", 9) })], ["in", command(1, "e2")]], other, "s2"), ["F4"]);
  });

  it("a half-close confirms the last Reply only if the stream then ends without a cancel", () => {
    // The backend half-closes, then cancels (its write failed after all): event 2 is not persisted.
    const invariants = createProtocolInvariants();
    check([["in", init("e1")], ["in", command(1)], ["out", reply(1, [any("E", 1)])], ["in", command(2)], ["out", reply(2, [any("E", 2)])]], invariants, "s1");
    invariants.backendClosed("s1");
    invariants.streamEnded("s1", "cancelled");
    assert.deepEqual(check([["in", init("e1")], ["in", event(1, any("E", 1))], ["in", command(1)]], invariants, "s2"), []);
    // The same stream ending normally after the half-close: event 2 is persisted, a replay must include it.
    const other = createProtocolInvariants();
    check([["in", init("e1")], ["in", command(1)], ["out", reply(1, [any("E", 1)])], ["in", command(2)], ["out", reply(2, [any("E", 2)])]], other, "s1");
    other.backendClosed("s1");
    other.streamEnded("s1", "completed");
    assert.deepEqual(check([["in", init("e1")], ["in", event(1, any("E", 1))], ["in", command(1)]], other, "s2"), ["C4"]);
  });

  it("E6 and F4 name the sequence number and show both payloads decoded, with a hex prefix", () => {
    // ItemAdded{item: {productId: "456", name: "Flour", quantity: 1}} and the same with quantity 2.
    const flour = (quantity: number) => any("ItemAdded", 0x0a, 0x0e, 0x0a, 0x03, 0x34, 0x35, 0x36, 0x12, 0x05, 0x46, 0x6c, 0x6f, 0x75, 0x72, 0x18, quantity);
    const invariants = createProtocolInvariants();
    const found: InvariantViolation[] = [];
    const feed = (stream: string, steps: Step[]) => {
      for (const [direction, message] of steps) {
        found.push(...(direction === "in" ? invariants.toUserFunction(stream, message as StreamIn) : invariants.toBackend(stream, message as StreamOut)));
      }
    };
    feed("s1", [["in", init("e1")], ["in", command(1)], ["out", reply(1, [flour(1), flour(1), flour(1)], any("Cart", 0x08, 0x03))], ["in", command(2)]]);
    invariants.streamEnded("s1");
    feed("s2", [["in", init("e1", { sequence: 3, payload: any("Cart", 0x08, 0x04) })]]);
    invariants.streamEnded("s2");
    feed("s3", [["in", init("e1")], ["in", event(1, flour(1))], ["in", event(2, flour(1))], ["in", event(3, flour(2))]]);
    const [f4, e6] = found;
    assert.equal(found.length, 2, JSON.stringify(found));
    assert.equal(f4?.item, "F4");
    assert.equal(f4.expected, "the snapshot acknowledged at sequence 3: type.googleapis.com/Cart {1: 3} (2 bytes: 0803)");
    assert.equal(f4.actual, "Init offers at sequence 3: type.googleapis.com/Cart {1: 4} (2 bytes: 0804); the bytes differ from byte 1");
    assert.equal(e6?.item, "E6");
    assert.equal(e6.expected, 'Event 3 as acknowledged: type.googleapis.com/ItemAdded {1: {1: "456", 2: "Flour", 3: 1}} (16 bytes: 0a0e0a033435361205466c6f75721801)');
    assert.equal(e6.actual, 'Event 3 replayed: type.googleapis.com/ItemAdded {1: {1: "456", 2: "Flour", 3: 2}} (16 bytes: 0a0e0a033435361205466c6f75721802); the bytes differ from byte 15');
  });

  it("a payload that is no protobuf message is shown as hex; a long one is cut", () => {
    const invariants = createProtocolInvariants();
    const long = any("Blob", ...Array.from({ length: 40 }, () => 0xff));
    check([["in", init("e1")], ["in", command(1)], ["out", reply(1, [long])], ["in", command(2)]], invariants, "s1");
    invariants.streamEnded("s1");
    const found = invariants.toUserFunction("s2", init("e1")).concat(invariants.toUserFunction("s2", event(1, any("Blob", 0xff))));
    assert.equal(found[0]?.expected, `Event 1 as acknowledged: type.googleapis.com/Blob (40 bytes: ${"ff".repeat(16)}…)`);
    assert.equal(found[0]?.actual, "Event 1 replayed: type.googleapis.com/Blob (1 bytes: ff); one is a prefix of the other (40 vs 1 bytes)");
  });

  it("a long decoded payload is cut, so a message stays readable", () => {
    const invariants = createProtocolInvariants();
    // 200 varint fields: {1: 1, 1: 1, …}.
    const many = any("Many", ...Array.from({ length: 200 }, () => [0x08, 0x01]).flat());
    check([["in", init("e1")], ["in", command(1)], ["out", reply(1, [many])], ["in", command(2)]], invariants, "s1");
    invariants.streamEnded("s1");
    const [e6] = invariants.toUserFunction("s2", init("e1")).concat(invariants.toUserFunction("s2", event(1, any("Many", 0x08, 0x02))));
    assert.match(e6!.expected, /^Event 1 as acknowledged: type\.googleapis\.com\/Many \{1: 1, 1: 1, .{200,}… \(400 bytes: (0801){8}…\)$/);
    assert.ok(e6!.expected.length < 400, `cut: ${e6!.expected.length} characters`);
  });

  it("two live streams for one entity are a violation; a half-closed one is not live", () => {
    const invariants = createProtocolInvariants();
    check([["in", init("e1")]], invariants, "s1");
    assert.deepEqual(check([["in", init("e1")]], invariants, "s2"), ["I4"]);
    const other = createProtocolInvariants();
    check([["in", init("e1")]], other, "s1");
    other.backendClosed("s1");
    assert.deepEqual(check([["in", init("e1")]], other, "s2"), []);
  });
});
