import { randomUUID } from "node:crypto";
import type { AnyPayload } from "../../protocol/index.js";
import { entityId, persistenceId, type EntityRef } from "../ids.js";
import type { Journal, PersistedEvent, ReplayRange } from "./journal.js";
import { StorageError } from "./storage-error.js";

/** Helpers shared by the storage contract suites. */

export const everything: ReplayRange = { fromSequenceNumber: 1, toSequenceNumber: Infinity, max: Infinity };

export function ref(persistence: string, entity: string): EntityRef {
  return { persistenceId: persistenceId(persistence), entityId: entityId(entity) };
}

/** An entity no earlier case or run can have touched. */
export function freshEntity(): EntityRef {
  return ref("contract", randomUUID());
}

/** Distinct, recognisable payloads `label:first` … `label:last`. */
export function eventsNumbered(first: number, last: number, label = "event"): AnyPayload[] {
  const events: AnyPayload[] = [];
  for (let n = first; n <= last; n++) {
    events.push({ typeUrl: `type.googleapis.com/contract.${label}`, value: new TextEncoder().encode(`${label}:${n}`) });
  }
  return events;
}

export async function replayAll(journal: Journal, entity: EntityRef, range: ReplayRange): Promise<PersistedEvent[]> {
  const events: PersistedEvent[] = [];
  for await (const event of journal.replay(entity, range)) events.push(event);
  return events;
}

export function isConflict(error: unknown): boolean {
  return error instanceof StorageError && error.kind === "conflict";
}

/** A payload as plain data, so deepEqual compares bytes whatever Uint8Array subclass an adapter returns. */
export function plain(payload: AnyPayload): { typeUrl: string; value: number[] } {
  return { typeUrl: payload.typeUrl, value: Array.from(payload.value) };
}

/** Deterministic bytes that are not a repeating pattern (catches truncation and reordering). */
export function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    bytes[i] = state & 0xff;
  }
  return bytes;
}
