import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import {
  FileDescriptorProtoSchema,
  file_google_protobuf_any,
  file_google_protobuf_api,
  file_google_protobuf_descriptor,
  file_google_protobuf_duration,
  file_google_protobuf_empty,
  file_google_protobuf_field_mask,
  file_google_protobuf_source_context,
  file_google_protobuf_type,
  file_google_protobuf_wrappers,
  file_google_protobuf_struct,
  file_google_protobuf_timestamp,
  type DescriptorProto,
  type FieldDescriptorProto,
  type FileDescriptorProto,
} from "@bufbuild/protobuf/wkt";
import { entityKeyProtoName, isKnownImport, knownImport, knownImportClosure } from "./known-imports.js";

/** Message and field shape, comparable between two descriptors of the same file. */
function shape(messages: readonly DescriptorProto[]): unknown {
  return messages.map((m) => ({
    name: m.name,
    fields: m.field.map((f) => [f.name, f.number, f.type, f.typeName, f.label, f.oneofIndex]).sort(),
    nested: shape(m.nestedType),
  }));
}

describe("known imports", () => {
  it("knows the well-known google/protobuf files and the entity key extension, nothing else", () => {
    for (const name of [
      "google/protobuf/empty.proto",
      "google/protobuf/any.proto",
      "google/protobuf/descriptor.proto",
      "google/protobuf/timestamp.proto",
      entityKeyProtoName,
    ]) {
      assert.ok(isKnownImport(name), name);
    }
    for (const name of [
      "acme/money.proto",
      "google/protobuf/nonsense.proto",
      "lightbend/serverless/other.proto",
      "../google/protobuf/empty.proto",
      "google/protobuf/../../package.json",
    ]) {
      assert.ok(!isKnownImport(name), name);
    }
  });

  it("describes each file as protoc does, checked against an independent protobuf library", () => {
    const reference: [string, FileDescriptorProto][] = [
      ["google/protobuf/empty.proto", file_google_protobuf_empty.proto],
      ["google/protobuf/any.proto", file_google_protobuf_any.proto],
      ["google/protobuf/timestamp.proto", file_google_protobuf_timestamp.proto],
      ["google/protobuf/struct.proto", file_google_protobuf_struct.proto],
      ["google/protobuf/duration.proto", file_google_protobuf_duration.proto],
      ["google/protobuf/wrappers.proto", file_google_protobuf_wrappers.proto],
      ["google/protobuf/field_mask.proto", file_google_protobuf_field_mask.proto],
      ["google/protobuf/source_context.proto", file_google_protobuf_source_context.proto],
    ];
    for (const [name, expected] of reference) {
      const ours = fromBinary(FileDescriptorProtoSchema, knownImport(name).descriptor);
      assert.equal(ours.name, name);
      assert.equal(ours.package, "google.protobuf");
      assert.deepEqual(ours.dependency, expected.dependency, `${name} imports`);
      assert.deepEqual(shape(ours.messageType), shape(expected.messageType), name);
      assert.deepEqual(
        ours.enumType.map((e) => e.name),
        expected.enumType.map((e) => e.name),
        name,
      );
    }
  });

  it("describes the files protobufjs ships as .proto text as a subset of today's versions", () => {
    // protobufjs carries older copies of these three; every field it knows must match the current file's.
    const reference: [string, FileDescriptorProto][] = [
      ["google/protobuf/type.proto", file_google_protobuf_type.proto],
      ["google/protobuf/api.proto", file_google_protobuf_api.proto],
      ["google/protobuf/descriptor.proto", file_google_protobuf_descriptor.proto],
    ];
    for (const [name, expected] of reference) {
      const ours = fromBinary(FileDescriptorProtoSchema, knownImport(name).descriptor);
      assert.deepEqual(ours.dependency, expected.dependency, `${name} imports`);
      const theirs = new Map<string, DescriptorProto>();
      const index = (scope: string, messages: readonly DescriptorProto[]): void => {
        for (const m of messages) {
          theirs.set(`${scope}.${m.name}`, m);
          index(`${scope}.${m.name}`, m.nestedType);
        }
      };
      index("", expected.messageType);
      const check = (scope: string, messages: readonly DescriptorProto[]): void => {
        for (const m of messages) {
          const other = theirs.get(`${scope}.${m.name}`);
          assert.ok(other, `${name}: message ${scope}.${m.name}`);
          for (const f of m.field) {
            const same: FieldDescriptorProto | undefined = other.field.find((g) => g.name === f.name);
            assert.ok(same, `${name}: field ${m.name}.${f.name}`);
            assert.deepEqual(
              [f.number, f.type, f.typeName, f.label],
              [same.number, same.type, same.typeName, same.label],
              `${m.name}.${f.name}`,
            );
          }
          // Range ends are exclusive in a descriptor; reflection clients refuse inclusive ones.
          // (Reserved ranges differ between protobufjs's older copy and today's file, so extensions only.)
          const ranges = (d: DescriptorProto) => d.extensionRange.map((r) => `${r.start}..${r.end}`);
          for (const range of ranges(m))
            assert.ok(ranges(other).includes(range), `${m.name} range ${range} in ${ranges(other).join(", ")}`);
          check(`${scope}.${m.name}`, m.nestedType);
        }
      };
      check("", ours.messageType);
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
    const names = knownImportClosure([entityKeyProtoName, "google/protobuf/empty.proto", "google/protobuf/descriptor.proto"]).map(
      (k) => k.name,
    );
    assert.deepEqual(names, ["google/protobuf/descriptor.proto", entityKeyProtoName, "google/protobuf/empty.proto"]);
  });
});
