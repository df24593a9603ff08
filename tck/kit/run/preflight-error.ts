/**
 * The target cannot be judged at all (nothing listens, it is not a user function, or it implements
 * another subject than the one asked for): one line saying what was found and what was expected.
 * The command exits 2, as for a wrong command line: no verdict was given.
 */
export class PreflightError extends Error {
  override readonly name = "PreflightError";
}
