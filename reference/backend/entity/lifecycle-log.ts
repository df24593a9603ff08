import type { Logger } from "../logger.js";
import type { EntityObserver } from "./entity-observer.js";

export interface LifecycleLogOptions {
  /** Lines per second at most (a burst of as many is allowed); beyond that lines are counted, not written. 0: none. */
  readonly linesPerSecond: number;
  /** Milliseconds, monotonic; `performance.now` by default (tests pass their own). */
  readonly now?: () => number;
}

/**
 * Passivation and recovery as `info` lines (snapshot sequence, events replayed, time taken), so
 * an operator sees an entity's life without debug logging. Rate-limited: at most
 * `linesPerSecond` lines per second; the next line written says how many were left out
 * (`notLogged`), so a busy backend's log stays readable and cheap.
 */
export function createLifecycleLog(logger: Logger, options: LifecycleLogOptions): EntityObserver {
  const now = options.now ?? (() => performance.now());
  const capacity = options.linesPerSecond;
  let tokens = capacity;
  let refilledAt = now();
  let notLogged = 0;
  const write = (message: string, fields: Record<string, unknown>) => {
    if (capacity <= 0) return;
    const t = now();
    tokens = Math.min(capacity, tokens + ((t - refilledAt) / 1000) * capacity);
    refilledAt = t;
    if (tokens < 1) {
      notLogged++;
      return;
    }
    tokens -= 1;
    logger.info(message, notLogged > 0 ? { ...fields, notLogged } : fields);
    notLogged = 0;
  };
  const ms = (value: number) => Math.round(value * 10) / 10;
  return {
    recovered(report) {
      write("entity recovered from the journal", {
        persistenceId: report.entity.persistenceId,
        entityId: report.entity.entityId,
        snapshotSequenceNumber: report.snapshotSequenceNumber ?? "none",
        eventsReplayed: report.eventsReplayed,
        sequenceNumber: report.sequenceNumber,
        durationMs: ms(report.durationMs),
      });
    },
    passivated(report) {
      write("entity passivated", {
        persistenceId: report.entity.persistenceId,
        entityId: report.entity.entityId,
        sequenceNumber: report.sequenceNumber,
        livedMs: ms(report.livedMs),
      });
    },
  };
}
