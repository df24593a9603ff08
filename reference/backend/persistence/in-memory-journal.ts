import type { AnyPayload } from "../../protocol/index.js";
import type { EntityRef } from "../ids.js";
import { copyPayload } from "./copy-payload.js";
import type { Journal, PersistedEvent, ReplayRange } from "./journal.js";
import { StorageError } from "./storage-error.js";

/**
 * A journal held in process memory: the default store, lost on restart.
 * Histories are keyed by persistence id, then entity id (nested maps, so no
 * two pairs can ever share a history the way concatenated keys could).
 */
export function createInMemoryJournal(): Journal {
  return new InMemoryJournal();
}

class InMemoryJournal implements Journal {
  private readonly histories = new Map<string, Map<string, PersistedEvent[]>>();
  private closed = false;

  async append(entity: EntityRef, expectedSequenceNumber: number, events: readonly AnyPayload[]): Promise<void> {
    this.ensureOpen();
    checkSequenceNumber(expectedSequenceNumber, "expectedSequenceNumber");
    if (events.length === 0) return;
    const history = this.historyOf(entity, true);
    // Check and write with no await in between: the event loop makes this atomic.
    if (history.length !== expectedSequenceNumber) {
      throw StorageError.conflict(
        `journal of ${describeEntity(entity)} is at sequence number ${history.length}, writer expected ${expectedSequenceNumber}`,
      );
    }
    const persisted = events.map((payload, i) => ({
      sequenceNumber: expectedSequenceNumber + i + 1,
      payload: copyPayload(payload),
    }));
    history.push(...persisted);
  }

  async *replay(entity: EntityRef, range: ReplayRange): AsyncGenerator<PersistedEvent> {
    this.ensureOpen();
    yield* replayHistory(this.historyOf(entity, false), range);
  }

  async highestSequenceNumber(entity: EntityRef): Promise<number> {
    this.ensureOpen();
    return this.historyOf(entity, false).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.histories.clear();
  }

  private historyOf(entity: EntityRef, create: boolean): PersistedEvent[] {
    let byEntity = this.histories.get(entity.persistenceId);
    if (!byEntity) {
      if (!create) return [];
      byEntity = new Map();
      this.histories.set(entity.persistenceId, byEntity);
    }
    let history = byEntity.get(entity.entityId);
    if (!history) {
      if (!create) return [];
      history = [];
      byEntity.set(entity.entityId, history);
    }
    return history;
  }

  private ensureOpen(): void {
    if (this.closed) throw StorageError.unavailable("the in-memory journal is closed");
  }
}

async function* replayHistory(history: readonly PersistedEvent[], range: ReplayRange): AsyncGenerator<PersistedEvent> {
  // history[i] holds sequence number i + 1: start straight at the first wanted index.
  const from = Math.max(1, range.fromSequenceNumber);
  let delivered = 0;
  for (let index = from - 1; index < history.length && delivered < range.max; index++) {
    const event = history[index];
    if (!event || event.sequenceNumber > range.toSequenceNumber) return;
    delivered++;
    yield { sequenceNumber: event.sequenceNumber, payload: copyPayload(event.payload) };
  }
}

function checkSequenceNumber(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${what} must be an integer ≥ 0, got ${value}`);
}

function describeEntity(entity: EntityRef): string {
  return `(${JSON.stringify(entity.persistenceId)}, ${JSON.stringify(entity.entityId)})`;
}
