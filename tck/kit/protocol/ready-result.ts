import type { EntitySpec } from "../../../reference/protocol/index.js";

/** What `ready()` gave: the spec, or the gRPC status it failed with. */
export type ReadyResult =
  { readonly ok: true; readonly spec: EntitySpec } | { readonly ok: false; readonly code: number; readonly details: string };
