import { appendFileSync, existsSync, readFileSync } from "node:fs";
import type { AnyPayload } from "../../../reference/protocol/index.js";
import { entityId, persistenceId, type EntityRef } from "../../../reference/backend/ids.js";
import { createInMemoryJournal, type Journal } from "../../../reference/backend/persistence/index.js";

/**
 * A journal in one file of JSON lines, for backends the kit kills (H8): an append returns only after
 * its line was written (`appendFileSync`), so a kill -9 of the process keeps every acknowledged event.
 * Reads come from memory, loaded from the file at start. Self-tests only.
 */
export function createFileJournal(path: string): Journal {
  const memory = createInMemoryJournal();
  const loaded: Promise<void> = (async () => {
    if (!existsSync(path)) return;
    const highest = new Map<string, number>();
    for (const line of readFileSync(path, "utf8").split("\n")) {
      if (line === "") continue;
      let record: { p: string; e: string; events: Array<{ t: string; v: string }> };
      try {
        record = JSON.parse(line) as typeof record;
      } catch {
        continue; // A line torn by the kill: never acknowledged.
      }
      const entity: EntityRef = { persistenceId: persistenceId(record.p), entityId: entityId(record.e) };
      const key = JSON.stringify([record.p, record.e]);
      const at = highest.get(key) ?? 0;
      await memory.append(
        entity,
        at,
        record.events.map((ev) => ({ typeUrl: ev.t, value: Buffer.from(ev.v, "base64") })),
      );
      highest.set(key, at + record.events.length);
    }
  })();
  return {
    async append(entity: EntityRef, expectedSequenceNumber: number, events: readonly AnyPayload[]) {
      await loaded;
      await memory.append(entity, expectedSequenceNumber, events);
      if (events.length === 0) return;
      const line = JSON.stringify({
        p: entity.persistenceId,
        e: entity.entityId,
        events: events.map((ev) => ({ t: ev.typeUrl, v: Buffer.from(ev.value).toString("base64") })),
      });
      appendFileSync(path, line + "\n");
    },
    async *replay(entity, range) {
      await loaded;
      yield* memory.replay(entity, range);
    },
    async highestSequenceNumber(entity) {
      await loaded;
      return memory.highestSequenceNumber(entity);
    },
    close: () => memory.close(),
  };
}

/**
 * Acknowledges an append at once and writes it `delayMs` later, as a write-behind cache would; a
 * graceful close writes what is still pending first, so only a kill -9 loses acknowledged events
 * (H5's graceful restart cannot see this defect, H8 can).
 */
export function flushingWriteBehindJournal(inner: Journal, delayMs: number): Journal {
  const pending: Array<{ readonly timer: NodeJS.Timeout; readonly write: () => Promise<void> }> = [];
  let written: Promise<void> = Promise.resolve();
  const run = (entry: (typeof pending)[number]) => {
    const index = pending.indexOf(entry);
    if (index < 0) return;
    pending.splice(index, 1);
    clearTimeout(entry.timer);
    // In order, as appended; a failure here is lost, as in real write-behind.
    written = written.then(entry.write).catch(() => undefined);
  };
  return {
    append(entity, expectedSequenceNumber, events) {
      const entry = { timer: setTimeout(() => run(entry), delayMs), write: () => inner.append(entity, expectedSequenceNumber, events) };
      pending.push(entry);
      return Promise.resolve();
    },
    replay: (entity, range) => inner.replay(entity, range),
    highestSequenceNumber: (entity) => inner.highestSequenceNumber(entity),
    async close() {
      for (const entry of [...pending]) run(entry);
      await written;
      await inner.close();
    },
  };
}
