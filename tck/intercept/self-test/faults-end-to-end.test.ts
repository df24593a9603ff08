import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createInMemoryJournal,
  createInMemorySnapshotStore,
  type Journal,
  type PersistedEvent,
} from "../../../reference/backend/persistence/index.js";
import { faultRun, seededFaultRunTwice, seededFaultRunSpec } from "../faults/fault-run.js";

/**
 * The sample end to end with seeded faults between the backend and the user function,
 * on the in-memory journal: 0 violations against the reference pair (the interceptor's
 * history is the oracle), and the same seed gives the same faults; and the same run over
 * a journal that forgets the newest event on replay is caught.
 */
describe("intercept mode with faults, end to end on the sample (in-memory journal)", () => {
  it("a seeded run of delays, drops, duplicates, resets, holds and stray replies: 0 violations against the reference pair; the same seed gives the same faults", async () => {
    await seededFaultRunTwice(assert, () => ({ journal: createInMemoryJournal(), snapshotStore: createInMemorySnapshotStore() }));
  });

  it("the oracle catches a backend that loses an acknowledged event (its journal's replay leaves out the newest event)", async () => {
    const run = await faultRun(seededFaultRunSpec, () => ({
      journal: forgetsNewestOnReplay(createInMemoryJournal()),
      snapshotStore: createInMemorySnapshotStore(),
    }));
    const rules = new Set(run.violations.map((v) => `${v.violation.item} ${v.violation.rule}`));
    assert.ok(
      rules.has("C4 no acknowledged event is lost (fault oracle)"),
      `the lost event is reported by the oracle; got ${[...rules].join("; ") || "no violation"}`,
    );
  });
});

/** A broken journal: a replay that reaches the newest event leaves it out. */
function forgetsNewestOnReplay(journal: Journal): Journal {
  return {
    append: (entity, expected, events) => journal.append(entity, expected, events),
    highestSequenceNumber: (entity) => journal.highestSequenceNumber(entity),
    close: () => journal.close(),
    async *replay(entity, range): AsyncIterable<PersistedEvent> {
      const highest = await journal.highestSequenceNumber(entity);
      for await (const event of journal.replay(entity, range)) if (event.sequenceNumber !== highest) yield event;
    },
  };
}
