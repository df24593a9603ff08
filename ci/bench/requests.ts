/**
 * The bench's requests, hand-encoded in protobuf wire format (no codec on the load path):
 * AddLineItem {user_id = 1, product_id = 2, name = 3, quantity = 4} and GetShoppingCart {user_id = 1}
 * of proto/shoppingcart/shoppingcart.proto. Every AddItem adds the same product, so a cart's state
 * stays one line item however many commands it gets.
 */
export const productId = "p1";
export const productName = "Apple";

function field(number: number, text: string): Buffer {
  const bytes = Buffer.from(text, "utf8");
  if (bytes.length > 127) throw new Error(`bench request field too long: ${text}`);
  return Buffer.concat([Buffer.from([(number << 3) | 2, bytes.length]), bytes]);
}

export function encodeRequest(method: "AddItem" | "GetCart", cart: string): Buffer {
  if (method === "GetCart") return field(1, cart);
  return Buffer.concat([field(1, cart), field(2, productId), field(3, productName), Buffer.from([0x20, 1])]);
}

/** The same requests as JSON for ghz's --data-file (the API's field names). */
export function jsonRequest(method: "AddItem" | "GetCart", cart: string): object {
  return method === "GetCart" ? { user_id: cart } : { user_id: cart, product_id: productId, name: productName, quantity: 1 };
}

/** ItemAdded {item = LineItem {productId = 1, name = 2, quantity = 3}} of proto/shoppingcart/domain.proto. */
export function encodeItemAdded(): Uint8Array {
  const item = Buffer.concat([field(1, productId), field(2, productName), Buffer.from([0x18, 1])]);
  return new Uint8Array(Buffer.concat([Buffer.from([0x0a, item.length]), item]));
}

export const itemAddedTypeUrl = "type.googleapis.com/com.example.shoppingcart.persistence.ItemAdded";
