/** A setting given a value the backend cannot use, or an unknown flag; the message names which. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}
