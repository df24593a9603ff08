import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fromBinary } from "@bufbuild/protobuf";
import { FieldDescriptorProto_Type, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { createEntityClient, type EntityClient, loadProtos, readyOf, type StreamOut, typeUrlOf } from "../../reference/protocol/index.js";
import type { RunningUserFunction } from "../../reference/support/index.js";
import { startShoppingCart } from "./index.js";

const deadline = () => ({ deadline: Date.now() + 5000 });

describe("startShoppingCart", () => {
  let running: RunningUserFunction;
  let client: EntityClient;

  before(async () => {
    running = await startShoppingCart({ host: "127.0.0.1", port: 0 });
    client = createEntityClient(running.address);
  });

  after(async () => {
    client.close();
    await running.close();
  });

  const ready = () => readyOf(client, 5000);

  it("answers ready() with the cart's service, persistence id and a descriptor keeping entity_key", async () => {
    const spec = await ready();
    assert.equal(spec.serviceName, "com.example.shoppingcart.ShoppingCart");
    assert.equal(spec.persistenceId, "shopping-cart");
    // Decoded by an independent decoder (protobuf-es), not the library that wrote it.
    const file = fromBinary(FileDescriptorProtoSchema, spec.proto);
    assert.equal(file.name, "shoppingcart/shoppingcart.proto");
    assert.equal(file.package, "com.example.shoppingcart");
    assert.deepEqual(file.dependency, ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"]);
    const userId = file.messageType.find((m) => m.name === "AddLineItem")?.field.find((f) => f.name === "user_id");
    assert.equal(userId?.number, 1);
    assert.equal(userId?.type, FieldDescriptorProto_Type.STRING);
    // FieldOptions field 50002 (lightbend.serverless.entity_key), varint true.
    assert.deepEqual(
      userId?.options?.$unknown?.map((u) => ({ no: u.no, wireType: u.wireType, data: [...u.data] })),
      [{ no: 50002, wireType: 0, data: [1] }],
    );
    const methods = file.service[0]?.method.map((m) => [m.name, m.inputType, m.outputType]);
    assert.deepEqual(methods, [
      ["AddItem", ".com.example.shoppingcart.AddLineItem", ".google.protobuf.Empty"],
      ["RemoveItem", ".com.example.shoppingcart.RemoveLineItem", ".google.protobuf.Empty"],
      ["GetCart", ".com.example.shoppingcart.GetShoppingCart", ".com.example.shoppingcart.Cart"],
    ]);
  });

  it("serves handle streams over gRPC", async () => {
    const root = loadProtos(["shoppingcart/shoppingcart.proto"]);
    const encode = (name: string, value: object) => {
      const type = root.lookupType(name);
      return { typeUrl: typeUrlOf(name), value: type.encode(type.fromObject(value)).finish() };
    };
    const received = await new Promise<StreamOut[]>((resolve, reject) => {
      const out: StreamOut[] = [];
      const call = client.handle(deadline());
      call.on("data", (m: StreamOut) => out.push(m));
      call.on("error", reject);
      call.on("end", () => resolve(out));
      call.write({ case: "init", entityId: "ann", snapshot: undefined });
      const add = { user_id: "ann", product_id: "123", name: "Eggs", quantity: 2 };
      call.write({
        case: "command",
        entityId: "ann",
        id: 1,
        name: "AddItem",
        payload: encode("com.example.shoppingcart.AddLineItem", add),
      });
      call.write({
        case: "command",
        entityId: "ann",
        id: 2,
        name: "GetCart",
        payload: encode("com.example.shoppingcart.GetShoppingCart", { user_id: "ann" }),
      });
      call.end();
    });
    assert.deepEqual(
      received.map((m) => m.case),
      ["reply", "reply"],
    );
    const cartType = root.lookupType("com.example.shoppingcart.Cart");
    const last = received[1];
    assert.ok(last?.case === "reply" && last.payload);
    assert.deepEqual(cartType.toObject(cartType.decode(last.payload.value)), {
      items: [{ product_id: "123", name: "Eggs", quantity: 2 }],
    });
  });
});
