import { EntityKeyError } from "./user-service.js";

/**
 * How key values become entity ids (docs/protocol.md, "Entity ids from keys"):
 * - string: as is;
 * - integers of every width (64-bit included): decimal text, signed or
 *   unsigned as the field type says (`-7`, `18446744073709551615`);
 * - bool: `true` / `false`;
 * - enum: the value's *number* in decimal, so renaming an enum value never
 *   moves an entity and values a partial descriptor does not list still map;
 * - bytes: lowercase hex, two digits per byte (unambiguous, nothing to escape).
 * A number, bool or enum key the request leaves out is its proto3 default
 * (`0`, `false`): proto3 writers never send those values, so absence cannot
 * mean "no key". Only an empty string or bytes key is a missing key.
 * One key field: its text is the entity id. Several: each part escaped
 * (`\` → `\\`, then `-` → `\-`), joined with `-` in field-number order; the
 * escaping makes the join injective, so distinct tuples never share an entity.
 */
export type KeyKind = "string" | "signed" | "unsigned" | "bool" | "enum" | "bytes";

/** A protobufjs 64-bit integer, described by shape (no dependency on `long`). */
interface LongLike {
  readonly low: number;
  readonly high: number;
}

export type KeyValue = string | number | boolean | LongLike | Uint8Array;

/** The text of one key value; empty text is a missing key. */
export function keyPartText(kind: KeyKind, value: KeyValue): string {
  switch (kind) {
    case "string":
      return String(value);
    case "signed":
    case "unsigned":
    case "enum":
      return integerText(value, kind === "unsigned");
    case "bool":
      return value === true ? "true" : "false";
    case "bytes":
      return value instanceof Uint8Array ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex") : "";
  }
}

function integerText(value: KeyValue, unsigned: boolean): string {
  if (typeof value === "number") {
    // 32-bit unsigned values can arrive as negative numbers from some decoders.
    return String(unsigned && value < 0 ? value >>> 0 : value);
  }
  if (typeof value === "object" && "low" in value && "high" in value) {
    const high = BigInt(unsigned ? value.high >>> 0 : value.high);
    const combined = (high << 32n) | BigInt(value.low >>> 0);
    return (unsigned ? BigInt.asUintN(64, combined) : BigInt.asIntN(64, combined)).toString();
  }
  return String(value);
}

/** Escapes one part of a composite key so `-` can only ever be a separator. */
export function escapeKeyPart(part: string): string {
  return part.replace(/\\/g, "\\\\").replace(/-/g, "\\-");
}

/**
 * The entity id for key parts already in field-number order. Throws
 * EntityKeyError naming the first empty part (an unset key).
 */
export function joinEntityKey(parts: readonly { readonly field: string; readonly text: string }[]): string {
  for (const part of parts) {
    if (part.text === "") throw new EntityKeyError(`the request has no value for its key field "${part.field}"`);
  }
  const [only] = parts;
  if (parts.length === 1 && only) return only.text;
  return parts.map((p) => escapeKeyPart(p.text)).join("-");
}
