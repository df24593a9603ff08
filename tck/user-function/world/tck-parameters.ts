import type { SubjectName } from "../../kit/subjects/subject-name.js";

/** What a run hands every scenario (cucumber world parameters: JSON only). */
export interface TckParameters {
  /** `host:port` of the user function under test. */
  readonly target: string;
  readonly subject: SubjectName;
  /** Bound on every wait for the user function, in ms. */
  readonly timeoutMs: number;
  /** The subject's snapshot interval N. */
  readonly snapshotEvery: number;
  /** fast-check seed; a fresh one per run when absent. */
  readonly seed?: number;
  /** fast-check runs per property. */
  readonly runs: number;
  /** The command line that reruns this run (printed with property counterexamples). */
  readonly rerunCommand: string;
}
