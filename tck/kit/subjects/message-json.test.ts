import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ModelEntitySubject } from "./model-entity-subject.js";
import { messageJson } from "./message-json.js";

describe("messageJson", () => {
  it("prints 64-bit integers as numbers, exactly", () => {
    const subject = new ModelEntitySubject();
    const payload = subject.compositeRequest({ partA: "k", partB: 42, partC: true, partD: 2 }, []);
    assert.match(subject.describe(payload), /"part_b":42[,}]/);
    assert.doesNotMatch(subject.describe(payload), /"low"/);
    const type = subject.root.lookupType("lightbend.serverless.tck.model.CompositeRequest");
    const big = type.toObject(type.decode(type.encode(type.fromObject({ part_b: "9007199254740993" })).finish()));
    assert.equal(messageJson(big), '{"part_b":9007199254740993}');
  });
});
