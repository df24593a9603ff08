import type { BackendStage } from "../driver/backend-stage.js";

/** What a backend property needs: the stage, names unique to this run, and fast-check's settings. */
export interface PropertyContext {
  readonly stage: BackendStage;
  /** Prefix for entity ids, unique per property run. */
  readonly entityPrefix: string;
  readonly timeoutMs: number;
  readonly runs: number;
  readonly seed: number | undefined;
  /** How to rerun with the failing seed (printed with the counterexample). */
  readonly rerunCommand: string;
}

/** A property's result: nothing, or the report to print (seed, path, shrunk counterexample). */
export type PropertyOutcome = { readonly ok: true } | { readonly ok: false; readonly report: string };
