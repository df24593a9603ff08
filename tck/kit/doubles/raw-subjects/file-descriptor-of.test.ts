import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { ModelEntitySubject } from "../../subjects/model-entity-subject.js";
import { fileDescriptorOf } from "./file-descriptor-of.js";

// Read back field by field; the entity_key option on the wire (field 50002 = 1), not through the extension that wrote it.
describe("fileDescriptorOf (the raw model entity's ready() descriptor)", () => {
  const subject = new ModelEntitySubject();
  const bytes = fileDescriptorOf(subject.root, "tck/model.proto", ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"]);
  const file = fromBinary(FileDescriptorProtoSchema, bytes);

  it("names the file, package, imports and the ModelEntity service with its streaming shapes", () => {
    assert.equal(file.name, "tck/model.proto");
    assert.equal(file.package, "lightbend.serverless.tck.model");
    assert.deepEqual(file.dependency, ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"]);
    const methods = file.service[0]?.method.map((m) => [m.name, m.inputType, m.outputType, m.clientStreaming, m.serverStreaming]);
    assert.deepEqual(methods, [
      ["Process", ".lightbend.serverless.tck.model.Request", ".lightbend.serverless.tck.model.Response", false, false],
      ["ProcessEmpty", ".lightbend.serverless.tck.model.Request", ".google.protobuf.Empty", false, false],
      ["ProcessComposite", ".lightbend.serverless.tck.model.CompositeRequest", ".lightbend.serverless.tck.model.Response", false, false],
      ["ProcessStream", ".lightbend.serverless.tck.model.Request", ".lightbend.serverless.tck.model.Response", true, true],
    ]);
  });

  it("marks exactly the key fields with option 50002 (entity_key) = true", () => {
    const keyed = file.messageType.flatMap((m) =>
      m.field
        .filter((f) => f.options?.$unknown?.some((u) => u.no === 50002 && u.data.length === 1 && u.data[0] === 1))
        .map((f) => `${m.name}.${f.name}`),
    );
    assert.deepEqual(keyed, [
      "Request.id",
      "CompositeRequest.part_a",
      "CompositeRequest.part_b",
      "CompositeRequest.part_c",
      "CompositeRequest.part_d",
    ]);
  });

  it("keeps the oneof of RequestAction and the Kind enum", () => {
    const action = file.messageType.find((m) => m.name === "RequestAction");
    assert.deepEqual(
      action?.oneofDecl.map((o) => o.name),
      ["action"],
    );
    assert.ok(action?.field.every((f) => f.oneofIndex === 0));
    assert.deepEqual(
      file.enumType[0]?.value.map((v) => [v.name, v.number]),
      [
        ["KIND_UNSPECIFIED", 0],
        ["KIND_ONE", 1],
        ["KIND_TWO", 2],
      ],
    );
  });
});
