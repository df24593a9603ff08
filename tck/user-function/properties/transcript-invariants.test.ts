import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Transcript } from "../../kit/transcript/transcript.js";
import { transcriptViolations } from "./transcript-invariants.js";

const any = (typeUrl: string) => ({ typeUrl, value: Uint8Array.from([1]) });

function transcriptOf(answer: "good" | "wrong-id" | "snapshot-without-events" | "extra-answer"): Transcript {
  const t = new Transcript();
  t.record({ stream: "s", kind: "opened" });
  t.record({ stream: "s", kind: "sent", message: { case: "init", entityId: "e", snapshot: undefined } });
  t.record({ stream: "s", kind: "sent", message: { case: "command", entityId: "e", id: 1, name: "Process", payload: any("x") } });
  const reply = { case: "reply" as const, commandId: 1, payload: any("r"), events: [any("ev")], snapshot: undefined };
  switch (answer) {
    case "good":
      t.record({ stream: "s", kind: "received", message: reply });
      break;
    case "wrong-id":
      t.record({ stream: "s", kind: "received", message: { ...reply, commandId: 2 } });
      break;
    case "snapshot-without-events":
      t.record({ stream: "s", kind: "received", message: { ...reply, events: [], snapshot: any("snap") } });
      break;
    case "extra-answer":
      t.record({ stream: "s", kind: "received", message: reply });
      t.record({ stream: "s", kind: "received", message: reply });
      break;
  }
  return t;
}

describe("M2 on user-function-mode transcripts", () => {
  it("finds nothing wrong with a well-formed exchange", () => {
    assert.deepEqual(transcriptViolations(transcriptOf("good")), []);
  });

  it("names the broken invariant", () => {
    assert.deepEqual(
      transcriptViolations(transcriptOf("wrong-id")).map((v) => v.item),
      ["D2"],
    );
    assert.deepEqual(
      transcriptViolations(transcriptOf("snapshot-without-events")).map((v) => v.item),
      ["F1"],
    );
    assert.deepEqual(
      transcriptViolations(transcriptOf("extra-answer")).map((v) => v.item),
      ["D3"],
    );
  });

  it("counts the kit's journal as it is: a Reply's events are persisted when it arrives, before the stream ends", () => {
    // The kit passivates (half-close) and opens the next stream at once, offering the snapshot it just
    // got; the first stream's end arrives later. Also a stream the kit cancels keeps its events.
    for (const end of ["half-closed", "cancelled"] as const) {
      const t = new Transcript();
      t.record({ stream: "s", kind: "opened" });
      t.record({ stream: "s", kind: "sent", message: { case: "init", entityId: "e", snapshot: undefined } });
      t.record({ stream: "s", kind: "sent", message: { case: "command", entityId: "e", id: 1, name: "Process", payload: any("x") } });
      t.record({
        stream: "s",
        kind: "received",
        message: { case: "reply", commandId: 1, payload: any("r"), events: [any("ev")], snapshot: undefined },
      });
      t.record({ stream: "s", kind: "sent", message: { case: "command", entityId: "e", id: 2, name: "Process", payload: any("x") } });
      t.record({
        stream: "s",
        kind: "received",
        message: { case: "reply", commandId: 2, payload: any("r"), events: [any("ev")], snapshot: any("snap") },
      });
      t.record({ stream: "s", kind: end });
      t.record({ stream: "s#2", kind: "opened" });
      t.record({ stream: "s#2", kind: "sent", message: { case: "init", entityId: "e", snapshot: { sequence: 2, payload: any("snap") } } });
      t.record({ stream: "s#2", kind: "sent", message: { case: "command", entityId: "e", id: 1, name: "Process", payload: any("x") } });
      if (end === "half-closed") t.record({ stream: "s", kind: "ended", code: 0, details: "" });
      assert.deepEqual(transcriptViolations(t), [], end);
    }
  });
});
