import assert from "node:assert/strict";
import { describe, it } from "node:test";
import protobuf from "protobufjs";
import {
  ProtocolDecodeError,
  decodeEntitySpec,
  decodeStreamIn,
  decodeStreamOut,
  encodeEntitySpec,
  encodeStreamIn,
  encodeStreamOut,
  typeNameOf,
  typeUrlOf,
  type StreamIn,
  type StreamOut,
} from "./index.js";

const any = (typeUrl: string, ...bytes: number[]) => ({ typeUrl, value: Uint8Array.from(bytes) });

describe("protocol codec", () => {
  it("round-trips every EntityStreamIn case", () => {
    const messages: StreamIn[] = [
      { case: "init", entityId: "cart-1", snapshot: undefined },
      { case: "init", entityId: "cart-1", snapshot: { sequence: 5, payload: any("type.googleapis.com/x.Cart", 1, 2) } },
      { case: "event", sequence: 6, payload: any("type.googleapis.com/x.ItemAdded", 0, 255) },
      { case: "command", entityId: "cart-1", id: 1, name: "AddItem", payload: any("type.googleapis.com/x.Add") },
      { case: undefined },
    ];
    for (const message of messages) assert.deepEqual(decodeStreamIn(encodeStreamIn(message)), message);
  });

  it("round-trips every EntityStreamOut case", () => {
    const messages: StreamOut[] = [
      { case: "reply", commandId: 3, payload: any("type.googleapis.com/google.protobuf.Empty"), events: [], snapshot: undefined },
      {
        case: "reply",
        commandId: 4,
        payload: undefined,
        events: [any("a", 1), any("b", 2)],
        snapshot: any("type.googleapis.com/x.Cart", 9),
      },
      { case: "failure", commandId: 7, description: "Item 1 not in cart" },
      { case: undefined },
    ];
    for (const message of messages) assert.deepEqual(decodeStreamOut(encodeStreamOut(message)), message);
  });

  it("puts the wire field numbers of docs/protocol.md on the wire", () => {
    // EntityStreamIn.command = 3 { entity_id = 1, id = 2, name = 3 }
    const bytes = encodeStreamIn({ case: "command", entityId: "e", id: 2, name: "N", payload: undefined });
    assert.deepEqual([...bytes], [0x1a, 8, 0x0a, 1, 0x65, 0x10, 2, 0x1a, 1, 0x4e]);
    // EntityStreamOut.failure = 2 { command_id = 1, description = 2 }
    const failure = encodeStreamOut({ case: "failure", commandId: 1, description: "x" });
    assert.deepEqual([...failure], [0x12, 5, 0x08, 1, 0x12, 1, 0x78]);
  });

  it("refuses int64 values a number cannot hold exactly", () => {
    const writer = protobuf.Writer.create();
    // EntityStreamIn.event = 2 { sequence = 1: 2^60 }
    const inner = protobuf.Writer.create().uint32(8).int64("1152921504606846976").finish();
    const bytes = writer
      .uint32((2 << 3) | 2)
      .bytes(inner)
      .finish();
    assert.throws(() => decodeStreamIn(bytes), ProtocolDecodeError);
  });

  it("reports garbage as a decode error", () => {
    assert.throws(() => decodeStreamIn(Uint8Array.from([0x1a, 0x50, 1])), ProtocolDecodeError);
  });

  it("keeps the descriptor bytes of an EntitySpec exactly", () => {
    const spec = { proto: Uint8Array.from([10, 3, 97, 98, 99, 0xf8, 0x01]), serviceName: "a.B", persistenceId: "p" };
    assert.deepEqual(decodeEntitySpec(encodeEntitySpec(spec)), spec);
  });

  it("names types by url", () => {
    assert.equal(typeUrlOf(".com.example.Cart"), "type.googleapis.com/com.example.Cart");
    assert.equal(typeNameOf("type.googleapis.com/com.example.Cart"), "com.example.Cart");
  });
});
