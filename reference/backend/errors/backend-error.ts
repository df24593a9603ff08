import type { BackendCode } from "./backend-code.js";
import { echoClientText } from "./echo-client-text.js";

/**
 * The longest detail kept for the log: a store's message may quote a whole
 * (client-supplied) key, and one failing 1 MiB-key call once wrote a 3 MiB line.
 */
export const maxDetailLength = 2000;

/** The one error a backend call fails with; becomes a gRPC status in `grpc-status-of.ts`. */
export class BackendError extends Error {
  override readonly name = "BackendError";
  /** What an operator needs and a client must not see (driver messages, addresses); logged with the error id. */
  readonly detail: string | undefined;

  /** `message` goes to the client: short, no stack traces, paths or addresses. */
  constructor(
    readonly code: BackendCode,
    message: string,
    options?: { cause?: unknown; detail?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.detail = options?.detail === undefined ? undefined : echoClientText(options.detail, maxDetailLength);
  }

  /** Any thrown value as a BackendError; what is not one already is an `internal` error whose text stays in the log. */
  static from(error: unknown): BackendError {
    if (error instanceof BackendError) return error;
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    return new BackendError("internal", "internal error in the backend", { cause: error, detail });
  }
}
