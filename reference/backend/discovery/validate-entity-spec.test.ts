import assert from "node:assert/strict";
import { describe, it } from "node:test";
import protobuf from "protobufjs";
import { loadProtos } from "../../protocol/index.js";
import { fileDescriptorType } from "./descriptor-type.js";
import { encodeFileDescriptor, field, method, shoppingCartFile, singleMethodFile, type FileObject } from "./descriptor-fixtures.js";
import { FieldType } from "./file-descriptor.js";
import { SpecError } from "./spec-error.js";
import { EntityKeyError, type UserService } from "./user-service.js";
import { validateEntitySpec } from "./validate-entity-spec.js";

const cartProtos = loadProtos(["shoppingcart/shoppingcart.proto"]);
const encodeCart = (type: string, value: object): Uint8Array => {
  const t = cartProtos.lookupType(`com.example.shoppingcart.${type}`);
  return t.encode(t.fromObject(value)).finish();
};

function specOf(file: FileObject, overrides: { serviceName?: string; persistenceId?: string } = {}) {
  return {
    proto: encodeFileDescriptor(file),
    serviceName: overrides.serviceName ?? "com.example.shoppingcart.ShoppingCart",
    persistenceId: overrides.persistenceId ?? "shopping-cart",
  };
}

function specError(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof SpecError, `expected a SpecError, got ${String(error)}`);
    assert.match(error.message, pattern);
    return true;
  };
}

