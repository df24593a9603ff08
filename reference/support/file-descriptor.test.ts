import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { createFileRegistry, fromBinary, getExtension } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
  FileOptions_OptimizeMode,
  file_google_protobuf_descriptor,
  file_google_protobuf_empty,
  type FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import protobuf from "protobufjs";
import { loadProtos, protoDir, protocolProtos } from "../protocol/index.js";
import { buildFileDescriptorProto } from "./file-descriptor.js";

const testdata = fileURLToPath(new URL("./testdata", import.meta.url));
const fixtureName = "descriptor-fixture.proto";

function fixtureDescriptor(): FileDescriptorProto {
  const root = loadProtos([fixtureName], { includeDirs: [testdata] });
  const bytes = buildFileDescriptorProto(root, { path: join(testdata, fixtureName), name: fixtureName });
  return fromBinary(FileDescriptorProtoSchema, bytes);
}

/** entitykey.proto's descriptor, built the same way, so a registry can resolve the fixture's imports. */
function entityKeyDescriptor(): FileDescriptorProto {
  const name = "lightbend/serverless/entitykey.proto";
  return fromBinary(FileDescriptorProtoSchema, buildFileDescriptorProto(protocolProtos(), { path: join(protoDir, name), name }));
}

/** The raw bytes of FileDescriptorSet.file[0] (field 1), read without re-encoding. */
function firstFileOf(set: Uint8Array): Uint8Array {
  const reader = protobuf.Reader.create(set);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === 1 && (tag & 7) === 2) return reader.bytes();
    reader.skipType(tag & 7);
  }
  throw new Error("no file in the FileDescriptorSet");
}

describe("buildFileDescriptorProto", () => {
  it("names the file by its import path and lists package, imports and syntax", () => {
    const file = fixtureDescriptor();
    assert.equal(file.name, "descriptor-fixture.proto");
    assert.equal(file.package, "support.fixture");
    assert.deepEqual(file.dependency, ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"]);
    assert.equal(file.syntax, "proto3");
    assert.equal(file.options?.javaPackage, "com.example.fixture");
    assert.equal(file.options?.optimizeFor, FileOptions_OptimizeMode.CODE_SIZE);
  });

  it("writes the same bytes as protoc for the project's protos", () => {
    for (const name of [
      "shoppingcart/shoppingcart.proto",
      "shoppingcart/domain.proto",
      "tck/model.proto",
      "lightbend/serverless/entitykey.proto",
    ]) {
      const root = loadProtos([name]);
      const ours = buildFileDescriptorProto(root, { path: join(protoDir, name), name });
      const golden = firstFileOf(readFileSync(join(testdata, "protoc", `${name.split("/").pop()}.pb`)));
      assert.deepEqual(Buffer.from(ours).toString("hex"), Buffer.from(golden).toString("hex"), name);
    }
  });

  it("writes fields with labels, types and fully qualified type names", () => {
    const outer = fixtureDescriptor().messageType.find((m) => m.name === "Outer");
    assert.ok(outer);
    const byName = Object.fromEntries(outer.field.map((f) => [f.name, f]));
    assert.equal(byName["key"]?.type, FieldDescriptorProto_Type.STRING);
    assert.equal(byName["key"]?.label, FieldDescriptorProto_Label.OPTIONAL);
    assert.equal(byName["inner"]?.typeName, ".support.fixture.Outer.Inner");
    assert.equal(byName["by_name"]?.label, FieldDescriptorProto_Label.REPEATED);
    assert.equal(byName["by_name"]?.typeName, ".support.fixture.Outer.ByNameEntry");
    assert.equal(byName["counts"]?.type, FieldDescriptorProto_Type.INT64);
    assert.equal(byName["counts"]?.options?.packed, false);
    assert.equal(byName["color"]?.typeName, ".support.fixture.Color");
    assert.equal(byName["color"]?.oneofIndex, 0);
    assert.equal(byName["maybe"]?.proto3Optional, true);
    assert.deepEqual(
      outer.oneofDecl.map((o) => o.name),
      ["choice", "_maybe"],
    );
    assert.deepEqual(
      outer.reservedRange.map((r) => [r.start, r.end]),
      [
        [9, 10],
        [11, 14],
      ],
    );
    assert.deepEqual(outer.reservedName, ["gone"]);
    const entry = outer.nestedType.find((n) => n.name === "ByNameEntry");
    assert.equal(entry?.options?.mapEntry, true);
    assert.deepEqual(
      entry?.field.map((f) => [f.name, f.number, f.typeName]),
      [
        ["key", 1, ""],
        ["value", 2, ".support.fixture.Outer.Inner"],
      ],
    );
    const inner = outer.nestedType.find((n) => n.name === "Inner");
    assert.equal(inner?.options?.deprecated, true);
    assert.equal(inner?.field[0]?.options?.deprecated, true);
  });

  it("writes enums and services with options and streaming flags", () => {
    const file = fixtureDescriptor();
    const color = file.enumType[0];
    assert.equal(color?.name, "Color");
    assert.equal(color?.options?.allowAlias, true);
    assert.deepEqual(
      color?.value.map((v) => [v.name, v.number, v.options?.deprecated ?? false]),
      [
        ["COLOR_UNSPECIFIED", 0, false],
        ["RED", 1, false],
        ["CRIMSON", 1, true],
      ],
    );
    const service = file.service[0];
    assert.equal(service?.name, "Fixture");
    const [unary, duplex] = service?.method ?? [];
    assert.deepEqual(
      [unary?.inputType, unary?.outputType, unary?.clientStreaming, unary?.serverStreaming],
      [".support.fixture.Outer", ".google.protobuf.Empty", false, false],
    );
    assert.deepEqual(
      [duplex?.inputType, duplex?.outputType, duplex?.clientStreaming, duplex?.serverStreaming, duplex?.options?.deprecated],
      [".support.fixture.Outer", ".support.fixture.Outer.Inner", true, true, true],
    );
  });

  it("keeps entity_key as extension field 50002, readable by an independent registry", () => {
    const file = fixtureDescriptor();
    const key = file.messageType.find((m) => m.name === "Outer")?.field.find((f) => f.name === "key");
    // Unknown to the plain descriptor schema: the raw extension field, varint true.
    assert.deepEqual(
      key?.options?.$unknown?.map((u) => [u.no, u.wireType, [...u.data]]),
      [[50002, 0, [1]]],
    );
    const registry = createFileRegistry(file, (name) => {
      if (name === "google/protobuf/empty.proto") return file_google_protobuf_empty;
      if (name === "google/protobuf/descriptor.proto") return file_google_protobuf_descriptor;
      if (name === "lightbend/serverless/entitykey.proto") return entityKeyDescriptor();
      return undefined;
    });
    const entityKey = registry.getExtension("lightbend.serverless.entity_key");
    assert.ok(entityKey, "entitykey.proto's own descriptor declares the extension");
    assert.equal(entityKey.number, 50002);
    const outer = registry.getMessage("support.fixture.Outer");
    const keyField = outer?.fields.find((f) => f.name === "key");
    assert.ok(keyField?.proto.options);
    assert.equal(getExtension(keyField.proto.options, entityKey), true);
    assert.equal(registry.getService("support.fixture.Fixture")?.methods.length, 2);
  });
});
