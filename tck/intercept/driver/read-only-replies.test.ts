import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AnyPayload, StreamIn, StreamOut } from "../../../reference/protocol/index.js";
import { ReadOnlyReplies } from "./read-only-replies.js";

const any = (name: string, ...bytes: number[]): AnyPayload => ({ typeUrl: `type.googleapis.com/${name}`, value: Uint8Array.from(bytes) });
const init = (sequence?: number): StreamIn => ({
  case: "init",
  entityId: "e1",
  snapshot: sequence === undefined ? undefined : { sequence, payload: any("S") },
});
const event = (sequence: number): StreamIn => ({ case: "event", sequence, payload: any("E", sequence) });
const get = (id: number, ...request: number[]): StreamIn => ({
  case: "command",
  entityId: "e1",
  id,
  name: "Get",
  payload: any("Req", ...request),
});
const add = (id: number): StreamIn => ({ case: "command", entityId: "e1", id, name: "Add", payload: any("Req") });
const reply = (commandId: number, payload: AnyPayload, events: AnyPayload[] = []): StreamOut => ({
  case: "reply",
  commandId,
  payload,
  events,
  snapshot: undefined,
});

/** Feeds one stream's traffic; returns the H9 findings as "side: cause". */
function feed(h9: ReadOnlyReplies, stream: string, traffic: Array<StreamIn | StreamOut>): string[] {
  const found: string[] = [];
  for (const m of traffic) {
    if (m.case === "init" || m.case === "event" || m.case === "command") h9.toUserFunction(stream, m);
    else found.push(...h9.toBackend(stream, m as StreamOut).map((v) => `${v.side}: ${v.cause}`));
  }
  return found;
}

describe("H9: a command that emits nothing answers the same on every stream, with no event in between", () => {
  const firstStream = (h9: ReadOnlyReplies) =>
    feed(h9, "s1", [
      init(),
      add(1),
      reply(1, any("Empty"), [any("E", 1)]),
      add(2),
      reply(2, any("Empty"), [any("E", 2)]),
      get(3),
      reply(3, any("Cart", 2)),
    ]);

  it("the same answer after a passivation (snapshot or replay) is fine", () => {
    const h9 = new ReadOnlyReplies();
    assert.deepEqual(firstStream(h9), []);
    assert.deepEqual(feed(h9, "s2", [init(), event(1), event(2), get(1), reply(1, any("Cart", 2))]), []);
    assert.deepEqual(feed(h9, "s3", [init(2), get(1), reply(1, any("Cart", 2))]), []);
  });

  it("another answer at the same sequence on another stream is the user function's violation", () => {
    const h9 = new ReadOnlyReplies();
    firstStream(h9);
    const found = h9.toBackend("s2", reply(1, any("Cart", 0)));
    assert.equal(found.length, 0, "s2 sent no Get yet: nothing to compare");
    h9.toUserFunction("s2", init(2));
    h9.toUserFunction("s2", get(1));
    const [v] = h9.toBackend("s2", reply(1, any("Cart", 0)));
    assert.equal(v?.item, "H9");
    assert.equal(v.side, "user function");
    assert.match(v.cause, /^answered Get differently on stream s2 than on stream s1 with no event in between/);
    assert.match(v.expected, /^the answer stream s1 gave at sequence 2: type\.googleapis\.com\/Cart/);
    assert.match(v.actual, /^stream s2 answers at sequence 2: /);
  });

  it("compares only the same command (name and request bytes) at the same sequence", () => {
    const h9 = new ReadOnlyReplies();
    firstStream(h9);
    // Another request, or a later sequence: not comparable.
    assert.deepEqual(feed(h9, "s2", [init(2), get(1, 7), reply(1, any("Cart", 9))]), []);
    assert.deepEqual(feed(h9, "s3", [init(2), add(1), reply(1, any("Empty"), [any("E", 3)]), get(2), reply(2, any("Cart", 3))]), []);
  });

  it("blames the backend when a stream it served had a backend violation (a stale snapshot, a wrong replay)", () => {
    const h9 = new ReadOnlyReplies();
    firstStream(h9);
    h9.toUserFunction("s2", init(2));
    h9.backendFault("s2", "F4");
    h9.toUserFunction("s2", get(1));
    const [v] = h9.toBackend("s2", reply(1, any("Cart", 1)));
    assert.equal(v?.side, "backend");
    assert.match(v.cause, /^its F4 on stream s2 gave the user function another state/);
  });
});
