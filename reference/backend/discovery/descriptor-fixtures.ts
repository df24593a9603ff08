import { fileDescriptorType } from "./descriptor-type.js";
import { FieldType, entityKeyOption } from "./file-descriptor.js";

/**
 * Hand-built FileDescriptorProtos for discovery tests, written field by field
 * so each test can break exactly one thing. (protobufjs's own descriptor
 * writer drops the entity_key option, so it cannot build these.)
 */
export type FileObject = Record<string, unknown>;

export function encodeFileDescriptor(file: FileObject): Uint8Array {
  const type = fileDescriptorType();
  return type.encode(type.fromObject(file)).finish();
}

const optional = 1;

export function field(name: string, number: number, type: number, options: { key?: boolean; typeName?: string; repeated?: boolean } = {}) {
  return {
    name,
    number,
    label: options.repeated ? 3 : optional,
    type,
    ...(options.typeName ? { type_name: options.typeName } : {}),
    ...(options.key ? { options: { [entityKeyOption]: true } } : {}),
  };
}

/** proto/shoppingcart/shoppingcart.proto, as protoc would describe it. */
export function shoppingCartFile(): FileObject {
  const key = { key: true };
  return {
    name: "shoppingcart/shoppingcart.proto",
    package: "com.example.shoppingcart",
    dependency: ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"],
    syntax: "proto3",
    message_type: [
      {
        name: "AddLineItem",
        field: [
          field("user_id", 1, FieldType.string, key),
          field("product_id", 2, FieldType.string),
          field("name", 3, FieldType.string),
          field("quantity", 4, FieldType.int32),
        ],
      },
      {
        name: "RemoveLineItem",
        field: [field("user_id", 1, FieldType.string, key), field("product_id", 2, FieldType.string)],
      },
      { name: "GetShoppingCart", field: [field("user_id", 1, FieldType.string, key)] },
      {
        name: "LineItem",
        field: [field("product_id", 1, FieldType.string), field("name", 2, FieldType.string), field("quantity", 3, FieldType.int32)],
      },
      {
        name: "Cart",
        field: [field("items", 1, FieldType.message, { repeated: true, typeName: ".com.example.shoppingcart.LineItem" })],
      },
    ],
    service: [
      {
        name: "ShoppingCart",
        method: [
          method("AddItem", ".com.example.shoppingcart.AddLineItem", ".google.protobuf.Empty"),
          method("RemoveItem", ".com.example.shoppingcart.RemoveLineItem", ".google.protobuf.Empty"),
          method("GetCart", ".com.example.shoppingcart.GetShoppingCart", ".com.example.shoppingcart.Cart"),
        ],
      },
    ],
  };
}

export function method(name: string, input: string, output: string) {
  return { name, input_type: input, output_type: output };
}

/** A one-service file whose single method `Call` takes `Request` with the given fields. */
export function singleMethodFile(fields: readonly object[], extra: { enumType?: object[] } = {}): FileObject {
  return {
    name: "test/keys.proto",
    package: "test.keys",
    dependency: ["lightbend/serverless/entitykey.proto"],
    syntax: "proto3",
    message_type: [{ name: "Request", field: fields }],
    ...(extra.enumType ? { enum_type: extra.enumType } : {}),
    service: [{ name: "Keys", method: [method("Call", ".test.keys.Request", ".test.keys.Request")] }],
  };
}
