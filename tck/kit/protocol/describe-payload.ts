import type { AnyPayload } from "../../../reference/protocol/index.js";

const hexPrefixBytes = 16;
const maxDepth = 4;
/** Larger payloads are not decoded; longer decodings are cut (a message stays readable). */
const maxDecodedBytes = 64 * 1024;
const maxDecodedChars = 300;

/**
 * An Any as a person comparing two of them needs it: type url, length, a hex
 * prefix, and the bytes decoded without a schema (field number: value; nested
 * messages in braces, text in quotes), e.g.
 * `type.googleapis.com/x.ItemAdded {1: {1: "456", 2: "Flour", 3: 1}} (14 bytes: 0a0c0a033435361205466c6f75721801)`.
 */
export function describeAny(any: AnyPayload): string {
  const bytes = Buffer.from(any.value);
  const decoded = bytes.length === 0 ? "{}" : bytes.length > maxDecodedBytes ? undefined : decodeMessage(bytes, 0);
  const shown = decoded !== undefined && decoded.length > maxDecodedChars ? `${decoded.slice(0, maxDecodedChars)}…` : decoded;
  return `${any.typeUrl}${shown === undefined ? "" : ` ${shown}`} (${bytes.length} bytes: ${hexPrefix(bytes)})`;
}

/** Where two byte strings first differ, for a message saying they are not the same. */
export function firstDifference(a: AnyPayload, b: AnyPayload): string {
  if (a.typeUrl !== b.typeUrl) return "the type urls differ";
  const x = Buffer.from(a.value);
  const y = Buffer.from(b.value);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return `the bytes differ from byte ${i}`;
  return `one is a prefix of the other (${x.length} vs ${y.length} bytes)`;
}

function hexPrefix(bytes: Buffer): string {
  if (bytes.length === 0) return "empty";
  const shown = bytes.subarray(0, hexPrefixBytes).toString("hex");
  return bytes.length > hexPrefixBytes ? `${shown}…` : shown;
}

/** Protobuf wire format without a schema; undefined when the bytes are not a well-formed message. */
function decodeMessage(bytes: Buffer, depth: number): string | undefined {
  const fields: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const tag = readVarint(bytes, at);
    if (!tag) return undefined;
    at = tag.next;
    const field = Number(tag.value >> 3n);
    const wireType = Number(tag.value & 7n);
    if (field === 0) return undefined;
    switch (wireType) {
      case 0: {
        const v = readVarint(bytes, at);
        if (!v) return undefined;
        at = v.next;
        fields.push(`${field}: ${v.value}`);
        break;
      }
      case 1:
      case 5: {
        const size = wireType === 1 ? 8 : 4;
        if (at + size > bytes.length) return undefined;
        fields.push(`${field}: 0x${bytes.subarray(at, at + size).toString("hex")}`);
        at += size;
        break;
      }
      case 2: {
        const length = readVarint(bytes, at);
        if (!length || length.next + Number(length.value) > bytes.length) return undefined;
        const inner = bytes.subarray(length.next, length.next + Number(length.value));
        at = length.next + inner.length;
        fields.push(`${field}: ${describeLengthDelimited(inner, depth)}`);
        break;
      }
      default:
        return undefined;
    }
  }
  return `{${fields.join(", ")}}`;
}

function describeLengthDelimited(bytes: Buffer, depth: number): string {
  const text = bytes.toString("utf8");
  // Text without control characters is shown as text (a nested message almost always has one).
  if (bytes.length > 0 && Buffer.from(text, "utf8").equals(bytes) && !/[\u0000-\u001f\u007f\ufffd]/.test(text)) return JSON.stringify(text);
  if (depth < maxDepth && bytes.length > 0) {
    const nested = decodeMessage(bytes, depth + 1);
    if (nested !== undefined) return nested;
  }
  return bytes.length === 0 ? '""' : `0x${hexPrefix(bytes)}`;
}

function readVarint(bytes: Buffer, start: number): { value: bigint; next: number } | undefined {
  let value = 0n;
  let shift = 0n;
  for (let at = start; at < bytes.length && shift < 70n; at++) {
    const byte = bytes[at]!;
    value |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return { value, next: at + 1 };
    shift += 7n;
  }
  return undefined;
}
