import type { Journal } from "./journal.js";
import { StorageError } from "./storage-error.js";

export interface JournalAvailabilityOptions {
  /**
   * A cheap call that succeeds only when the journal can be written again (for Cassandra: a
   * serial read of a highest sequence number, which needs the same replicas as a commit).
   */
  readonly probe: () => Promise<unknown>;
  /** Called with false when an operation failed `unavailable`, with true once a probe succeeded. */
  readonly onChange: (available: boolean) => void;
  /** Wait between probes while unavailable, in ms. */
  readonly probeEveryMs: number;
}

export interface WatchedJournal {
  readonly journal: Journal;
  /** Whether the last operation or probe succeeded. */
  available(): boolean;
  /** Stops probing (the wrapped journal is not closed). */
  stop(): void;
}

/**
 * Wraps a journal so that its health can be reported: the first `unavailable` failure marks it
 * unavailable and starts probing every `probeEveryMs`; the first successful probe (or
 * operation) marks it available again. Conflicts are not failures of the store.
 */
export function watchJournalAvailability(journal: Journal, options: JournalAvailabilityOptions): WatchedJournal {
  let available = true;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  const set = (now: boolean) => {
    if (now === available) return;
    available = now;
    options.onChange(now);
  };
  const scheduleProbe = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      options.probe().then(
        () => set(true),
        () => {
          if (!available) scheduleProbe();
        },
      );
    }, options.probeEveryMs);
    timer.unref();
  };
  const failed = (error: unknown) => {
    if (error instanceof StorageError && error.kind === "conflict") return;
    set(false);
    scheduleProbe();
  };
  const observe = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      const result = await call();
      set(true);
      return result;
    } catch (error) {
      failed(error);
      throw error;
    }
  };

  const watched: Journal = {
    append: (entity, expected, events) => observe(() => journal.append(entity, expected, events)),
    highestSequenceNumber: (entity) => observe(() => journal.highestSequenceNumber(entity)),
    replay: (entity, range) => ({
      [Symbol.asyncIterator]: () => {
        const inner = journal.replay(entity, range)[Symbol.asyncIterator]();
        return {
          next: () => inner.next().catch((error: unknown) => (failed(error), Promise.reject(error))),
          return: async (value?: unknown) => (inner.return ? inner.return(value) : { done: true as const, value: undefined }),
        };
      },
    }),
    close: () => journal.close(),
  };
  return {
    journal: watched,
    available: () => available,
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
