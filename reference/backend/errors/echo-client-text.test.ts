import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { echoClientText } from "./echo-client-text.js";

describe("echoClientText", () => {
  it("keeps text up to the limit as it is", () => {
    assert.equal(echoClientText("cart-1", 6), "cart-1");
    assert.equal(echoClientText("", 1), "");
  });

  it("cuts longer text to the limit and marks the cut with …", () => {
    assert.equal(echoClientText("k".repeat(100 * 1024), 200), "k".repeat(200) + "…");
  });

  it("never splits a surrogate pair", () => {
    const echoed = echoClientText("ab😀cd", 3);
    assert.equal(echoed, "ab…");
    assert.doesNotMatch(echoed, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, "no lone high surrogate");
  });
});
