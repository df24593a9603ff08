import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { AnyPayload, StreamIn } from "../protocol/index.js";
import { createEntitySession } from "./index.js";
import { createAppendEntity } from "./testdata/append-entity.js";
import { type Action, command, decodeModel, init } from "./testdata/transcript.js";

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom("a", "b", "c", "xy").map((emit) => ({ emit })) },
  { weight: 1, arbitrary: fc.constant({ fail: "no" }) },
  { weight: 1, arbitrary: fc.constant({ throw: "boom" }) },
  { weight: 1, arbitrary: fc.constant({ respond: "r" }) },
);

/** What a model of the entity predicts for one command: the values it appends, or that it fails. */
function predict(actions: readonly Action[]): { fails: boolean; values: string[] } {
  const values: string[] = [];
  for (const a of actions) {
    if ("fail" in a || "throw" in a) return { fails: true, values: [] };
    if ("emit" in a) values.push(a.emit);
  }
  return { fails: false, values };
}

describe("replay equivalence (C10, F3, M3)", () => {
  it("live state = full replay = any snapshot plus the tail, with snapshots exactly at multiples of N", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(action, { maxLength: 4 }), { maxLength: 25 }),
        fc.integer({ min: 1, max: 6 }),
        fc.nat(),
        async (commands, every, cutSeed) => {
          const entity = createAppendEntity(every);
          const live = createEntitySession(entity);
          await live.receive(init());
          const journal: AnyPayload[] = [];
          const snapshots = new Map<number, AnyPayload>();
          let expected = "";
          for (const [index, actions] of commands.entries()) {
            const step = await live.receive(command(index + 1, actions));
            assert.equal(step.kind, "continue");
            const [answer] = step.kind === "continue" ? step.send : [];
            const prediction = predict(actions);
            if (prediction.fails) {
              assert.equal(answer?.case, "failure");
              continue;
            }
            assert.ok(answer?.case === "reply", `command ${index + 1} replies`);
            const before = journal.length;
            journal.push(...answer.events);
            expected += prediction.values.join("");
            assert.equal(decodeModel("Response", answer.payload!).state, expected);
            const crosses = Math.floor(journal.length / every) > Math.floor(before / every);
            assert.equal(
              answer.snapshot !== undefined,
              crosses,
              `snapshot iff events ${before + 1}..${journal.length} reach a multiple of ${every}`,
            );
            if (answer.snapshot) {
              assert.equal(decodeModel("State", answer.snapshot).value, expected);
              snapshots.set(journal.length, answer.snapshot);
            }
          }
          // Recover at a cut point: latest snapshot at or below it, then the events after it.
          const cut = cutSeed % (journal.length + 1);
          const snapshotAt = Math.max(0, ...[...snapshots.keys()].filter((s) => s <= cut));
          const snapshot = snapshots.get(snapshotAt);
          const recovering = createEntitySession(entity);
          const inbound: StreamIn[] = [
            { case: "init", entityId: "e1", snapshot: snapshot ? { sequence: snapshotAt, payload: snapshot } : undefined },
            ...journal
              .slice(snapshot ? snapshotAt : 0, cut)
              .map((payload, i): StreamIn => ({ case: "event", sequence: (snapshot ? snapshotAt : 0) + i + 1, payload })),
          ];
          for (const message of inbound) assert.equal((await recovering.receive(message)).kind, "continue");
          const probe = await recovering.receive(command(1, []));
          const reply = probe.kind === "continue" ? probe.send[0] : undefined;
          assert.ok(reply?.case === "reply");
          const prefix = journal
            .slice(0, cut)
            .map((e) => decodeModel("Appended", e).value)
            .join("");
          assert.equal(decodeModel("Response", reply.payload!).state, prefix);
        },
      ),
      { numRuns: 150 },
    );
  });
});
