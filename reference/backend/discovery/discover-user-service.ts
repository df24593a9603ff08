import * as grpc from "@grpc/grpc-js";
import { setTimeout as sleep } from "node:timers/promises";
import { entityServiceDefinition, type EntitySpec } from "../../protocol/index.js";
import type { Logger } from "../logger.js";
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
}

const defaultBackoff: Backoff = { initialMs: 100, maxMs: 5_000 };

type EntityClient = grpc.Client & {
  ready(
    request: Record<string, never>,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, spec?: EntitySpec) => void,
  ): grpc.ClientUnaryCall;
};

/**
 * Asks the user function what to serve (A5): calls `ready()` until it answers,
 * waiting with exponential backoff while it is down, then validates the spec.
 * A spec that cannot be served throws SpecError at once: retrying cannot fix it.
 */
export async function discoverUserService(options: DiscoveryOptions): Promise<UserService> {
  const { target, logger, signal } = options;
  const backoff = options.backoff ?? defaultBackoff;
  const Client = grpc.makeGenericClientConstructor(entityServiceDefinition, "Entity");
  const client = new Client(target, grpc.credentials.createInsecure()) as unknown as EntityClient;
  try {
    let delayMs = backoff.initialMs;
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      let spec: EntitySpec;
      try {
        spec = await callReady(client, options.callTimeoutMs ?? 5_000, signal);
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
      return validateEntitySpec(spec, logger);
    }
  } finally {
    client.close();
  }
}

function callReady(client: EntityClient, timeoutMs: number, signal: AbortSignal | undefined): Promise<EntitySpec> {
  return new Promise((resolve, reject) => {
    const call = client.ready({}, { deadline: Date.now() + timeoutMs }, (error, spec) => {
      signal?.removeEventListener("abort", cancel);
      if (error) reject(error);
      else if (spec) resolve(spec);
      else reject(new Error("ready() returned nothing"));
    });
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
