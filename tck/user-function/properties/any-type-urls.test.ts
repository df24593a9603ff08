import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Transcript } from "../../kit/transcript/transcript.js";
import { anyTypeUrlViolations, emittedAnyCount, typeUrlProblem } from "./any-type-urls.js";

const any = (typeUrl: string) => ({ typeUrl, value: Uint8Array.from([1]) });

describe("E8: events and snapshots as well-formed Anys", () => {
  it("accepts type.googleapis.com/<fully qualified name> only", () => {
    assert.equal(typeUrlProblem("type.googleapis.com/com.example.shoppingcart.persistence.ItemAdded"), undefined);
    assert.match(typeUrlProblem("com.example.shoppingcart.persistence.ItemAdded") ?? "", /lacks the prefix type\.googleapis\.com\//);
    assert.match(typeUrlProblem("example.com/x.Y") ?? "", /lacks the prefix/);
    assert.match(typeUrlProblem("type.googleapis.com/") ?? "", /does not end in a fully qualified message name/);
    assert.match(typeUrlProblem("type.googleapis.com/.x.Y") ?? "", /does not end in a fully qualified message name/);
  });

  it("names each distinct problem once, with every reply it appeared on", () => {
    const t = new Transcript();
    t.record({
      stream: "s",
      kind: "received",
      message: {
        case: "reply",
        commandId: 1,
        payload: any("type.googleapis.com/a.R"),
        events: [any("type.googleapis.com/a.E"), any("a.E")],
        snapshot: any("a.S"),
      },
    });
    t.record({
      stream: "s",
      kind: "received",
      message: { case: "reply", commandId: 2, payload: any("type.googleapis.com/a.R"), events: [any("a.E")], snapshot: undefined },
    });
    assert.deepEqual(anyTypeUrlViolations(t), [
      'an event with type url "a.E" lacks the prefix type.googleapis.com/ (on the replies to s command 1, s command 2)',
      'a snapshot with type url "a.S" lacks the prefix type.googleapis.com/ (on the replies to s command 1)',
    ]);
    assert.equal(emittedAnyCount(t), 4);
  });
});
