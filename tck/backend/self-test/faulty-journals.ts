import type { AnyPayload } from "../../../reference/protocol/index.js";
import type { EntityRef } from "../../../reference/backend/ids.js";
import type { Journal, PersistedEvent, ReplayRange } from "../../../reference/backend/persistence/index.js";

/**
 * Acknowledges an append at once and writes it later: a backend on this journal
 * replies before its events are persisted (breaks E2).
 */
export function writeBehindJournal(inner: Journal, delayMs: number): Journal {
  const timers = new Set<NodeJS.Timeout>();
  return {
    append(entity: EntityRef, expectedSequenceNumber: number, events: readonly AnyPayload[]) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        // The write the backend was told had happened; a failure here is lost, as in real write-behind.
        inner.append(entity, expectedSequenceNumber, events).catch(() => undefined);
      }, delayMs);
      timers.add(timer);
      return Promise.resolve();
    },
    replay: (entity, range) => inner.replay(entity, range),
    highestSequenceNumber: (entity) => inner.highestSequenceNumber(entity),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await inner.close();
    },
  };
}

/** Replays from one past the requested sequence: the first event of every replay is lost (breaks C4). */
export function skipFirstEventJournal(inner: Journal): Journal {
  return {
    append: (entity, expected, events) => inner.append(entity, expected, events),
    replay(entity: EntityRef, range: ReplayRange): AsyncIterable<PersistedEvent> {
      return inner.replay(entity, { ...range, fromSequenceNumber: range.fromSequenceNumber + 1 });
    },
    highestSequenceNumber: (entity) => inner.highestSequenceNumber(entity),
    close: () => inner.close(),
  };
}
