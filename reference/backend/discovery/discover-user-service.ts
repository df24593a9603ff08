import * as grpc from "@grpc/grpc-js";
import { setTimeout as sleep } from "node:timers/promises";
import { ProtocolDecodeError, decodeEntitySpec, readyPath, type EntitySpec } from "../../protocol/index.js";
import type { Logger } from "../logger.js";
import { SpecError } from "./spec-error.js";
import type { UserService } from "./user-service.js";
import { validateEntitySpec } from "./validate-entity-spec.js";

export interface Backoff {
  /** The first wait after a failed `ready()`. */
  readonly initialMs: number;
  /** Waits double up to this. */
  readonly maxMs: number;
}

export interface DiscoveryOptions {
  /** The user function, `host:port`. */
  readonly target: string;
  readonly logger: Logger;
  /** Aborting stops the retries; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  readonly backoff?: Backoff;
  /** How long one `ready()` call may take (default 5 s). */
  readonly callTimeoutMs?: number;
  /** The link's credentials (TLS); plaintext by default. */
  readonly credentials?: grpc.ChannelCredentials;
}

const defaultBackoff: Backoff = { initialMs: 100, maxMs: 5_000 };

/**
 * Asks the user function what to serve (A5): calls `ready()` until it answers,
 * waiting with exponential backoff while it is down, then validates the spec.
 * A spec that cannot be served throws SpecError at once: retrying cannot fix it.
 */
export async function discoverUserService(options: DiscoveryOptions): Promise<UserService> {
  const { target, logger, signal } = options;
  const backoff = options.backoff ?? defaultBackoff;
  const client = new grpc.Client(target, options.credentials ?? grpc.credentials.createInsecure());
  try {
    let delayMs = backoff.initialMs;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let specBytes: Buffer;
      try {
        specBytes = await callReady(client, options.callTimeoutMs ?? 5_000, signal);
      } catch (error) {
        signal?.throwIfAborted();
        logger.warn("user function not ready, retrying", {
          target,
          attempt,
          nextAttemptInMs: delayMs,
          error: describeError(error),
        });
        await sleep(delayMs, undefined, signal ? { signal } : {}).catch((e: unknown) => {
          throw signal?.aborted ? signal.reason : e;
        });
        delayMs = Math.min(delayMs * 2, backoff.maxMs);
        continue;
      }
      return validateEntitySpec(decodeSpec(specBytes), logger);
    }
  } finally {
    client.close();
  }
}

/**
 * The EntitySpec is decoded here rather than by the client: grpc-js would turn
 * undecodable bytes into an INTERNAL status, indistinguishable from a user
 * function still starting, and they would be retried for ever.
 */
function decodeSpec(bytes: Buffer): EntitySpec {
  try {
    return decodeEntitySpec(bytes);
  } catch (error) {
    if (error instanceof ProtocolDecodeError) throw new SpecError(`ready() answered ${error.message}`);
    throw error;
  }
}

const identity = (bytes: Buffer) => bytes;
const emptyRequest = Buffer.alloc(0);

function callReady(client: grpc.Client, timeoutMs: number, signal: AbortSignal | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const call = client.makeUnaryRequest(
      readyPath,
      identity,
      identity,
      emptyRequest,
      { deadline: Date.now() + timeoutMs },
      (error, bytes) => {
        signal?.removeEventListener("abort", cancel);
        if (error) reject(error);
        else resolve(bytes ?? Buffer.alloc(0));
      },
    );
    const cancel = () => call.cancel();
    signal?.addEventListener("abort", cancel, { once: true });
  });
}

function describeError(error: unknown): string {
  if (error && typeof error === "object" && "code" in error && typeof error.code === "number") {
    const name = grpc.status[error.code] ?? String(error.code);
    const details = "details" in error ? String(error.details) : "";
    return `${name}: ${details}`;
  }
  return error instanceof Error ? error.message : String(error);
}
