import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createInMemoryJournal, createInMemorySnapshotStore } from "../../reference/backend/persistence/index.js";
import { seededFaultRunTwice } from "./fault-run.js";

/**
 * The sample end to end with seeded faults between the backend and the user function,
 * on the in-memory journal: 0 violations against the reference pair (the interceptor's
 * history is the oracle), and the same seed gives the same faults.
 */
describe("intercept mode with faults, end to end on the sample (in-memory journal)", () => {
  it("a seeded run of delays, drops, duplicates, resets, holds and stray replies: 0 violations against the reference pair; the same seed gives the same faults", async () => {
    await seededFaultRunTwice(assert, () => ({ journal: createInMemoryJournal(), snapshotStore: createInMemorySnapshotStore() }));
  });
});
