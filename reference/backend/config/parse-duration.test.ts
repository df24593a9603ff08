import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseDuration } from "./parse-duration.js";

describe("parseDuration", () => {
  it("reads ms, s and m", () => {
    const table: [string, number][] = [
      ["250ms", 250],
      ["0ms", 0],
      ["30s", 30_000],
      ["1.5s", 1_500],
      ["2m", 120_000],
      ["0.5m", 30_000],
      [" 10s ", 10_000],
    ];
    for (const [text, ms] of table) assert.equal(parseDuration(text), ms, text);
  });

  it("refuses text without a known unit, negative or malformed values", () => {
    for (const text of ["30", "", "s", "10h", "-5s", "1e3ms", "10 s", "1.s", "ten s", "5sec"]) {
      assert.equal(parseDuration(text), undefined, JSON.stringify(text));
    }
  });
});
