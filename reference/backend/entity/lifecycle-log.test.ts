import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { entityId, persistenceId } from "../ids.js";
import { capturingLogger } from "../server/testing/backend-harness.js";
import { createLifecycleLog } from "./lifecycle-log.js";

const entity = { persistenceId: persistenceId("cart"), entityId: entityId("u1") };

describe("lifecycle log lines", () => {
  it("writes at most the rate per second and says how many it left out", () => {
    const { logger, entries } = capturingLogger();
    let now = 0;
    const log = createLifecycleLog(logger, { linesPerSecond: 2, now: () => now });
    for (let i = 0; i < 5; i++) log.passivated?.({ entity, sequenceNumber: i, livedMs: 1 });
    assert.deepEqual(
      entries.map((e) => [e.level, e.fields["sequenceNumber"]]),
      [
        ["info", 0],
        ["info", 1],
      ],
    );
    now = 1_000; // a second later: the bucket is full again
    log.recovered?.({ entity, snapshotSequenceNumber: 5, eventsReplayed: 4, sequenceNumber: 9, durationMs: 3.14159 });
    const last = entries.at(-1);
    assert.equal(last?.message, "entity recovered from the journal");
    assert.deepEqual(
      { ...last?.fields },
      {
        persistenceId: "cart",
        entityId: "u1",
        snapshotSequenceNumber: 5,
        eventsReplayed: 4,
        sequenceNumber: 9,
        durationMs: 3.1,
        notLogged: 3,
      },
    );
  });

  it("writes nothing at rate 0", () => {
    const { logger, entries } = capturingLogger();
    const log = createLifecycleLog(logger, { linesPerSecond: 0 });
    log.passivated?.({ entity, sequenceNumber: 1, livedMs: 1 });
    assert.equal(entries.length, 0);
  });
});
