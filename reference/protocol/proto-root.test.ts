import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as protoLoader from "@grpc/proto-loader";
import { loadProtos, protoDir } from "./proto-root.js";

describe("loadProtos", () => {
  it("keeps descriptor.proto's snake_case names even after @grpc/proto-loader registered its camelCase copy", () => {
    // proto-loader registers a camelCase descriptor.proto in protobufjs's shared registry when it loads.
    protoLoader.loadSync("lightbend/serverless/protocol.proto", { includeDirs: [protoDir] });
    const root = loadProtos(["lightbend/serverless/entitykey.proto"]);
    const field = root.lookupType("google.protobuf.FieldDescriptorProto");
    assert.ok(field.fields["type_name"], "type_name is a field");
    assert.equal(field.fields["typeName"], undefined);
    const options = root.lookupType("google.protobuf.FieldOptions");
    assert.equal(options.fields[".lightbend.serverless.entity_key"]?.id, 50002);
  });

  it("loads the sample's protos with their imports", () => {
    const root = loadProtos(["shoppingcart/shoppingcart.proto"]);
    const add = root.lookupType("com.example.shoppingcart.AddLineItem");
    assert.deepEqual(Object.keys(add.fields), ["user_id", "product_id", "name", "quantity"]);
    assert.equal(add.fields["user_id"]!.options?.["(lightbend.serverless.entity_key)"], true);
  });
});
