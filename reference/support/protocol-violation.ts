/** What a violation means, as a closed set; the gRPC layer maps it to a status in one place. */
export type ViolationCode = "failed-precondition" | "invalid-argument" | "internal";

/**
 * The backend broke the protocol (or the entity cannot continue): the stream
 * ends with an error status instead of an answer. Never a per-command Failure.
 */
export class ProtocolViolation extends Error {
  override readonly name = "ProtocolViolation";

  constructor(
    readonly code: ViolationCode,
    message: string,
  ) {
    super(message);
  }
}
