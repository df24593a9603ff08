/**
 * What a storage adapter reports, named for what the backend does with it:
 * - `conflict`: another writer already holds that sequence number; the call
 *   fails ABORTED and the entity reloads from the journal.
 * - `unavailable`: the store cannot be reached or did not answer; the call
 *   fails UNAVAILABLE and the entity restarts; retrying later may succeed.
 * - `too-large`: the store refuses the write for its size ("Request is too
 *   big"); the call fails RESOURCE_EXHAUSTED: the same call fails again.
 * - `rejected`: the store refuses this request as such (a value it cannot
 *   encode, such as a key over its limit); the call fails FAILED_PRECONDITION.
 */
export type StorageErrorKind = "conflict" | "unavailable" | "too-large" | "rejected";

export class StorageError extends Error {
  override readonly name = "StorageError";
  constructor(
    readonly kind: StorageErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static conflict(message: string): StorageError {
    return new StorageError("conflict", message);
  }

  static unavailable(message: string, cause?: unknown): StorageError {
    return new StorageError("unavailable", message, { cause });
  }

  static tooLarge(message: string, cause?: unknown): StorageError {
    return new StorageError("too-large", message, { cause });
  }

  static rejected(message: string, cause?: unknown): StorageError {
    return new StorageError("rejected", message, { cause });
  }

  /** Any error from a store, as a StorageError (unknown failures count as unavailable). */
  static from(error: unknown): StorageError {
    if (error instanceof StorageError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return StorageError.unavailable(message, error);
  }
}
