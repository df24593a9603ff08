import { isUtf8 } from "node:buffer";
import protobuf from "protobufjs";

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

const scalarWireTypes: Readonly<Record<string, number>> = {
  int32: VARINT,
  int64: VARINT,
  uint32: VARINT,
  uint64: VARINT,
  sint32: VARINT,
  sint64: VARINT,
  bool: VARINT,
  fixed64: I64,
  sfixed64: I64,
  double: I64,
  fixed32: I32,
  sfixed32: I32,
  float: I32,
  string: LEN,
  bytes: LEN,
};

/**
 * Checks that `bytes` are a well-formed `type` on the wire, which protobufjs's
 * decoder alone does not: every field it declares must come with its declared
 * wire type (packed or not, for repeated numbers), strings must be UTF-8, and
 * nested messages must be well formed too. Unknown fields only need to be
 * well framed. Throws an Error saying what is wrong.
 */
export function checkWireFormat(type: protobuf.Type, bytes: Uint8Array, depth = 0): void {
  if (depth > 100) throw new Error("messages nested too deeply");
  const reader = protobuf.Reader.create(bytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 0) throw new Error(`field number 0 at offset ${reader.pos}`);
    const field = type.fieldsById[number];
    if (!field) {
      reader.skipType(wireType);
      continue;
    }
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) {
      if (wireType !== LEN) throw wrongWireType(type, field, wireType);
      checkWireFormat(resolved, reader.bytes(), depth + 1);
      continue;
    }
    const expected = resolved instanceof protobuf.Enum ? VARINT : scalarWireTypes[field.type];
    if (expected === undefined) {
      reader.skipType(wireType);
    } else if (wireType === expected) {
      if (field.type === "string" && !isUtf8(reader.bytes())) throw new Error(`field ${type.name}.${field.name} is not valid UTF-8`);
      else if (field.type !== "string") reader.skipType(wireType);
    } else if (wireType === LEN && field.repeated && expected !== LEN) {
      checkPacked(type, field, reader.bytes(), expected);
    } else {
      throw wrongWireType(type, field, wireType);
    }
  }
}

function checkPacked(type: protobuf.Type, field: protobuf.Field, bytes: Uint8Array, wireType: number): void {
  const reader = protobuf.Reader.create(bytes);
  try {
    while (reader.pos < reader.len) reader.skipType(wireType);
  } catch {
    throw new Error(`packed field ${type.name}.${field.name} is malformed`);
  }
}

function wrongWireType(type: protobuf.Type, field: protobuf.Field, wireType: number): Error {
  return new Error(`field ${type.name}.${field.name} arrived with wire type ${wireType}, which does not fit its type ${field.type}`);
}
