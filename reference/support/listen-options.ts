import { readFileSync } from "node:fs";
import type { ServeTls } from "./serve.js";

/** Where a user function listens, resolved from its flags and environment. */
export interface ListenOptions {
  readonly host?: string;
  readonly port?: number;
  /** From TLS_CERT and TLS_KEY (PEM files), plus TLS_CLIENT_CA for mutual TLS. */
  readonly tls?: ServeTls;
  /** From MAX_RECEIVE_MESSAGE_SIZE (bytes, or with KiB / MiB). */
  readonly maxReceiveMessageBytes?: number;
}

/**
 * Resolves `--host`/`--port` flag values and the HOST/PORT variables (flags
 * win; absent means the caller's default), the TLS files TLS_CERT, TLS_KEY and
 * TLS_CLIENT_CA, and MAX_RECEIVE_MESSAGE_SIZE. Throws on a port that is not a
 * whole number from 0 to 65535, a bad size, half a TLS pair or an unreadable
 * file, so a typo fails at startup, not later.
 */
export function listenOptionsFrom(
  flags: { readonly host?: string | undefined; readonly port?: string | undefined },
  env: Readonly<Record<string, string | undefined>> = process.env,
): ListenOptions {
  const host = nonEmpty(flags.host) ?? nonEmpty(env["HOST"]);
  const portText = nonEmpty(flags.port) ?? nonEmpty(env["PORT"]);
  const port = portText === undefined ? undefined : parsePort(portText);
  const sizeText = nonEmpty(env["MAX_RECEIVE_MESSAGE_SIZE"]);
  const maxReceiveMessageBytes = sizeText === undefined ? undefined : parseSize(sizeText);
  const tls = tlsFrom(env);
  return {
    ...(host === undefined ? {} : { host }),
    ...(port === undefined ? {} : { port }),
    ...(tls === undefined ? {} : { tls }),
    ...(maxReceiveMessageBytes === undefined ? {} : { maxReceiveMessageBytes }),
  };
}

function tlsFrom(env: Readonly<Record<string, string | undefined>>): ServeTls | undefined {
  const certPath = nonEmpty(env["TLS_CERT"]);
  const keyPath = nonEmpty(env["TLS_KEY"]);
  const caPath = nonEmpty(env["TLS_CLIENT_CA"]);
  if (certPath === undefined && keyPath === undefined) {
    if (caPath !== undefined) throw new Error("TLS_CLIENT_CA is set but TLS_CERT and TLS_KEY are not (mutual TLS needs server TLS)");
    return undefined;
  }
  if (certPath === undefined || keyPath === undefined) throw new Error("TLS_CERT and TLS_KEY come together: set both or neither");
  return {
    cert: readPem("TLS_CERT", certPath),
    key: readPem("TLS_KEY", keyPath),
    ...(caPath === undefined ? {} : { clientCa: readPem("TLS_CLIENT_CA", caPath) }),
  };
}

function readPem(variable: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new Error(`${variable}: cannot read ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
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

const units: Record<string, number> = { "": 1, B: 1, KiB: 1024, MiB: 1024 * 1024, GiB: 1024 * 1024 * 1024 };

function parseSize(text: string): number {
  const match = /^(\d+)\s*(B|KiB|MiB|GiB)?$/.exec(text);
  const bytes = match ? Number(match[1]) * (units[match[2] ?? ""] ?? NaN) : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1024 || bytes > 2 ** 31 - 1) {
    throw new Error(`invalid MAX_RECEIVE_MESSAGE_SIZE "${text}": expected a size from 1KiB to 2GiB-1, such as 16MiB`);
  }
  return bytes;
}
