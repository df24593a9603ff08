/**
 * What the backend tells a client when a call fails: a closed set, each named
 * for the gRPC status it becomes (the mapping lives only in `grpc-status-of.ts`).
 */
export type BackendCode =
  /** The request cannot be routed: undecodable bytes or no entity key. */
  | "invalid_argument"
  /** The user function answered the command with a `Failure`. */
  | "unknown"
  /** The user function broke the protocol while this command was in flight. */
  | "internal"
  /** The entity or its storage is unavailable for now; a retry may succeed. */
  | "unavailable"
  /** The user function did not reply within the relay timeout. */
  | "deadline_exceeded"
  /** The entity's command queue is full. */
  | "resource_exhausted"
  /** Another writer took the sequence number first; the entity reloads. */
  | "aborted"
  /** No such method. */
  | "unimplemented";

export const backendCodes: readonly BackendCode[] = [
  "invalid_argument",
  "unknown",
  "internal",
  "unavailable",
  "deadline_exceeded",
  "resource_exhausted",
  "aborted",
  "unimplemented",
];
