import type { FileDescriptorProto } from "@bufbuild/protobuf/wkt";
import { FieldType, fileDescriptor, keyField, plainField, repeatedField } from "./file-descriptor.js";

export const cartPackage = "com.example.shoppingcart";
export const cartDomainPackage = "com.example.shoppingcart.persistence";
export const cartServiceName = `${cartPackage}.ShoppingCart`;
export const cartPersistenceId = "shopping-cart";

const t = (name: string) => `.${cartPackage}.${name}`;

/** proto/shoppingcart/shoppingcart.proto as data (the domain types stay the user function's business). */
export function cartFileDescriptor(): FileDescriptorProto {
  return fileDescriptor({
    name: "shoppingcart/shoppingcart.proto",
    package: cartPackage,
    messageType: [
      {
        name: "AddLineItem",
        field: [
          keyField("user_id", 1, FieldType.STRING),
          plainField("product_id", 2, FieldType.STRING),
          plainField("name", 3, FieldType.STRING),
          plainField("quantity", 4, FieldType.INT32),
        ],
      },
      { name: "RemoveLineItem", field: [keyField("user_id", 1, FieldType.STRING), plainField("product_id", 2, FieldType.STRING)] },
      { name: "GetShoppingCart", field: [keyField("user_id", 1, FieldType.STRING)] },
      {
        name: "LineItem",
        field: [
          plainField("product_id", 1, FieldType.STRING),
          plainField("name", 2, FieldType.STRING),
          plainField("quantity", 3, FieldType.INT32),
        ],
      },
      { name: "Cart", field: [repeatedField("items", 1, t("LineItem"))] },
    ],
    service: [
      {
        name: "ShoppingCart",
        method: [
          { name: "AddItem", inputType: t("AddLineItem"), outputType: ".google.protobuf.Empty" },
          { name: "RemoveItem", inputType: t("RemoveLineItem"), outputType: ".google.protobuf.Empty" },
          { name: "GetCart", inputType: t("GetShoppingCart"), outputType: t("Cart") },
        ],
      },
    ],
  });
}
