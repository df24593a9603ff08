import protobuf from "protobufjs";
import { protocolProtos } from "./proto-root.js";

/** A `google.protobuf.Any`: the bytes are opaque, kept exactly as received. */
export interface AnyPayload {
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

export interface SnapshotOffer {
  readonly sequence: number;
  readonly payload: AnyPayload | undefined;
}

/** What a backend sends on a `handle` stream. */
export type StreamIn =
  | { readonly case: "init"; readonly entityId: string; readonly snapshot: SnapshotOffer | undefined }
  | { readonly case: "event"; readonly sequence: number; readonly payload: AnyPayload | undefined }
  | {
      readonly case: "command";
      readonly entityId: string;
      readonly id: number;
      readonly name: string;
      readonly payload: AnyPayload | undefined;
    }
  /** No `oneof` case set: always a protocol violation, but it can arrive. */
  | { readonly case: undefined };

/** What a user function answers on a `handle` stream. */
export type StreamOut =
  | {
      readonly case: "reply";
      readonly commandId: number;
      readonly payload: AnyPayload | undefined;
      readonly events: readonly AnyPayload[];
      readonly snapshot: AnyPayload | undefined;
    }
  | { readonly case: "failure"; readonly commandId: number; readonly description: string }
  | { readonly case: undefined };

export interface EntitySpec {
  /** The encoded `google.protobuf.FileDescriptorProto`, exactly as on the wire. */
  readonly proto: Uint8Array;
  readonly serviceName: string;
  readonly persistenceId: string;
}

/** Bytes that are not a valid protocol message, or a value out of range. */
export class ProtocolDecodeError extends Error {
  override readonly name = "ProtocolDecodeError";
}

export const typeUrlPrefix = "type.googleapis.com/";

/** The type url an Any carries for a message type's full name (no leading dot). */
export function typeUrlOf(fullName: string): string {
  return typeUrlPrefix + fullName.replace(/^\./, "");
}

/** The full message type name an Any's type url names (text after the last `/`). */
export function typeNameOf(typeUrl: string): string {
  const slash = typeUrl.lastIndexOf("/");
  return slash < 0 ? typeUrl : typeUrl.slice(slash + 1);
}

/** The protocol's message types, looked up once: `lookupType` walks the namespace tree on every call. */
let cachedTypes: { streamIn: protobuf.Type; streamOut: protobuf.Type; fileDescriptor: protobuf.Type } | undefined;

function protocolTypes(): NonNullable<typeof cachedTypes> {
  if (cachedTypes) return cachedTypes;
  const root = protocolProtos();
  cachedTypes = {
    streamIn: root.lookupType("lightbend.serverless.EntityStreamIn"),
    streamOut: root.lookupType("lightbend.serverless.EntityStreamOut"),
    fileDescriptor: root.lookupType("google.protobuf.FileDescriptorProto"),
  };
  return cachedTypes;
}

type Int64 = number | protobuf.Long | string | null | undefined;

/** Converts a wire int64 to a number once, here, refusing what a number cannot hold exactly. */
function toSafeNumber(value: Int64, what: string): number {
  if (value === null || value === undefined) return 0;
  const text =
    typeof value === "number" || typeof value === "string"
      ? String(value)
      : ((BigInt(value.unsigned ? value.high >>> 0 : value.high) << 32n) | BigInt(value.low >>> 0)).toString();
  const n = Number(text);
  if (!Number.isSafeInteger(n) || String(n) !== text) {
    throw new ProtocolDecodeError(`${what} ${text} is outside the safe integer range`);
  }
  return n;
}

interface WireAny {
  type_url?: string;
  value?: Uint8Array;
}

function fromWireAny(any: WireAny | null | undefined): AnyPayload | undefined {
  if (!any) return undefined;
  return { typeUrl: any.type_url ?? "", value: asPlainBytes(any.value) };
}

/** A view as a plain Uint8Array (decoders hand out Buffers), without copying. */
function asPlainBytes(bytes: Uint8Array | undefined): Uint8Array {
  if (!bytes) return new Uint8Array(0);
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function toWireAny(any: AnyPayload | undefined): WireAny | undefined {
  return any ? { type_url: any.typeUrl, value: any.value } : undefined;
}

function decodeWith(type: protobuf.Type, bytes: Uint8Array, what: string): Record<string, any> {
  try {
    return type.decode(bytes) as unknown as Record<string, any>;
  } catch (error) {
    throw new ProtocolDecodeError(`undecodable ${what}: ${(error as Error).message}`);
  }
}

export function decodeStreamIn(bytes: Uint8Array): StreamIn {
  const m = decodeWith(protocolTypes().streamIn, bytes, "EntityStreamIn");
  switch (m["message"] as string | undefined) {
    case "init": {
      const init = m["init"];
      const snap = init.snapshot;
      return {
        case: "init",
        entityId: init.entity_id ?? "",
        snapshot: snap
          ? { sequence: toSafeNumber(snap.snapshot_sequence, "snapshot_sequence"), payload: fromWireAny(snap.snapshot) }
          : undefined,
      };
    }
    case "event": {
      const event = m["event"];
      return { case: "event", sequence: toSafeNumber(event.sequence, "event sequence"), payload: fromWireAny(event.payload) };
    }
    case "command": {
      const c = m["command"];
      return {
        case: "command",
        entityId: c.entity_id ?? "",
        id: toSafeNumber(c.id, "command id"),
        name: c.name ?? "",
        payload: fromWireAny(c.payload),
      };
    }
    default:
      return { case: undefined };
  }
}

export function encodeStreamIn(message: StreamIn): Uint8Array {
  let wire: Record<string, unknown>;
  switch (message.case) {
    case "init":
      wire = {
        init: {
          entity_id: message.entityId,
          snapshot: message.snapshot
            ? { snapshot_sequence: message.snapshot.sequence, snapshot: toWireAny(message.snapshot.payload) }
            : undefined,
        },
      };
      break;
    case "event":
      wire = { event: { sequence: message.sequence, payload: toWireAny(message.payload) } };
      break;
    case "command":
      wire = {
        command: { entity_id: message.entityId, id: message.id, name: message.name, payload: toWireAny(message.payload) },
      };
      break;
    case undefined:
      wire = {};
      break;
  }
  const { streamIn } = protocolTypes();
  return streamIn.encode(streamIn.fromObject(wire)).finish();
}

export function decodeStreamOut(bytes: Uint8Array): StreamOut {
  const m = decodeWith(protocolTypes().streamOut, bytes, "EntityStreamOut");
  switch (m["message"] as string | undefined) {
    case "reply": {
      const r = m["reply"];
      return {
        case: "reply",
        commandId: toSafeNumber(r.command_id, "command_id"),
        payload: fromWireAny(r.payload),
        events: ((r.events ?? []) as WireAny[]).map((e) => fromWireAny(e) as AnyPayload),
        snapshot: fromWireAny(r.snapshot),
      };
    }
    case "failure": {
      const f = m["failure"];
      return { case: "failure", commandId: toSafeNumber(f.command_id, "command_id"), description: f.description ?? "" };
    }
    default:
      return { case: undefined };
  }
}

export function encodeStreamOut(message: StreamOut): Uint8Array {
  let wire: Record<string, unknown>;
  switch (message.case) {
    case "reply":
      wire = {
        reply: {
          command_id: message.commandId,
          payload: toWireAny(message.payload),
          events: message.events.map(toWireAny),
          snapshot: toWireAny(message.snapshot),
        },
      };
      break;
    case "failure":
      wire = { failure: { command_id: message.commandId, description: message.description } };
      break;
    case undefined:
      wire = {};
      break;
  }
  const { streamOut } = protocolTypes();
  return streamOut.encode(streamOut.fromObject(wire)).finish();
}

/**
 * Decodes an EntitySpec, keeping the FileDescriptorProto as the exact bytes
 * that arrived (re-encoding through a decoder could drop options it does not know).
 */
export function decodeEntitySpec(bytes: Uint8Array): EntitySpec {
  // Field 1 is read raw; the others through the decoder.
  const reader = protobuf.Reader.create(bytes);
  let proto: Uint8Array = new Uint8Array(0);
  let serviceName = "";
  let persistenceId = "";
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const field = tag >>> 3;
      const wireType = tag & 7;
      if (field === 1 && wireType === 2) proto = asPlainBytes(reader.bytes());
      else if (field === 2 && wireType === 2) serviceName = reader.string();
      else if (field === 3 && wireType === 2) persistenceId = reader.string();
      else reader.skipType(wireType);
    }
  } catch (error) {
    throw new ProtocolDecodeError(`undecodable EntitySpec: ${(error as Error).message}`);
  }
  return { proto, serviceName, persistenceId };
}

export function encodeEntitySpec(spec: EntitySpec): Uint8Array {
  const writer = protobuf.Writer.create();
  // Field 1 (proto) is written as the exact descriptor bytes given.
  if (spec.proto.length > 0) writer.uint32((1 << 3) | 2).bytes(spec.proto);
  if (spec.serviceName) writer.uint32((2 << 3) | 2).string(spec.serviceName);
  if (spec.persistenceId) writer.uint32((3 << 3) | 2).string(spec.persistenceId);
  return writer.finish();
}

/** The `google.protobuf.FileDescriptorProto` type, with the entity_key extension known. */
export function fileDescriptorProtoType(): protobuf.Type {
  return protocolTypes().fileDescriptor;
}
