import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import protobuf from "protobufjs";
import { encodeFileDescriptor, field, singleMethodFile } from "./descriptor-fixtures.js";
import { escapeKeyPart, joinEntityKey, keyPartText } from "./entity-key.js";
import { FieldType } from "./file-descriptor.js";
import { EntityKeyError } from "./user-service.js";
import { validateEntitySpec } from "./validate-entity-spec.js";

/** Key parts rich in the characters that matter to the join: separators and escapes. */
const keyPart = fc.string({ minLength: 1, maxLength: 8, unit: fc.constantFrom("-", "\\", "a", "b", "/", " ", "%", "ü", "✓") });

describe("entity key joining", () => {
  it("escapes backslash then hyphen", () => {
    const table: [string, string][] = [
      ["plain", "plain"],
      ["a-b", "a\\-b"],
      ["a\\b", "a\\\\b"],
      ["\\-", "\\\\\\-"],
      ["--", "\\-\\-"],
      ["/ %ü", "/ %ü"],
    ];
    for (const [part, escaped] of table) assert.equal(escapeKeyPart(part), escaped, part);
  });

  it("keeps a single key raw and refuses an empty part", () => {
    assert.equal(joinEntityKey([{ field: "id", text: "a-b\\c" }]), "a-b\\c");
    assert.throws(() => joinEntityKey([{ field: "id", text: "" }]), EntityKeyError);
    assert.throws(
      () =>
        joinEntityKey([
          { field: "a", text: "x" },
          { field: "b", text: "" },
        ]),
      /"b"/,
    );
  });

  it("turns 64-bit halves into exact decimal text, signed or unsigned", () => {
    // The halves as a protobufjs Long carries them (low and high 32 bits, each as a signed int32).
    assert.equal(keyPartText("signed", { low: 0, high: -2147483648 }), "-9223372036854775808");
    assert.equal(keyPartText("signed", { low: -1, high: -1 }), "-1");
    assert.equal(keyPartText("unsigned", { low: -1, high: -1 }), "18446744073709551615");
    assert.equal(keyPartText("unsigned", { low: 1, high: 1 }), "4294967297");
    assert.equal(keyPartText("unsigned", -1), "4294967295");
    assert.equal(keyPartText("bool", false), "false");
    assert.equal(keyPartText("bytes", Uint8Array.from([0x0f, 0xa0])), "0fa0");
  });

  it("never maps two distinct key tuples to the same entity id (property)", () => {
    const tuple = fc.array(keyPart, { minLength: 2, maxLength: 4 });
    fc.assert(
      fc.property(fc.tuple(tuple, tuple), ([a, b]) => {
        fc.pre(a.length === b.length && a.join("\u0000") !== b.join("\u0000"));
        const id = (parts: string[]) => joinEntityKey(parts.map((text, i) => ({ field: `k${i}`, text })));
        return id(a) !== id(b);
      }),
      { numRuns: 2000 },
    );
  });

  it("never maps two distinct requests' key pairs to the same entity id, end to end (property)", () => {
    const service = validateEntitySpec({
      proto: encodeFileDescriptor(
        singleMethodFile([field("a", 1, FieldType.string, { key: true }), field("b", 2, FieldType.string, { key: true })]),
      ),
      serviceName: "test.keys.Keys",
      persistenceId: "keys",
    });
    const call = service.methods.get("Call");
    assert.ok(call);
    const type = protobuf.Root.fromJSON({
      nested: { Request: { fields: { a: { id: 1, type: "string" }, b: { id: 2, type: "string" } } } },
    }).lookupType("Request");
    const idOf = ([a, b]: [string, string]) => call.entityIdOf(type.encode(type.fromObject({ a, b })).finish());
    fc.assert(
      fc.property(fc.tuple(keyPart, keyPart), fc.tuple(keyPart, keyPart), (x, y) => {
        fc.pre(x[0] !== y[0] || x[1] !== y[1]);
        return idOf(x) !== idOf(y);
      }),
      { numRuns: 500 },
    );
  });
});
