import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseByteSize } from "./parse-byte-size.js";

describe("parseByteSize", () => {
  it("reads bytes, KiB, MiB and GiB, and a bare number as bytes", () => {
    const table: [string, number][] = [
      ["4096", 4096],
      ["200B", 200],
      ["4KiB", 4096],
      ["16MiB", 16 * 1024 * 1024],
      ["1GiB", 1024 * 1024 * 1024],
      [" 4MiB ", 4 * 1024 * 1024],
    ];
    for (const [text, bytes] of table) assert.equal(parseByteSize(text), bytes, text);
  });

  it("refuses decimal units, fractions, negatives and junk", () => {
    for (const text of ["4MB", "4 MiB", "1.5MiB", "-1", "", "MiB", "4mib", "lots"]) {
      assert.equal(parseByteSize(text), undefined, JSON.stringify(text));
    }
  });
});
