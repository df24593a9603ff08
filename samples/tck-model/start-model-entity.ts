import { type RunningUserFunction, type ServeTls, serve } from "../../reference/support/index.js";
import { createModelEntity } from "./model-entity.js";

export interface ModelEntityServeOptions {
  /** Default `127.0.0.1` (loopback); `0.0.0.0` for all interfaces. */
  readonly host?: string;
  /** Serve over TLS (mutual TLS with `clientCa`); plaintext by default. */
  readonly tls?: ServeTls;
  /** Largest message accepted from the backend (default 16 MiB). */
  readonly maxReceiveMessageBytes?: number;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Default 5. */
  readonly snapshotEvery?: number;
}

/** Serves the TCK model entity; close the result to stop it. */
export function startModelEntity(options: ModelEntityServeOptions = {}): Promise<RunningUserFunction> {
  const entity = createModelEntity(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery });
  const { snapshotEvery: _snapshotEvery, ...serveOptions } = options;
  return serve(entity, { ...serveOptions, port: options.port ?? 8080 });
}
