import assert from "node:assert/strict";
import { describe, it } from "node:test";
import protobuf from "protobufjs";
import { checkWireFormat } from "./check-wire-format.js";

const root = protobuf.Root.fromJSON({
  nested: {
    Inner: { fields: { text: { id: 1, type: "string" } } },
    Colour: { values: { RED: 0, GREEN: 1 } },
    Outer: {
      fields: {
        id: { id: 1, type: "string" },
        count: { id: 2, type: "int32" },
        inner: { id: 3, type: "Inner" },
        numbers: { id: 4, type: "sint64", rule: "repeated" },
        weight: { id: 5, type: "double" },
        colour: { id: 6, type: "Colour" },
        code: { id: 7, type: "fixed32" },
      },
    },
  },
});
const outer = root.lookupType("Outer");
const ok = (bytes: number[]) => checkWireFormat(outer, Uint8Array.from(bytes));
const bad = (bytes: number[], message: RegExp) => assert.throws(() => ok(bytes), message);

describe("checkWireFormat", () => {
  it("accepts what an encoder writes, packed and unpacked repeated numbers, and unknown fields", () => {
    const encoded = outer
      .encode(outer.fromObject({ id: "ü-1", count: -3, inner: { text: "x" }, numbers: [1, -2], weight: 1.5, colour: 1, code: 7 }))
      .finish();
    checkWireFormat(outer, encoded);
    ok([0x20, 0x02, 0x20, 0x03]); // field 4 unpacked
    ok([0x22, 0x02, 0x02, 0x03]); // field 4 packed
    ok([0xf8, 0x01, 0x05, 0x92, 0x01, 0x01, 0x41]); // unknown fields 31 (varint) and 18 (bytes)
    ok([]);
  });

  it("refuses a declared field arriving with another wire type", () => {
    bad([0x08, 0x01], /field Outer\.id arrived with wire type 0/);
    bad([0x12, 0x01, 0x00], /field Outer\.count arrived with wire type 2/);
    bad([0x1d, 0, 0, 0, 0], /field Outer\.inner arrived with wire type 5/);
    bad([0x2d, 0, 0, 0, 0], /field Outer\.weight arrived with wire type 5/);
    bad([0x32, 0x00], /field Outer\.colour arrived with wire type 2/);
  });

  it("refuses truncated bytes, bad framing, field number 0 and invalid UTF-8", () => {
    bad([0x0a, 0x05, 0x61], /index out of range/);
    bad([0x0f], /Outer\.id arrived with wire type 7/);
    bad([0xff, 0x01], /invalid wire type 7/); // unknown field 31, wire type 7
    bad([0x00, 0x01], /field number 0/);
    bad([0x0a, 0x02, 0xc3, 0x28], /Outer\.id is not valid UTF-8/);
    bad([0x22, 0x02, 0x80, 0x80], /packed field Outer\.numbers is malformed/);
  });

  it("checks nested messages too", () => {
    bad([0x1a, 0x02, 0x08, 0x01], /field Inner\.text arrived with wire type 0/);
    bad([0x1a, 0x03, 0x0a, 0x01, 0xff], /Inner\.text is not valid UTF-8/);
  });
});
