import type { AnyPayload, StreamIn, StreamOut } from "../../protocol/index.js";
import type { BackendError } from "../errors/index.js";
import type { LogFields } from "../logger.js";
import type { PersistedEvent } from "../persistence/journal.js";
import type { StoredSnapshot } from "../persistence/snapshot-store.js";
import type { StorageError } from "../persistence/storage-error.js";

/** Identifies one client call waiting on an entity (assigned by the session). */
export type CallId = number & { readonly __brand: "CallId" };
export const callId = (value: number): CallId => value as CallId;

export type EntityTimer =
  /** Waiting for the user function to answer the command in flight. */
  | "relay"
  /** The entity has been idle; when it fires the stream is completed. */
  | "passivation"
  /** The stream was completed; the user function should complete its side by then. */
  | "close";

/**
 * Says that a command's caller has gone (cancelled, deadline passed), as an AbortSignal does; any
 * AbortSignal is one. The server passes a lighter object of this shape: an AbortController per call
 * was a measurable share of the backend's CPU.
 */
export interface ClientGoneSignal {
  readonly aborted: boolean;
  addEventListener(type: "abort", listener: () => void, options?: { readonly once?: boolean }): void;
  removeEventListener(type: "abort", listener: () => void): void;
}

/** Everything that can happen to an entity, fed to `EntityStateMachine.handle`. */
export type EntityInput =
  | { readonly type: "client-command"; readonly callId: CallId; readonly name: string; readonly payload: AnyPayload }
  /** The client of a call went away (cancelled, deadline passed): a queued command is dropped, one in flight runs on. */
  | { readonly type: "client-gone"; readonly callId: CallId }
  | { readonly type: "snapshot-loaded"; readonly snapshot: StoredSnapshot | undefined }
  /** One page of the replay, as asked for by `read-events`. */
  | { readonly type: "events-read"; readonly events: readonly PersistedEvent[] }
  | { readonly type: "journal-read-failed"; readonly error: StorageError }
  | { readonly type: "user-function-message"; readonly message: StreamOut }
  /**
   * The `handle` stream ended: `error` is its non-OK status, if any (for the log only);
   * `messageTooLarge` when that status says a message passed the link's size limit.
   */
  | {
      readonly type: "user-function-stream-ended";
      readonly error: string | undefined;
      readonly messageTooLarge?: boolean;
      /** The stream ended because a message from the user function did not decode: a protocol violation. */
      readonly undecodableMessage?: boolean;
    }
  | { readonly type: "journal-appended" }
  /** The answer to `check-freshness`: the journal's highest sequence number for this entity. */
  | { readonly type: "freshness-checked"; readonly highestSequenceNumber: number }
  | { readonly type: "freshness-check-failed"; readonly error: StorageError }
  | { readonly type: "journal-append-failed"; readonly error: StorageError }
  | { readonly type: "timer-fired"; readonly timer: EntityTimer }
  /** The backend is stopping: finish what is queued, then complete the stream. */
  | { readonly type: "shutdown" }
  /** The backend stops now (its shutdown grace ran out): fail what waits, cancel the stream. */
  | { readonly type: "abort" };

/** What the entity asks its session to do, in order. */
export type EntityOutput =
  | { readonly type: "open-stream" }
  | { readonly type: "load-snapshot" }
  | { readonly type: "read-events"; readonly fromSequenceNumber: number; readonly max: number }
  | { readonly type: "send"; readonly message: StreamIn }
  /**
   * `complete` half-closes (passivation, shutdown); `cancel` tears the stream down (failures, and a
   * restart: when `open-stream` follows, messages of the cancelled stream are no longer fed in).
   */
  | { readonly type: "close-stream"; readonly mode: "complete" | "cancel" }
  | { readonly type: "append"; readonly expectedSequenceNumber: number; readonly events: readonly AnyPayload[] }
  /** Read the journal's highest sequence number for this entity (answered by `freshness-checked`). */
  | { readonly type: "check-freshness" }
  | { readonly type: "save-snapshot"; readonly snapshot: StoredSnapshot }
  | { readonly type: "complete-call"; readonly callId: CallId; readonly reply: Uint8Array }
  | { readonly type: "fail-call"; readonly callId: CallId; readonly error: BackendError }
  | { readonly type: "start-timer"; readonly timer: EntityTimer; readonly ms: number }
  | { readonly type: "cancel-timer"; readonly timer: EntityTimer }
  /** Route no new command here: later calls for this entity get a fresh session. */
  | { readonly type: "retire" }
  /** Nothing is left running: the stream has ended and no write is outstanding. */
  | { readonly type: "stopped" }
  | { readonly type: "log"; readonly level: "debug" | "info" | "warn"; readonly message: string; readonly fields?: LogFields };

export interface EntityTimeouts {
  /** How long the user function may take to answer a command. */
  readonly relayTimeoutMs: number;
  /** How long an entity stays idle before its stream is completed. */
  readonly passivationTimeoutMs: number;
}

export interface EntityStateMachineConfig extends EntityTimeouts {
  /** Commands that may wait behind the one in flight. */
  readonly queueCapacity: number;
  /** Events read from the journal per page during recovery. */
  readonly replayPageSize: number;
  /** Characters of the entity id kept when an error message quotes it. */
  readonly maxEchoedTextLength: number;
  /**
   * Before a command runs on an entity that has already run one, read the journal's highest sequence
   * number and recover the entity first if another replica wrote past it (one extra read per command).
   * Needed when several backends share one journal; a single replica can turn it off.
   */
  readonly freshnessCheck: boolean;
}

export const defaultEntityConfig: EntityStateMachineConfig = {
  relayTimeoutMs: 60_000,
  passivationTimeoutMs: 30_000,
  queueCapacity: 100,
  replayPageSize: 256,
  maxEchoedTextLength: 200,
  freshnessCheck: false,
};
