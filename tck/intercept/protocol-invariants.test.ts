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
