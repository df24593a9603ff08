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
  /**
   * Report unavailable only once the journal has stayed unavailable this long (ms; default 0: at the
   * first failure). A failure that a probe or an operation clears sooner is never reported.
   */
  readonly unavailableAfterMs?: number;
}

export interface WatchedJournal {
  readonly journal: Journal;
  /** What was last reported: false from the (possibly delayed) report of a failure until a probe or operation succeeds. */
  available(): boolean;
  /** Stops probing (the wrapped journal is not closed). */
  stop(): void;
}

/**
 * Wraps a journal so that its health can be reported: the first `unavailable` failure marks it
 * unavailable (at once, or once it has lasted `unavailableAfterMs`) and starts probing every `probeEveryMs`; the first successful probe (or
 * operation) marks it available again. Conflicts are not failures of the store.
 */
export function watchJournalAvailability(journal: Journal, options: JournalAvailabilityOptions): WatchedJournal {
  const delayMs = options.unavailableAfterMs ?? 0;
  /** What was last reported through onChange. */
  let available = true;
  /** Whether the journal is failing now (reported or not yet). */
  let down = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let reportTimer: NodeJS.Timeout | undefined;

  const report = (now: boolean) => {
    if (now === available) return;
    available = now;
    options.onChange(now);
  };
  const up = () => {
    down = false;
    if (reportTimer) clearTimeout(reportTimer);
    reportTimer = undefined;
    report(true);
  };
  const scheduleProbe = () => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      options.probe().then(up, () => {
        if (down) scheduleProbe();
      });
    }, options.probeEveryMs);
    timer.unref();
  };
  const failed = (error: unknown) => {
    if (error instanceof StorageError && error.kind === "conflict") return;
    if (!down) {
      down = true;
      if (delayMs <= 0) report(false);
      else if (!stopped) {
        reportTimer = setTimeout(() => {
          reportTimer = undefined;
          if (down) report(false);
        }, delayMs);
        reportTimer.unref();
      }
    }
    scheduleProbe();
  };
  const observe = async <T>(call: () => Promise<T>): Promise<T> => {
    try {
      const result = await call();
      up();
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
      if (reportTimer) clearTimeout(reportTimer);
      timer = undefined;
      reportTimer = undefined;
    },
  };
}
