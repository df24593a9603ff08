import type { Journal } from "./journal.js";
import type { SnapshotStore } from "./snapshot-store.js";

/** Told how long each store operation took and whether it succeeded (metrics). Must not throw. */
export type StoreTiming = (store: "journal" | "snapshot", operation: string, ok: boolean, durationMs: number) => void;

async function timed<T>(report: StoreTiming, store: "journal" | "snapshot", operation: string, call: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    const result = await call();
    report(store, operation, true, performance.now() - start);
    return result;
  } catch (error) {
    report(store, operation, false, performance.now() - start);
    throw error;
  }
}

/** The journal, each operation timed; a replay is timed from its first read to its end (one page, as the entity reads it). */
export function timeJournal(journal: Journal, report: StoreTiming): Journal {
  return {
    append: (entity, expected, events) => timed(report, "journal", "append", () => journal.append(entity, expected, events)),
    highestSequenceNumber: (entity) => timed(report, "journal", "highest_sequence_number", () => journal.highestSequenceNumber(entity)),
    replay: (entity, range) => ({
      [Symbol.asyncIterator]: () => {
        const inner = journal.replay(entity, range)[Symbol.asyncIterator]();
        let start: number | undefined;
        let reported = false;
        const end = (ok: boolean) => {
          if (reported || start === undefined) return;
          reported = true;
          report("journal", "replay", ok, performance.now() - start);
        };
        return {
          next: async () => {
            start ??= performance.now();
            try {
              const result = await inner.next();
              if (result.done) end(true);
              return result;
            } catch (error) {
              end(false);
              throw error;
            }
          },
          return: async (value?: unknown) => {
            end(true);
            return inner.return ? inner.return(value) : { done: true as const, value: undefined };
          },
        };
      },
    }),
    close: () => journal.close(),
  };
}

export function timeSnapshotStore(store: SnapshotStore, report: StoreTiming): SnapshotStore {
  return {
    save: (entity, snapshot) => timed(report, "snapshot", "save", () => store.save(entity, snapshot)),
    latest: (entity, max) => timed(report, "snapshot", "load", () => store.latest(entity, max)),
    close: () => store.close(),
  };
}
