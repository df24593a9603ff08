import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { create } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { DescriptorSymbols } from "./descriptor-symbols.js";

describe("DescriptorSymbols (protobuf's scoping rules)", () => {
  const symbols = new DescriptorSymbols(
    create(FileDescriptorProtoSchema, {
      package: "com.example.shoppingcart",
      messageType: [
        { name: "AddLineItem" },
        { name: "Empty" },
        { name: "Cart", nestedType: [{ name: "Line" }], enumType: [{ name: "Kind" }] },
      ],
      service: [{ name: "ShoppingCart" }],
    }),
    ["google.protobuf.Empty"],
  );

  it("resolves fully qualified names only exactly", () => {
    assert.equal(symbols.resolve(".com.example.shoppingcart.AddLineItem"), "com.example.shoppingcart.AddLineItem");
    assert.equal(symbols.resolve(".google.protobuf.Empty"), "google.protobuf.Empty");
    assert.equal(symbols.resolve(".AddLineItem"), undefined);
  });

  it("resolves relative names from the package outwards", () => {
    assert.equal(symbols.resolve("AddLineItem"), "com.example.shoppingcart.AddLineItem");
    assert.equal(symbols.resolve("com.example.shoppingcart.Empty"), "com.example.shoppingcart.Empty");
    assert.equal(symbols.resolve("shoppingcart.Cart"), "com.example.shoppingcart.Cart");
    assert.equal(symbols.resolve("google.protobuf.Empty"), "google.protobuf.Empty");
    assert.equal(symbols.resolve("Empty"), "com.example.shoppingcart.Empty");
  });

  it("resolves names used inside a message from the message outwards, nested types first", () => {
    assert.equal(symbols.resolve("Line", "com.example.shoppingcart.Cart"), "com.example.shoppingcart.Cart.Line");
    assert.equal(symbols.resolve("Kind", "com.example.shoppingcart.Cart"), "com.example.shoppingcart.Cart.Kind");
    assert.equal(symbols.resolve("Cart.Line"), "com.example.shoppingcart.Cart.Line");
    assert.equal(symbols.resolve("Line"), undefined);
  });

  it("lets the innermost scope holding the first component decide, and refuses services and packages as types", () => {
    // "shoppingcart" is found as a package; shoppingcart.Missing is then not defined.
    assert.equal(symbols.resolve("shoppingcart.Missing"), undefined);
    assert.equal(symbols.resolve("ShoppingCart"), undefined);
    assert.equal(symbols.resolve("com.example"), undefined);
    assert.equal(symbols.resolve("NoSuchType"), undefined);
  });

  it("tells the descriptor's own messages from imported ones", () => {
    assert.ok(symbols.message("com.example.shoppingcart.Cart"));
    assert.equal(symbols.message("google.protobuf.Empty"), undefined);
    assert.equal(symbols.isImported("google.protobuf.Empty"), true);
  });
});
