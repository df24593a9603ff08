/**
 * What the backend tells a client when a call fails: a closed set, each named
 * for the gRPC status it becomes (the mapping lives only in `grpc-status-of.ts`).
 * Permanent (the same call fails again): invalid_argument, resource_exhausted
 * (bar a full queue), failed_precondition, unimplemented, unknown. Transient (a
 * retry may succeed): unavailable, aborted, deadline_exceeded. The backend
 * README has the table of when each is returned.
 */
export type BackendCode =
  /** The request cannot be routed or is refused as such: undecodable bytes, no entity key, a key over the limit. */
  | "invalid_argument"
  /** The user function answered the command with a `Failure`. */
  | "unknown"
  /** The user function broke the protocol while this command was in flight, or a backend bug. */
  | "internal"
  /** The entity or its storage is unavailable for now; a retry may succeed. */
  | "unavailable"
  /** The user function did not reply within the relay timeout. */
  | "deadline_exceeded"
  /** The entity's command queue is full, or a message of this command is over a size limit. */
  | "resource_exhausted"
  /** The journal refused this command's events for good (not for size): retrying cannot help. */
  | "failed_precondition"
  /** Another writer took the sequence number first; the entity reloads. */
  | "aborted"
  /** No such method. */
  | "unimplemented"
  /** The client went away while its call waited; nobody sees this answer. */
  | "cancelled";

export const backendCodes: readonly BackendCode[] = [
  "invalid_argument",
  "unknown",
  "internal",
  "unavailable",
  "deadline_exceeded",
  "resource_exhausted",
  "failed_precondition",
  "aborted",
  "unimplemented",
  "cancelled",
];
