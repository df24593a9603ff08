import { type RunningUserFunction, serve } from "../../reference/support/index.js";
import { createModelEntity } from "./model-entity.js";

export interface ModelEntityServeOptions {
  /** Default `0.0.0.0`. */
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Default 5. */
  readonly snapshotEvery?: number;
}

/** Serves the TCK model entity; close the result to stop it. */
export function startModelEntity(options: ModelEntityServeOptions = {}): Promise<RunningUserFunction> {
  const entity = createModelEntity(options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery });
  return serve(entity, { host: options.host ?? "0.0.0.0", port: options.port ?? 8080 });
}
