import type { CallOutcome } from "../driver/backend-client.js";

/** A call a scenario made, for the Then steps that judge it. */
export interface CallRecord {
  readonly entityId: string;
  readonly request: Uint8Array;
  readonly outcome: CallOutcome;
}

/** One of J3's composite-key calls: the form of its key and the entity id its stream's Init named. */
export interface CompositeCall {
  readonly form: string;
  readonly entityId: string | undefined;
}

/** What one kill -9 and restart kept of the replies acknowledged just before it (H8). */
export interface CrashTrial {
  readonly trial: number;
  readonly acknowledged: number;
  /** Per entity that lost some: what its replies acknowledged, and what the restarted backend recovered. */
  readonly losses: ReadonlyArray<{
    readonly entityId: string;
    readonly acknowledged: string;
    readonly recovered: string;
    readonly lost: number;
  }>;
}

/**
 * What backend steps hand to the steps after them in one scenario, each under its own typed name
 * (set by a When, read by a Then). Unset until the step that sets it ran.
 */
export interface StepMemory {
  /** The calls of the last batch a step sent, in the order sent. */
  batch?: CallRecord[];
  /** The batch per entity, for steps that send to several. */
  entities?: CallRecord[][];
  /** The letters the clients emitted, one each (I3). */
  letters?: string;
  /** How many calls of the last batch succeeded. */
  successes?: number;
  /** The client's own deadline and how long the call took (G6). */
  clientDeadline?: { readonly clientDeadlineMs: number; readonly elapsedMs: number };
  /** The key field a step left empty, described for the message (J4). */
  emptyKeyField?: string;
  /** A call started and not awaited, and its entity (H6). */
  startedCall?: Promise<unknown>;
  startedEntity?: string;
  /** A state read before passivation, to compare with the one after. */
  state?: string;
  compositeCalls?: CompositeCall[];
  compositePartA?: string;
  crashTrials?: CrashTrial[];
  /** When the backend under a refusal scenario was started, and whether it has exited (A3, A6). */
  backendStartedAt?: number;
  backendExited?: () => string | undefined;
  /** The name of the malformed spec a refusal scenario serves, as the feature gives it. */
  refusalSpec?: string;
}
