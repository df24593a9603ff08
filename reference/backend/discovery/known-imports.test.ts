import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import {
  FileDescriptorProtoSchema,
  file_google_protobuf_any,
  file_google_protobuf_descriptor,
  file_google_protobuf_empty,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  type DescriptorProto,
  type FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import { entityKeyProtoName, isKnownImport, knownImport, knownImportClosure } from "./known-imports.js";

/** Message and field shape, comparable between two descriptors of the same file. */
function shape(messages: readonly DescriptorProto[]): unknown {
  return messages.map((m) => ({
    name: m.name,
    fields: m.field.map((f) => [f.name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()), f.number, f.type, f.typeName]).sort(),
    nested: shape(m.nestedType),
  }));
}

describe("known imports", () => {
  it("knows the well-known google/protobuf files and the entity key extension, nothing else", () => {
    for (const name of ["google/protobuf/empty.proto", "google/protobuf/any.proto", "google/protobuf/descriptor.proto", "google/protobuf/timestamp.proto", entityKeyProtoName]) {
      assert.ok(isKnownImport(name), name);
    }
    for (const name of ["acme/money.proto", "google/protobuf/nonsense.proto", "lightbend/serverless/other.proto", "../google/protobuf/empty.proto", "google/protobuf/../../package.json"]) {
      assert.ok(!isKnownImport(name), name);
    }
  });

  it("describes each file as protoc does, checked against an independent protobuf library", () => {
    const reference: [string, FileDescriptorProto][] = [
      ["google/protobuf/empty.proto", file_google_protobuf_empty.proto],
      ["google/protobuf/any.proto", file_google_protobuf_any.proto],
      ["google/protobuf/timestamp.proto", file_google_protobuf_timestamp.proto],
      ["google/protobuf/struct.proto", file_google_protobuf_struct.proto],
    ];
    for (const [name, expected] of reference) {
      const ours = fromBinary(FileDescriptorProtoSchema, knownImport(name).descriptor);
      assert.equal(ours.name, name);
      assert.equal(ours.package, "google.protobuf");
      assert.deepEqual(shape(ours.messageType), shape(expected.messageType), name);
      assert.deepEqual(ours.enumType.map((e) => e.name), expected.enumType.map((e) => e.name), name);
    }
    const descriptor = fromBinary(FileDescriptorProtoSchema, knownImport("google/protobuf/descriptor.proto").descriptor);
    const expectedNames = file_google_protobuf_descriptor.proto.messageType.map((m) => m.name);
    for (const name of ["FileDescriptorProto", "FieldOptions", "MethodDescriptorProto"]) {
      assert.ok(descriptor.messageType.some((m) => m.name === name) && expectedNames.includes(name), name);
    }
  });

  it("describes the entity key extension on FieldOptions, number 50002", () => {
    const file = fromBinary(FileDescriptorProtoSchema, knownImport(entityKeyProtoName).descriptor);
    assert.equal(file.package, "lightbend.serverless");
    assert.deepEqual(file.dependency, ["google/protobuf/descriptor.proto"]);
    const [extension] = file.extension;
    assert.equal(extension?.name, "entity_key");
    assert.equal(extension?.number, 50002);
    assert.equal(extension?.extendee, ".google.protobuf.FieldOptions");
  });

  it("lists a file's imports before it, each once", () => {
    const names = knownImportClosure([entityKeyProtoName, "google/protobuf/empty.proto", "google/protobuf/descriptor.proto"]).map((k) => k.name);
    assert.deepEqual(names, ["google/protobuf/descriptor.proto", entityKeyProtoName, "google/protobuf/empty.proto"]);
  });
});
