import type { UserFunctionDriver } from "../driver/user-function-driver.js";

/** What the subject-specific parts of the World need from it. */
export interface KitContext {
  readonly timeoutMs: number;
  readonly snapshotEvery: number;
  driver(): UserFunctionDriver;
  /** Ends the step with an expectation failure carrying the transcript so far. */
  fail(expected: string, actual: string): never;
}
