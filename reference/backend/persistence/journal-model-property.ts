import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import type { AnyPayload } from "../../protocol/index.js";
import type { EntityRef } from "../ids.js";
import { isConflict, plain, ref, replayAll } from "./contract-fixtures.js";
import type { Journal } from "./journal.js";
import type { JournalUnderTest } from "./journal-contract.js";

export interface JournalPropertyOptions {
  /** Runs of the property (default 100; a networked store may want fewer). */
  readonly numRuns?: number;
  /** Commands per run at most (default 30). */
  readonly maxCommands?: number;
}

/** What the journal should hold: per entity, the payloads in sequence order. */
type Model = Map<number, AnyPayload[]>;

interface Real {
  readonly journal: Journal;
  readonly entities: readonly EntityRef[];
}

/**
 * docs/tck-catalogue.md K5: any interleaving of appends (right, stale and ahead
 * expected sequence numbers) and replays over a few entities whose ids would
 * collide if concatenated answers exactly as a plain list per entity does.
 * Every adapter runs it, so they all agree with the model, hence with each other.
 * fast-check prints the seed and the shrunk command list when it fails.
 */
export function journalModelProperty(name: string, setup: () => Promise<JournalUnderTest>, options: JournalPropertyOptions = {}): void {
  describe(`Journal model property: ${name}`, () => {
    let underTest: JournalUnderTest | undefined;
    before(async () => {
      underTest = await setup();
    });
    after(async () => {
      await underTest?.teardown();
    });

    it("answers every interleaving of appends and replays as the model does (K5)", async () => {
      assert.ok(underTest, "journal setup did not complete");
      const journal = underTest.journal;
      const entityIndex = fc.integer({ min: 0, max: 3 });
      const append = fc
        .record({ entity: entityIndex, offset: fc.constantFrom(0, 0, 0, 0, -1, 1), count: fc.integer({ min: 0, max: 4 }), seed: fc.nat() })
        .map((c) => new AppendCommand(c.entity, c.offset, c.count, c.seed));
      // Appends listed twice: histories must grow long enough for ranges and limits to bite.
      const commands = [
        append,
        append,
        fc
          .record({
            entity: entityIndex,
            from: fc.integer({ min: 0, max: 10 }),
            span: fc.integer({ min: -2, max: 12 }),
            max: fc.oneof(fc.constant(Infinity), fc.integer({ min: 0, max: 5 })),
          })
          .map((c) => new ReplayCommand(c.entity, c.from, c.span, c.max)),
        entityIndex.map((entity) => new HighestCommand(entity)),
      ];
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: options.maxCommands ?? 30, size: "max" }), async (cmds) => {
          // Fresh entities per run: the store may be shared with other runs and suites.
          const tag = randomUUID();
          const entities = [ref(`${tag}-a-b`, "c"), ref(`${tag}-a`, "b-c"), ref(`${tag}-a-b`, "d"), ref(`${tag}-x`, "c")];
          await fc.asyncModelRun(() => ({ model: new Map() as Model, real: { journal, entities } }), cmds);
        }),
        { numRuns: options.numRuns ?? 100 },
      );
    });
  });
}

function historyOf(model: Model, entity: number): AnyPayload[] {
  let history = model.get(entity);
  if (!history) model.set(entity, (history = []));
  return history;
}

class AppendCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    private readonly entity: number,
    /** Added to the right expected sequence number: 0 is a current writer, -1 stale, +1 ahead. */
    private readonly offset: number,
    private readonly count: number,
    private readonly seed: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const history = historyOf(model, this.entity);
    const expected = history.length + this.offset;
    if (expected < 0) return;
    const events = Array.from({ length: this.count }, (_, i) => ({
      typeUrl: `type.googleapis.com/model.E${(this.seed + i) % 3}`,
      value: Uint8Array.from([this.seed & 0xff, i, this.entity]),
    }));
    const entity = real.entities[this.entity];
    assert.ok(entity);
    const outcome = await real.journal.append(entity, expected, events).then(
      () => "ok" as const,
      (error: unknown) => (isConflict(error) ? ("conflict" as const) : Promise.reject(error)),
    );
    const wanted = events.length === 0 || this.offset === 0 ? "ok" : "conflict";
    assert.equal(outcome, wanted, `append ${events.length} at expected ${expected} over ${history.length}`);
    if (outcome === "ok") history.push(...events);
  }
  toString(): string {
    return `append(entity ${this.entity}, offset ${this.offset}, ${this.count} events)`;
  }
}

class ReplayCommand implements fc.AsyncCommand<Model, Real> {
  constructor(
    private readonly entity: number,
    private readonly from: number,
    private readonly span: number,
    private readonly max: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const fromSequenceNumber = Math.max(1, this.from);
    const toSequenceNumber = this.span >= 12 ? Infinity : fromSequenceNumber + this.span;
    const history = historyOf(model, this.entity);
    const wanted = history
      .map((payload, i) => ({ sequenceNumber: i + 1, payload: plain(payload) }))
      .filter((e) => e.sequenceNumber >= fromSequenceNumber && e.sequenceNumber <= toSequenceNumber)
      .slice(0, this.max);
    const entity = real.entities[this.entity];
    assert.ok(entity);
    const got = await replayAll(real.journal, entity, { fromSequenceNumber, toSequenceNumber, max: this.max });
    assert.deepEqual(
      got.map((e) => ({ sequenceNumber: e.sequenceNumber, payload: plain(e.payload) })),
      wanted,
    );
  }
  toString(): string {
    return `replay(entity ${this.entity}, from ${this.from}, span ${this.span}, max ${this.max})`;
  }
}

class HighestCommand implements fc.AsyncCommand<Model, Real> {
  constructor(private readonly entity: number) {}
  check(): boolean {
    return true;
  }
  async run(model: Model, real: Real): Promise<void> {
    const entity = real.entities[this.entity];
    assert.ok(entity);
    assert.equal(await real.journal.highestSequenceNumber(entity), historyOf(model, this.entity).length);
  }
  toString(): string {
    return `highest(entity ${this.entity})`;
  }
}
