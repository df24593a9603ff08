import { FieldType, keyField, plainField, repeatedField, type FileDescriptorData } from "./file-descriptor-data.js";

export const cartPackage = "com.example.shoppingcart";
export const cartDomainPackage = "com.example.shoppingcart.persistence";
export const cartServiceName = `${cartPackage}.ShoppingCart`;
export const cartPersistenceId = "shopping-cart";

const t = (name: string) => `.${cartPackage}.${name}`;

/** proto/shoppingcart/shoppingcart.proto as data (the domain types stay the user function's business). */
export function cartFileDescriptor(): FileDescriptorData {
  return {
    name: "shoppingcart/shoppingcart.proto",
    package: cartPackage,
    dependency: ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"],
    message_type: [
      {
        name: "AddLineItem",
        field: [
          keyField("user_id", 1, FieldType.string),
          plainField("product_id", 2, FieldType.string),
          plainField("name", 3, FieldType.string),
          plainField("quantity", 4, FieldType.int32),
        ],
      },
      { name: "RemoveLineItem", field: [keyField("user_id", 1, FieldType.string), plainField("product_id", 2, FieldType.string)] },
      { name: "GetShoppingCart", field: [keyField("user_id", 1, FieldType.string)] },
      {
        name: "LineItem",
        field: [
          plainField("product_id", 1, FieldType.string),
          plainField("name", 2, FieldType.string),
          plainField("quantity", 3, FieldType.int32),
        ],
      },
      { name: "Cart", field: [repeatedField("items", 1, t("LineItem"))] },
    ],
    service: [
      {
        name: "ShoppingCart",
        method: [
          { name: "AddItem", input_type: t("AddLineItem"), output_type: ".google.protobuf.Empty" },
          { name: "RemoveItem", input_type: t("RemoveLineItem"), output_type: ".google.protobuf.Empty" },
          { name: "GetCart", input_type: t("GetShoppingCart"), output_type: t("Cart") },
        ],
      },
    ],
    syntax: "proto3",
  };
}
