import type { Capability } from "./not-run-reason.js";

/** What a backend-mode run hands every scenario (cucumber world parameters: JSON only). */
export interface BackendModeParameters {
  /** Bound on every wait, in ms. */
  readonly timeoutMs: number;
  /** Makes this run's entity ids unique, so a durable journal's old entities never interfere. */
  readonly runId: string;
  /** fast-check seed; a fresh one per run when absent. */
  readonly seed?: number;
  /** fast-check runs per property. */
  readonly runs: number;
  /** The command line that reruns this run (printed with property counterexamples). */
  readonly rerunCommand: string;
  /** Capabilities the backend declares it lacks (`--lacks`): scenarios needing them are not run. */
  readonly lacks?: readonly Capability[];
}
