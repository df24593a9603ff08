import { types } from "cassandra-driver";

/** A sequence number as a CQL bigint. */
export function toLong(sequenceNumber: number): types.Long {
  return types.Long.fromNumber(sequenceNumber);
}

/** A CQL bigint as a sequence number, refusing what a JavaScript number cannot hold exactly. */
export function fromLong(value: unknown, column: string): number {
  if (value === null || value === undefined) return 0;
  const long = value instanceof types.Long ? value : types.Long.fromValue(value as types.Long | number | string);
  const number = long.toNumber();
  if (!Number.isSafeInteger(number)) throw new RangeError(`${column} = ${long.toString()} is beyond 2^53`);
  return number;
}
