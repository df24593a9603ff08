import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AnyPayload } from "../../../reference/protocol/index.js";
import { createProtocolInvariants } from "./protocol-invariants.js";

const any = (name: string, ...bytes: number[]): AnyPayload => ({ typeUrl: `type.googleapis.com/${name}`, value: Uint8Array.from(bytes) });

// A Reply whose stream is cancelled before anything confirmed it may still have been written
// (the write succeeded, then a fault or the backend's own teardown cancelled the stream): a later
// snapshot at its sequence is no violation. Seen under --faults (a reset right after an acknowledged
// Reply, then a recovery from the snapshot that Reply carried).
describe("protocol invariants after a cancelled stream", () => {
  it("accept a later snapshot offer at the sequence of a cancelled stream's last Reply", () => {
    const invariants = createProtocolInvariants();
    invariants.streamOpened("s1");
    invariants.toUserFunction("s1", { case: "init", entityId: "e1", snapshot: undefined });
    invariants.toUserFunction("s1", { case: "command", entityId: "e1", id: 1, name: "Do", payload: any("Req") });
    invariants.toBackend("s1", {
      case: "reply",
      commandId: 1,
      payload: undefined,
      events: [any("E", 1), any("E", 2)],
      snapshot: undefined,
    });
    invariants.toUserFunction("s1", { case: "command", entityId: "e1", id: 2, name: "Do", payload: any("Req") });
    const events = [any("E", 3), any("E", 4), any("E", 5)];
    invariants.toBackend("s1", { case: "reply", commandId: 2, payload: undefined, events, snapshot: any("S", 5) });
    invariants.streamEnded("s1", "cancelled");
    invariants.streamOpened("s2");
    const violations = invariants.toUserFunction("s2", { case: "init", entityId: "e1", snapshot: { sequence: 5, payload: any("S", 5) } });
    assert.deepEqual(violations, [], violations.map((v) => `${v.item} ${v.rule}: expected ${v.expected}, got ${v.actual}`).join("\n"));
  });

  it("still report a snapshot beyond anything the user function emitted", () => {
    const invariants = createProtocolInvariants();
    invariants.streamOpened("s1");
    invariants.toUserFunction("s1", { case: "init", entityId: "e1", snapshot: undefined });
    invariants.toUserFunction("s1", { case: "command", entityId: "e1", id: 1, name: "Do", payload: any("Req") });
    invariants.toBackend("s1", {
      case: "reply",
      commandId: 1,
      payload: undefined,
      events: [any("E", 1), any("E", 2)],
      snapshot: undefined,
    });
    invariants.toUserFunction("s1", { case: "command", entityId: "e1", id: 2, name: "Do", payload: any("Req") });
    invariants.toBackend("s1", { case: "reply", commandId: 2, payload: undefined, events: [any("E", 3)], snapshot: undefined });
    invariants.streamEnded("s1", "cancelled");
    invariants.streamOpened("s2");
    const violations = invariants.toUserFunction("s2", { case: "init", entityId: "e1", snapshot: { sequence: 5, payload: any("S", 5) } });
    assert.deepEqual(
      violations.map((v) => `${v.item} ${v.expected}`),
      ["C4 sequence ≤ 3"],
    );
  });
});
