import type { BackendCode } from "./backend-code.js";

/** The one error a backend call fails with; becomes a gRPC status in `grpc-status-of.ts`. */
export class BackendError extends Error {
  override readonly name = "BackendError";

  constructor(
    readonly code: BackendCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Any thrown value as a BackendError; what is not one already counts as `internal`. */
  static from(error: unknown): BackendError {
    if (error instanceof BackendError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new BackendError("internal", message, { cause: error });
  }
}