describe("validateEntitySpec", () => {
  it("reads the shopping cart spec: service, methods, paths, types, persistence id", () => {
    const service = validateEntitySpec(specOf(shoppingCartFile()));
    assert.equal(service.name, "com.example.shoppingcart.ShoppingCart");
    assert.equal(service.persistenceId, "shopping-cart");
    assert.deepEqual([...service.methods.keys()], ["AddItem", "RemoveItem", "GetCart"]);
    const add = service.methods.get("AddItem");
    assert.ok(add);
    assert.equal(add.path, "/com.example.shoppingcart.ShoppingCart/AddItem");
    assert.equal(add.inputType, "com.example.shoppingcart.AddLineItem");
    assert.equal(add.outputType, "google.protobuf.Empty");
    assert.equal(add.clientStreaming, false);
    assert.equal(add.serverStreaming, false);
    assert.equal(service.methods.get("GetCart")?.outputType, "com.example.shoppingcart.Cart");
  });

  it("extracts the entity id from real requests without changing their bytes", () => {
    const service = validateEntitySpec(specOf(shoppingCartFile()));
    const request = encodeCart("AddLineItem", { user_id: "user-1", product_id: "456", name: "Flour", quantity: 8 });
    const before = Uint8Array.from(request);
    assert.equal(service.methods.get("AddItem")?.entityIdOf(request), "user-1");
    assert.ok(Buffer.from(request).equals(Buffer.from(before)), "the request bytes changed");
    assert.equal(service.methods.get("GetCart")?.entityIdOf(encodeCart("GetShoppingCart", { user_id: "u 2" })), "u 2");
  });

  it("offers the user's descriptor as received and the files it imports, for reflection", () => {
    const spec = specOf(shoppingCartFile());
    const service = validateEntitySpec(spec);
    assert.deepEqual(service.fileDescriptors[0], spec.proto);
    const names = service.fileDescriptors.map((bytes) => (fileDescriptorType().decode(bytes) as unknown as { name: string }).name);
    assert.deepEqual(
      new Set(names),
      new Set([
        "shoppingcart/shoppingcart.proto",
        "google/protobuf/empty.proto",
        "google/protobuf/descriptor.proto",
        "lightbend/serverless/entitykey.proto",
      ]),
    );
  });

  it("accepts the service's bare name too", () => {
    assert.equal(
      validateEntitySpec(specOf(shoppingCartFile(), { serviceName: "ShoppingCart" })).name,
      "com.example.shoppingcart.ShoppingCart",
    );
  });

  it("refuses a spec naming a service the file lacks, listing the services present", () => {
    assert.throws(
      () => validateEntitySpec(specOf(shoppingCartFile(), { serviceName: "com.example.shoppingcart.Wishlist" })),
      specError(
        /"com\.example\.shoppingcart\.Wishlist" is not defined in shoppingcart\/shoppingcart\.proto; it defines com\.example\.shoppingcart\.ShoppingCart/,
      ),
    );
    const noServices = { ...shoppingCartFile(), service: [] };
    assert.throws(() => validateEntitySpec(specOf(noServices)), specError(/it defines no service/));
  });

  it("refuses a method whose input type has no key field, naming the method and the type", () => {
    const file = shoppingCartFile();
    const messages = file["message_type"] as { name: string; field: object[] }[];
    const get = messages.find((m) => m.name === "GetShoppingCart");
    assert.ok(get);
    get.field = [field("user_id", 1, FieldType.string)];
    assert.throws(
      () => validateEntitySpec(specOf(file)),
      specError(
        /method com\.example\.shoppingcart\.ShoppingCart\.GetCart: its input type com\.example\.shoppingcart\.GetShoppingCart has no field marked \(lightbend\.serverless\.entity_key\)/,
      ),
    );
  });

  it("refuses a method taking a type that can never hold a key, such as google.protobuf.Empty", () => {
    const file = shoppingCartFile();
    (file["service"] as { method: object[] }[])[0]?.method.push(method("Clear", ".google.protobuf.Empty", ".google.protobuf.Empty"));
    assert.throws(
      () => validateEntitySpec(specOf(file)),
      specError(/ShoppingCart\.Clear: its input type google\.protobuf\.Empty has no field marked/),
    );
  });

  it("refuses a method whose input type the descriptor does not define", () => {
    const file = shoppingCartFile();
    (file["service"] as { method: object[] }[])[0]?.method.push(
      method("Check", ".com.example.shoppingcart.Missing", ".google.protobuf.Empty"),
    );
    assert.throws(
      () => validateEntitySpec(specOf(file)),
      specError(/ShoppingCart\.Check takes com\.example\.shoppingcart\.Missing, which the descriptor does not define/),
    );
  });

  it("refuses an empty persistence id", () => {
    assert.throws(() => validateEntitySpec(specOf(shoppingCartFile(), { persistenceId: "" })), specError(/persistence id is empty/));
  });

  it("refuses a spec naming no service", () => {
    assert.throws(() => validateEntitySpec(specOf(shoppingCartFile(), { serviceName: "" })), specError(/names no service/));
  });

  it("refuses descriptor bytes that do not parse, and a missing descriptor", () => {
    const spec = { proto: Uint8Array.from([0x0a, 0xff, 0xff]), serviceName: "a.B", persistenceId: "p" };
    assert.throws(() => validateEntitySpec(spec), specError(/the EntitySpec.s descriptor does not parse as a FileDescriptorProto: /));
    assert.throws(() => validateEntitySpec({ ...spec, proto: new Uint8Array(0) }), specError(/carries no descriptor/));
  });

  it("refuses an import the backend does not know, naming it", () => {
    const file = {
      ...shoppingCartFile(),
      dependency: ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto", "acme/money.proto"],
    };
    assert.throws(() => validateEntitySpec(specOf(file)), specError(/imports "acme\/money\.proto", which the backend does not know/));
  });

  it("resolves every well-known google/protobuf import", () => {
    const file: FileObject = {
      ...shoppingCartFile(),
      dependency: [
        "google/protobuf/empty.proto",
        "google/protobuf/timestamp.proto",
        "google/protobuf/any.proto",
        "lightbend/serverless/entitykey.proto",
      ],
    };
    const messages = file["message_type"] as { name: string; field: object[] }[];
    messages[0]?.field.push(field("at", 9, FieldType.message, { typeName: ".google.protobuf.Timestamp" }));
    const service = validateEntitySpec(specOf(file));
    const request = Uint8Array.from([...encodeCart("AddLineItem", { user_id: "u" }), 0x4a, 0x02, 0x08, 0x01]);
    assert.equal(service.methods.get("AddItem")?.entityIdOf(request), "u");
  });

  it("serves a partial descriptor whose request types hold only their key fields", () => {
    const file = shoppingCartFile();
    const messages = file["message_type"] as { name: string; field: object[] }[];
    for (const m of messages) m.field = m.field.filter((f) => (f as { name: string }).name === "user_id");
    const service = validateEntitySpec(specOf(file));
    const request = encodeCart("AddLineItem", { user_id: "user-9", product_id: "p", name: "Eggs", quantity: 3 });
    const before = Uint8Array.from(request);
    assert.equal(service.methods.get("AddItem")?.entityIdOf(request), "user-9");
    assert.ok(Buffer.from(request).equals(Buffer.from(before)), "the request bytes changed");
  });

  it("reports every method without a key at once", () => {
    const file = shoppingCartFile();
    for (const m of file["message_type"] as { field: { options?: unknown }[] }[]) for (const f of m.field) delete f.options;
    assert.throws(
      () => validateEntitySpec(specOf(file)),
      (error: unknown) => {
        assert.ok(error instanceof SpecError);
        for (const name of ["AddItem", "RemoveItem", "GetCart"]) assert.match(error.message, new RegExp(`ShoppingCart\\.${name}:`));
        return true;
      },
    );
  });

  it("refuses key fields that cannot map to an id: floating point, messages, repeated", () => {
    for (const bad of [
      field("id", 1, FieldType.double, { key: true }),
      field("id", 1, FieldType.float, { key: true }),
      field("id", 1, FieldType.message, { key: true, typeName: ".test.keys.Request" }),
      field("id", 1, FieldType.string, { key: true, repeated: true }),
    ]) {
      assert.throws(
        () =>
          validateEntitySpec({ proto: encodeFileDescriptor(singleMethodFile([bad])), serviceName: "test.keys.Keys", persistenceId: "p" }),
        specError(/key field test\.keys\.Request\.id must be a single string, integer, bool, enum or bytes value/),
      );
    }
  });
});

