import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as grpc from "@grpc/grpc-js";
import { createFaultOracle } from "./fault-oracle.js";

const ev = (text: string) => ({ typeUrl: "type.googleapis.com/test.Ev", value: Buffer.from(text) });
const rules = (violations: { rule: string }[]) => violations.map((v) => v.rule);

/** Entity e1: stream a gives events 1 and 2 (acknowledged by the client's OKs), then ends cancelled. */
function withHistory() {
  const oracle = createFaultOracle();
  oracle.init("a", "e1", undefined);
  assert.deepEqual(oracle.command("a"), []);
  oracle.replyGiven("a", [ev("one")]);
  oracle.clientCall({ entityId: "e1", method: "Add", code: grpc.status.OK, details: "", clientDeadlinePassed: false });
  oracle.command("a");
  oracle.replyGiven("a", [ev("two")]);
  oracle.clientCall({ entityId: "e1", method: "Add", code: grpc.status.OK, details: "", clientDeadlinePassed: false });
  oracle.streamEnded("a", false);
  return oracle;
}

describe("fault oracle", () => {
  it("accepts an exact replay of what the client saw acknowledged", () => {
    const oracle = withHistory();
    oracle.init("b", "e1", undefined);
    assert.deepEqual([...oracle.event("b", 1, ev("one")), ...oracle.event("b", 2, ev("two")), ...oracle.command("b")], []);
  });

  it("reports an acknowledged event lost from a later replay", () => {
    const oracle = withHistory();
    oracle.init("b", "e1", undefined);
    oracle.event("b", 1, ev("one"));
    const violations = oracle.command("b");
    assert.deepEqual(rules(violations), ["no acknowledged event is lost (fault oracle)"]);
    assert.match(violations[0]!.actual, /the replay ended at 1: event\(s\) 2\.\.2 lost/);
  });

  it("reports an event replayed twice, and one replayed differently", () => {
    const oracle = withHistory();
    oracle.init("b", "e1", undefined);
    oracle.event("b", 1, ev("one"));
    assert.deepEqual(rules(oracle.event("b", 1, ev("one"))), ["no event is replayed twice (fault oracle)"]);
    const other = createFaultOracle();
    other.init("a", "e1", undefined);
    other.command("a");
    other.replyGiven("a", [ev("one")]);
    other.clientCall({ entityId: "e1", method: "Add", code: grpc.status.OK, details: "", clientDeadlinePassed: false });
    other.init("b", "e1", undefined);
    assert.deepEqual(rules(other.event("b", 1, ev("uno"))), ["an acknowledged event replays byte for byte (fault oracle)"]);
  });

  it("accepts an unacknowledged event the backend was given, and reports one it never was", () => {
    const oracle = withHistory();
    oracle.init("b", "e1", undefined);
    oracle.event("b", 1, ev("one"));
    oracle.event("b", 2, ev("two"));
    oracle.command("b");
    // Given to the backend, then the client's call failed (the stream was reset): it may or may not be stored.
    oracle.replyGiven("b", [ev("three")]);
    oracle.clientCall({ entityId: "e1", method: "Add", code: grpc.status.UNAVAILABLE, details: "reset", clientDeadlinePassed: false });
    oracle.streamEnded("b", false);
    oracle.init("c", "e1", undefined);
    assert.deepEqual([...oracle.event("c", 1, ev("one")), ...oracle.event("c", 2, ev("two")), ...oracle.event("c", 3, ev("three"))], []);
    assert.deepEqual(rules(oracle.event("c", 4, ev("four"))), [
      "a replayed event is one the user function emitted at that sequence (fault oracle)",
    ]);
  });

  it("counts a Reply as acknowledged once the backend sends the next Command", () => {
    const oracle = createFaultOracle();
    oracle.init("a", "e1", undefined);
    oracle.command("a");
    oracle.replyGiven("a", [ev("one")]);
    oracle.command("a");
    oracle.streamEnded("a", false);
    oracle.init("b", "e1", undefined);
    assert.deepEqual(rules(oracle.command("b")), ["no acknowledged event is lost (fault oracle)"]);
  });

  it("starts a replay after the offered snapshot", () => {
    const oracle = withHistory();
    oracle.init("b", "e1", 2);
    assert.deepEqual(oracle.command("b"), []);
    oracle.init("c", "e1", 1);
    assert.deepEqual(oracle.event("c", 2, ev("two")), []);
  });

  it("requires every client call to end with a code of the decision table, before the client's deadline", () => {
    const oracle = createFaultOracle();
    for (const code of [
      grpc.status.OK,
      grpc.status.UNKNOWN,
      grpc.status.UNAVAILABLE,
      grpc.status.DEADLINE_EXCEEDED,
      grpc.status.RESOURCE_EXHAUSTED,
      grpc.status.INTERNAL,
    ]) {
      assert.deepEqual(oracle.clientCall({ entityId: "e", method: "Get", code, details: "", clientDeadlinePassed: false }), []);
    }
    const hang = oracle.clientCall({
      entityId: "e",
      method: "Get",
      code: grpc.status.DEADLINE_EXCEEDED,
      details: "Deadline exceeded",
      clientDeadlinePassed: true,
    });
    assert.match(hang[0]!.actual, /no answer: the client's own deadline passed/);
    const undefinedCode = oracle.clientCall({
      entityId: "e",
      method: "Get",
      code: grpc.status.DATA_LOSS,
      details: "?",
      clientDeadlinePassed: false,
    });
    assert.match(undefinedCode[0]!.actual, /Get on e ended DATA_LOSS/);
    assert.equal(oracle.clientViolations().length, 2);
  });
});
