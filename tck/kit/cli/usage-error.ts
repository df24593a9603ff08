/** A command line the kit cannot run; the message says what to change, and the usage text follows it. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}
