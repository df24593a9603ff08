/** Where a user function listens, resolved from its flags and environment. */
export interface ListenOptions {
  readonly host?: string;
  readonly port?: number;
}

/**
 * Resolves `--host`/`--port` flag values and the HOST/PORT variables (flags
 * win; absent means the caller's default). Throws on a port that is not a
 * whole number from 0 to 65535, so a typo fails at startup, not later.
 */
export function listenOptionsFrom(
  flags: { readonly host?: string | undefined; readonly port?: string | undefined },
  env: Readonly<Record<string, string | undefined>> = process.env,
): ListenOptions {
  const host = nonEmpty(flags.host) ?? nonEmpty(env["HOST"]);
  const portText = nonEmpty(flags.port) ?? nonEmpty(env["PORT"]);
  const port = portText === undefined ? undefined : parsePort(portText);
  return { ...(host === undefined ? {} : { host }), ...(port === undefined ? {} : { port }) };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || !Number.isInteger(port) || port > 65535) {
    throw new Error(`invalid port "${text}": expected a whole number from 0 to 65535`);
  }
  return port;
}
