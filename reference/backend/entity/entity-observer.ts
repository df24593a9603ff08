import type { EntityRef } from "../ids.js";

/** An entity finished recovering: Init (with the snapshot, if any) and the events after it were sent. */
export interface RecoveryReport {
  readonly entity: EntityRef;
  /** The snapshot's sequence number; undefined when recovery started from nothing. */
  readonly snapshotSequenceNumber: number | undefined;
  readonly eventsReplayed: number;
  /** The entity's sequence number once recovered. */
  readonly sequenceNumber: number;
  /** From the first command (stream opening) to the entity taking commands. */
  readonly durationMs: number;
}

/** An idle entity's stream was completed after the passivation timeout. */
export interface PassivationReport {
  readonly entity: EntityRef;
  readonly sequenceNumber: number;
  /** How long the entity lived, from its first command. */
  readonly livedMs: number;
}

/**
 * What entity sessions tell operators about (metrics, lifecycle log lines). Every member is
 * optional; none may throw or block (they run on the entity's input path).
 */
export interface EntityObserver {
  recovered?(report: RecoveryReport): void;
  passivated?(report: PassivationReport): void;
  /**
   * The entity's stream was torn down by a failure (the stream failed or was ended, a protocol
   * violation, a relay timeout, a journal failure): the next command opens a new stream.
   */
  streamRestarted?(entity: EntityRef): void;
  /** Commands waiting in entity queues changed by `delta`. */
  queueDepthChanged?(delta: number): void;
  /** A `handle` stream opened (`ok`) or ended with an error before the user function sent anything. */
  streamOpenOutcome?(ok: boolean): void;
}

/** One observer that calls each of `observers` in turn. */
export function combineObservers(...observers: readonly (EntityObserver | undefined)[]): EntityObserver {
  const present = observers.filter((o): o is EntityObserver => o !== undefined);
  return {
    recovered: (r) => present.forEach((o) => o.recovered?.(r)),
    passivated: (p) => present.forEach((o) => o.passivated?.(p)),
    streamRestarted: (e) => present.forEach((o) => o.streamRestarted?.(e)),
    queueDepthChanged: (d) => present.forEach((o) => o.queueDepthChanged?.(d)),
    streamOpenOutcome: (ok) => present.forEach((o) => o.streamOpenOutcome?.(ok)),
  };
}
