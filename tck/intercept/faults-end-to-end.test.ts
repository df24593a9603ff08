import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createInMemoryJournal, createInMemorySnapshotStore } from "../../reference/backend/persistence/index.js";
import { explainViolations, faultRun } from "./fault-run.js";

/**
 * The sample end to end with seeded faults between the backend and the user function,
 * on the in-memory journal: 0 violations against the reference pair (the interceptor's
 * history is the oracle), and the same seed gives the same faults.
 */
const faultRunSpec = "seed=10,rate=0.1,kinds=delay,drop,duplicate,reset,reset-connection,hold,stray,max-delay=40";

const memory = () => ({ journal: createInMemoryJournal(), snapshotStore: createInMemorySnapshotStore() });

describe("intercept mode with faults, end to end on the sample (in-memory journal)", () => {
  it("a seeded run of delays, drops, duplicates, resets, holds and stray replies: 0 violations against the reference pair; the same seed gives the same faults", async () => {
    const first = await faultRun(faultRunSpec, memory);
    const kinds = new Map<string, number>();
    for (const f of first.faults) kinds.set(f.split(" ")[0]!, (kinds.get(f.split(" ")[0]!) ?? 0) + 1);
    console.log(`faults (${faultRunSpec}): ${first.faults.length} [${[...kinds].map(([k, n]) => `${n} ${k}`).join(", ")}]; client codes: ${[...first.codes].map(([k, n]) => `${n} ${k}`).join(", ")}; ${first.streams} streams`);
    assert.ok(first.faults.length >= 5, `the seeded run injects faults; got ${first.faults.length}`);
    for (const kind of ["delay", "drop", "duplicate", "reset", "reset-connection", "hold", "stray"]) assert.ok(kinds.has(kind), `the seeded run injects at least one ${kind}; got ${[...kinds.keys()].join(", ")}`);
    assert.ok((first.codes.get("OK") ?? 0) > 0 && first.codes.size > 1, `some calls succeed and some fail under the faults; got ${[...first.codes].join("; ")}`);
    assert.equal(first.violations.length + first.clientViolations.length, 0, explainViolations(first));

    const second = await faultRun(faultRunSpec, memory);
    assert.deepEqual([...second.faults].sort(), [...first.faults].sort(), "the same seed and the same traffic give the same faults");
    assert.equal(second.violations.length + second.clientViolations.length, 0, explainViolations(second));
  });
});
