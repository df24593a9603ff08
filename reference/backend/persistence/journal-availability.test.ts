import assert from "node:assert/strict";
import { once } from "node:events";
import { EventEmitter } from "node:events";
import { describe, it } from "node:test";
import { eventsNumbered, freshEntity } from "./contract-fixtures.js";
import { createInMemoryJournal } from "./in-memory-journal.js";
import type { Journal } from "./journal.js";
import { watchJournalAvailability } from "./journal-availability.js";
import { StorageError } from "./storage-error.js";

/** An in-memory journal whose store can be switched off: every call then fails `unavailable`. */
function switchableJournal() {
  const inner = createInMemoryJournal();
  let down = false;
  const guard = () => {
    if (down) throw StorageError.unavailable("switched off");
  };
  const journal: Journal = {
    append: async (entity, expected, events) => (guard(), inner.append(entity, expected, events)),
    highestSequenceNumber: async (entity) => (guard(), inner.highestSequenceNumber(entity)),
    replay: (entity, range) => inner.replay(entity, range),
    close: () => inner.close(),
  };
  return { journal, setDown: (value: boolean) => void (down = value) };
}

describe("watchJournalAvailability", () => {
  it("reports unavailable on the first unavailable failure and available once a probe succeeds", async () => {
    const store = switchableJournal();
    const changes = new EventEmitter();
    const seen: boolean[] = [];
    const watched = watchJournalAvailability(store.journal, {
      probe: () => store.journal.highestSequenceNumber(freshEntity()),
      onChange: (available) => {
        seen.push(available);
        changes.emit("change", available);
      },
      probeEveryMs: 5,
    });
    const entity = freshEntity();
    await watched.journal.append(entity, 0, eventsNumbered(1, 1));
    assert.deepEqual(seen, []);

    store.setDown(true);
    await assert.rejects(watched.journal.append(entity, 1, eventsNumbered(2, 2)));
    assert.deepEqual(seen, [false]);
    assert.equal(watched.available(), false);

    const back = once(changes, "change");
    store.setDown(false);
    // The probe timer is unref'd (a probing journal must not keep a backend process alive), so
    // nothing else keeps this test's event loop running while it waits for the probe: hold it
    // with a ref'd handle until the change arrives, or node ends the test as "still pending".
    const hold = setInterval(() => {}, 1_000);
    try {
      await back;
    } finally {
      clearInterval(hold);
    }
    assert.deepEqual(seen, [false, true]);
    assert.equal(watched.available(), true);
    watched.stop();
  });

  it("a conflict is not a store failure", async () => {
    const store = switchableJournal();
    const seen: boolean[] = [];
    const watched = watchJournalAvailability(store.journal, {
      probe: async () => {},
      onChange: (available) => seen.push(available),
      probeEveryMs: 5,
    });
    const entity = freshEntity();
    await watched.journal.append(entity, 0, eventsNumbered(1, 1));
    await assert.rejects(
      watched.journal.append(entity, 0, eventsNumbered(1, 1)),
      (e: unknown) => e instanceof StorageError && e.kind === "conflict",
    );
    assert.deepEqual(seen, []);
    watched.stop();
  });

  it("with unavailableAfterMs, reports a failure only once it has lasted that long, and never one cleared sooner", async () => {
    const store = switchableJournal();
    const seen: boolean[] = [];
    // A delay far beyond this test: the failure is cleared by the next successful operation first.
    const patient = watchJournalAvailability(store.journal, {
      probe: async () => {},
      onChange: (a) => seen.push(a),
      probeEveryMs: 60_000,
      unavailableAfterMs: 600_000,
    });
    const entity = freshEntity();
    store.setDown(true);
    await assert.rejects(patient.journal.append(entity, 0, eventsNumbered(1, 1)));
    store.setDown(false);
    await patient.journal.append(entity, 0, eventsNumbered(1, 1));
    assert.deepEqual(seen, [], "a failure cleared before the delay is never reported");
    assert.equal(patient.available(), true);
    patient.stop();

    // A failure that lasts: reported after the delay, then available again once the store is back.
    const changes = new EventEmitter();
    const lasting: boolean[] = [];
    const watched = watchJournalAvailability(store.journal, {
      probe: () => store.journal.highestSequenceNumber(freshEntity()),
      onChange: (a) => {
        lasting.push(a);
        changes.emit("change", a);
      },
      probeEveryMs: 5,
      unavailableAfterMs: 20,
    });
    const hold = setInterval(() => {}, 1_000); // the timers are unref'd: keep the loop alive while waiting
    try {
      store.setDown(true);
      const down = once(changes, "change");
      await assert.rejects(watched.journal.append(freshEntity(), 0, eventsNumbered(1, 1)));
      assert.deepEqual(lasting, [], "not reported at the first failure");
      await down;
      assert.deepEqual(lasting, [false]);
      const back = once(changes, "change");
      store.setDown(false);
      await back;
      assert.deepEqual(lasting, [false, true]);
    } finally {
      clearInterval(hold);
      watched.stop();
    }
  });
});