describe("entity ids from key fields", () => {
  /** A service whose `Call` method takes `Request` with these fields, and an encoder for it. */
  function keyed(fields: readonly object[], json: protobuf.INamespace): { service: UserService; encode(value: object): Uint8Array } {
    const service = validateEntitySpec({
      proto: encodeFileDescriptor(
        singleMethodFile(fields, {
          enumType: [
            {
              name: "Colour",
              value: [
                { name: "RED", number: 0 },
                { name: "GREEN", number: 1 },
                { name: "BLUE", number: -2 },
              ],
            },
          ],
        }),
      ),
      serviceName: "test.keys.Keys",
      persistenceId: "keys",
    });
    const type = protobuf.Root.fromJSON(json).lookupType("Request");
    return { service, encode: (value) => type.encode(type.fromObject(value)).finish() };
  }
  const idOf = (k: ReturnType<typeof keyed>, value: object) => k.service.methods.get("Call")?.entityIdOf(k.encode(value));

  const single = (type: number, jsonType: string, extra: object = {}) =>
    keyed([field("id", 1, type, { key: true, ...extra })], { nested: { Request: { fields: { id: { id: 1, type: jsonType } } } } });

  it("keeps a single string key raw, odd characters included", () => {
    const k = single(FieldType.string, "string");
    for (const id of ["user-1", "a/b", "with space", "100%", "ünïcødé ✓ 日本", "a\\b-c", "-", "\\"]) {
      assert.equal(idOf(k, { id }), id);
    }
  });

  it("writes integers of every width as decimal text", () => {
    const cases: [number, string, object, string][] = [
      [FieldType.int32, "int32", { id: -7 }, "-7"],
      [FieldType.sint32, "sint32", { id: -2147483648 }, "-2147483648"],
      [FieldType.sfixed32, "sfixed32", { id: 12 }, "12"],
      [FieldType.uint32, "uint32", { id: 4294967295 }, "4294967295"],
      [FieldType.fixed32, "fixed32", { id: 4294967295 }, "4294967295"],
      [FieldType.int64, "int64", { id: "-9223372036854775808" }, "-9223372036854775808"],
      [FieldType.sint64, "sint64", { id: "9223372036854775807" }, "9223372036854775807"],
      [FieldType.sfixed64, "sfixed64", { id: "-1" }, "-1"],
      [FieldType.uint64, "uint64", { id: "18446744073709551615" }, "18446744073709551615"],
      [FieldType.fixed64, "fixed64", { id: "9007199254740993" }, "9007199254740993"],
      [FieldType.int64, "int64", { id: 0 }, "0"],
    ];
    for (const [type, jsonType, value, expected] of cases) {
      const k = single(type, jsonType);
      assert.equal(k.service.methods.get("Call")?.entityIdOf(k.encode(value)), expected, `${jsonType} ${expected}`);
    }
    // A zero written explicitly (proto2, or proto3 `optional`) reads the same as one left out.
    assert.equal(
      single(FieldType.int64, "int64")
        .service.methods.get("Call")
        ?.entityIdOf(Uint8Array.from([0x08, 0x00])),
      "0",
    );
  });

  it("writes bools as true/false, enums as their number, bytes as lowercase hex", () => {
    assert.equal(idOf(single(FieldType.bool, "bool"), { id: true }), "true");
    assert.equal(idOf(single(FieldType.bool, "bool"), { id: false }), "false", "false is never on the wire in proto3");
    assert.equal(
      single(FieldType.bool, "bool")
        .service.methods.get("Call")
        ?.entityIdOf(Uint8Array.from([0x08, 0x00])),
      "false",
    );
    const colour = keyed([field("id", 1, FieldType.enum, { key: true, typeName: ".test.keys.Colour" })], {
      nested: { Request: { fields: { id: { id: 1, type: "int32" } } } },
    });
    assert.equal(idOf(colour, { id: 1 }), "1");
    assert.equal(idOf(colour, { id: -2 }), "-2");
    assert.equal(idOf(colour, { id: 77 }), "77", "a number the descriptor does not list still maps");
    assert.equal(idOf(colour, { id: 0 }), "0", "the first value, never on the wire in proto3");
    assert.equal(idOf(single(FieldType.bytes, "bytes"), { id: Uint8Array.from([0, 1, 0xab, 0xff]) }), "0001abff");
  });

  it("joins several keys with - in field-number order, escaping \\ and - inside parts", () => {
    const k = keyed(
      [field("b", 2, FieldType.string, { key: true }), field("note", 3, FieldType.string), field("a", 1, FieldType.string, { key: true })],
      { nested: { Request: { fields: { a: { id: 1, type: "string" }, b: { id: 2, type: "string" }, note: { id: 3, type: "string" } } } } },
    );
    const table: [string, string, string][] = [
      ["x", "y", "x-y"],
      ["a-b", "c", "a\\-b-c"],
      ["a", "b-c", "a-b\\-c"],
      ["a\\", "b", "a\\\\-b"],
      ["a", "\\-b", "a-\\\\\\-b"],
      ["/ %", "ü ✓", "/ %-ü ✓"],
    ];
    for (const [a, b, expected] of table) assert.equal(idOf(k, { a, b, note: "ignored" }), expected, `(${a}, ${b})`);
  });

  it("joins mixed key types like the TCK's CompositeRequest, defaults included", () => {
    const k = keyed(
      [
        field("part_a", 1, FieldType.string, { key: true }),
        field("part_b", 3, FieldType.int64, { key: true }),
        field("part_c", 4, FieldType.bool, { key: true }),
        field("part_d", 5, FieldType.enum, { key: true, typeName: ".test.keys.Colour" }),
      ],
      {
        nested: {
          Request: {
            fields: {
              part_a: { id: 1, type: "string" },
              part_b: { id: 3, type: "int64" },
              part_c: { id: 4, type: "bool" },
              part_d: { id: 5, type: "int32" },
            },
          },
        },
      },
    );
    assert.equal(idOf(k, { part_a: "da-sh", part_b: 42, part_c: true, part_d: 2 }), "da\\-sh-42-true-2");
    assert.equal(idOf(k, { part_a: "k", part_b: 7, part_c: false, part_d: 0 }), "k-7-false-0");
    assert.equal(idOf(k, { part_a: "k" }), "k-0-false-0");
  });

  it("refuses an empty or unset string or bytes key with EntityKeyError", () => {
    const k = single(FieldType.string, "string");
    assert.throws(() => idOf(k, { id: "" }), EntityKeyError);
    assert.throws(() => k.service.methods.get("Call")?.entityIdOf(new Uint8Array(0)), /no value for its key field "id"/);
    assert.equal(idOf(single(FieldType.int32, "int32"), {}), "0", "an unset number key is its default, not a missing key");
    assert.throws(() => idOf(single(FieldType.bytes, "bytes"), { id: new Uint8Array(0) }), EntityKeyError);
    const composite = keyed([field("a", 1, FieldType.string, { key: true }), field("b", 2, FieldType.string, { key: true })], {
      nested: { Request: { fields: { a: { id: 1, type: "string" }, b: { id: 2, type: "string" } } } },
    });
    assert.throws(() => idOf(composite, { a: "x" }), /no value for its key field "b"/);
    assert.throws(() => idOf(composite, { b: "x" }), /no value for its key field "a"/);
  });

  it("refuses a request whose non-key field has the wrong wire type", () => {
    const service = validateEntitySpec({
      proto: encodeFileDescriptor(shoppingCartFile()),
      serviceName: "ShoppingCart",
      persistenceId: "p",
    });
    // user_id "u", then quantity (field 4, int32) sent as a length-delimited string.
    const request = Uint8Array.from([0x0a, 0x01, 0x75, 0x22, 0x01, 0x35]);
    assert.throws(
      () => service.methods.get("AddItem")?.entityIdOf(request),
      (error: unknown) => {
        assert.ok(error instanceof EntityKeyError);
        assert.match(
          error.message,
          /not a valid com\.example\.shoppingcart\.AddLineItem: field AddLineItem\.quantity arrived with wire type 2/,
        );
        return true;
      },
    );
  });

  it("refuses bytes that do not parse as the input type with EntityKeyError", () => {
    const k = single(FieldType.string, "string");
    const call = k.service.methods.get("Call");
    assert.ok(call);
    for (const garbage of [[0x0a, 0x05, 0x61], [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], [0x0f]]) {
      assert.throws(
        () => call.entityIdOf(Uint8Array.from(garbage)),
        (error: unknown) => {
          assert.ok(error instanceof EntityKeyError);
          assert.match(error.message, /not a valid test\.keys\.Request/);
          return true;
        },
      );
    }
  });
});
