/**
 * The user function's EntitySpec cannot be served: a startup error, never
 * retried, whose message names what is wrong (the method, the type, the import…).
 */
export class SpecError extends Error {
  override readonly name = "SpecError";
}
