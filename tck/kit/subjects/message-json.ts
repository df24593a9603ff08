/**
 * A decoded protobuf message as JSON for transcripts, 64-bit integers printed
 * as the numbers they are (protobufjs decodes them as Long objects, which
 * JSON.stringify would show as `{"low":42,"high":0,"unsigned":false}`).
 * Exact beyond 2^53: the digits are written, not a double.
 */
export function messageJson(message: unknown): string {
  const longs: string[] = [];
  const marked = JSON.stringify(message, (_key, value: unknown) => {
    if (isLong(value)) {
      longs.push(value.toString());
      return `\u0000long${longs.length - 1}\u0000`;
    }
    return value;
  });
  return marked.replace(/"\\u0000long(\d+)\\u0000"/g, (_match, index: string) => longs[Number(index)] ?? "null");
}

/** A Long as protobufjs decodes 64-bit fields into (the `long` package's class, or its plain-object form). */
function isLong(value: unknown): value is { low: number; high: number; unsigned: boolean; toString(): string } {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v["low"] === "number" &&
    typeof v["high"] === "number" &&
    typeof v["unsigned"] === "boolean" &&
    v.toString !== Object.prototype.toString
  );
}
