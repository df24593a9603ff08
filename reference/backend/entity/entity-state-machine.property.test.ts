import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { AnyPayload, StreamOut } from "../../protocol/index.js";
import { entityId } from "../ids.js";
import type { PersistedEvent } from "../persistence/journal.js";
import { StorageError } from "../persistence/storage-error.js";
import { callId, type CallId, type EntityInput, type EntityOutput, type EntityTimer } from "./entity-protocol.js";
import { EntityStateMachine } from "./entity-state-machine.js";

/**
 * The state machine in a simulated world that does anything the real one
 * could, in any order: clients calling, the user function answering well or
 * badly, the journal succeeding or failing, timers firing, streams ending,
 * shutdown, abort. Whatever happens, these hold:
 * - every call is answered exactly once, and by the time the entity stops;
 * - commands go out one at a time, with ids 1, 2, 3… on the stream;
 * - a reply with events completes only after its append succeeded, and
 *   appends always continue from the persisted history;
 * - a snapshot is saved at the sequence number its reply's events reached;
 * - nothing but refusals comes out after `stopped`;
 * - with or without the freshness check, other writers may move the journal on (a check finding
 *   it ahead, a conflict at append): the entity recovers again on a new stream, never two at once.
 */

const any = (n: number): AnyPayload => ({ typeUrl: "type.googleapis.com/t.E", value: Uint8Array.of(n) });

class World {
  readonly machine: EntityStateMachine;
  readonly answers = new Map<CallId, number>();
  readonly issued: CallId[] = [];
  readonly journal: PersistedEvent[] = [];
  private nextCall = 1;
  // What the world owes the machine.
  loadPending = false;
  readPending: { from: number; max: number } | undefined;
  appendPending: { expected: number; events: readonly AnyPayload[] } | undefined;
  checkPending = false;
  awaitingReply: { id: number; name: string } | undefined;
  streamOpen = false;
  streamClosing = false;
  readonly timers = new Set<EntityTimer>();
  stopped = false;
  retired = false;
  lastCommandId = 0;

  constructor(freshnessCheck = false) {
    this.machine = new EntityStateMachine(entityId("e"), {
      relayTimeoutMs: 1_000,
      passivationTimeoutMs: 2_000,
      queueCapacity: 3,
      replayPageSize: 2,
      maxEchoedTextLength: 200,
      freshnessCheck,
    });
  }

  feed(input: EntityInput): void {
    const outputs = this.machine.handle(input);
    if (this.stopped) {
      for (const output of outputs) {
        assert.equal(output.type, "fail-call", `after stopped only refusals, got ${output.type}`);
      }
    }
    for (const output of outputs) this.observe(output);
  }

  command(): void {
    const id = callId(this.nextCall++);
    this.issued.push(id);
    this.feed({ type: "client-command", callId: id, name: "Cmd", payload: any(0) });
  }

  private observe(output: EntityOutput): void {
    switch (output.type) {
      case "open-stream":
        // A restart (to recover again) cancels the old stream first; the session ignores it from then on.
        assert.ok(!this.streamOpen || this.streamClosing, "one stream at a time");
        this.streamOpen = true;
        this.streamClosing = false;
        this.awaitingReply = undefined;
        // D1: command ids start at 1 on every stream, a restarted one included.
        this.lastCommandId = 0;
        return;
      case "check-freshness":
        assert.equal(this.awaitingReply, undefined, "no check while a command is in flight");
        assert.equal(this.appendPending, undefined, "no check while an append is pending");
        this.checkPending = true;
        return;
      case "load-snapshot":
        this.loadPending = true;
        return;
      case "read-events":
        this.readPending = { from: output.fromSequenceNumber, max: output.max };
        return;
      case "send":
        if (output.message.case === "command") {
          assert.equal(this.awaitingReply, undefined, "one command in flight");
          assert.equal(this.appendPending, undefined, "no command while an append is pending");
          assert.equal(output.message.id, this.lastCommandId + 1, "command ids count up from 1 on each stream");
          this.lastCommandId = output.message.id;
          this.awaitingReply = { id: output.message.id, name: output.message.name };
        }
        return;
      case "close-stream":
        this.streamClosing = true;
        return;
      case "append":
        assert.equal(output.expectedSequenceNumber, this.journal.length, "appends continue the persisted history");
        this.appendPending = { expected: output.expectedSequenceNumber, events: output.events };
        return;
      case "save-snapshot":
        assert.equal(output.snapshot.sequenceNumber, this.journal.length, "snapshot at the last persisted event");
        return;
      case "complete-call":
      case "fail-call": {
        const count = (this.answers.get(output.callId) ?? 0) + 1;
        assert.equal(count, 1, `call ${output.callId} answered ${count} times`);
        this.answers.set(output.callId, count);
        // Only the command in flight can complete, and while its append is unanswered it must not.
        if (output.type === "complete-call") assert.equal(this.appendPending, undefined, "completed before its events were persisted");
        return;
      }
      case "start-timer":
        assert.equal(this.timers.has(output.timer), false, `timer ${output.timer} started twice`);
        this.timers.add(output.timer);
        return;
      case "cancel-timer":
        this.timers.delete(output.timer);
        return;
      case "retire":
        assert.equal(this.retired, false, "retired once");
        this.retired = true;
        return;
      case "stopped":
        assert.equal(this.stopped, false);
        this.stopped = true;
        assert.equal(this.timers.size, 0, "no timer left running");
        return;
      case "log":
        return;
    }
  }

  /** The user function answers the command in flight (well or badly). */
  answer(kind: number): void {
    const waiting = this.awaitingReply!;
    this.awaitingReply = undefined;
    const reply = (fields: Partial<Extract<StreamOut, { case: "reply" }>>): StreamOut => ({
      case: "reply",
      commandId: waiting.id,
      payload: undefined,
      events: [],
      snapshot: undefined,
      ...fields,
    });
    const messages: StreamOut[] = [
      reply({}),
      reply({ events: [any(1)] }),
      reply({ events: [any(1), any(2)], snapshot: any(9) }),
      { case: "failure", commandId: waiting.id, description: "no" },
      reply({ commandId: waiting.id + 1 }),
      reply({ snapshot: any(9) }),
      { case: undefined },
    ];
    // Mostly good replies (so lives reach appends), sometimes a Failure or a protocol violation.
    this.feed({ type: "user-function-message", message: messages[kind % 10 < 6 ? kind % 3 : 3 + (kind % 4)]! });
  }

  appendResult(kind: number): void {
    const append = this.appendPending!;
    this.appendPending = undefined;
    if (kind % 4 === 0) {
      this.feed({ type: "journal-append-failed", error: StorageError.unavailable("down") });
    } else if (kind % 4 === 1) {
      // Another writer took the sequence number.
      this.journal.push({ sequenceNumber: this.journal.length + 1, payload: any(7) });
      this.feed({ type: "journal-append-failed", error: StorageError.conflict("taken") });
    } else {
      for (const payload of append.events) this.journal.push({ sequenceNumber: this.journal.length + 1, payload });
      this.feed({ type: "journal-appended" });
    }
  }

  loadResult(kind: number): void {
    this.loadPending = false;
    if (kind % 5 === 0) this.feed({ type: "journal-read-failed", error: StorageError.unavailable("down") });
    else this.feed({ type: "snapshot-loaded", snapshot: undefined });
  }

  /** The journal answers the freshness check: nobody wrote, another replica wrote, or the read failed. */
  checkResult(kind: number): void {
    this.checkPending = false;
    if (kind % 3 === 2) {
      this.feed({ type: "freshness-check-failed", error: StorageError.unavailable("down") });
      return;
    }
    if (kind % 3 === 1) this.journal.push({ sequenceNumber: this.journal.length + 1, payload: any(7) });
    this.feed({ type: "freshness-checked", highestSequenceNumber: this.journal.length });
  }

  readResult(): void {
    const { from, max } = this.readPending!;
    this.readPending = undefined;
    this.feed({ type: "events-read", events: this.journal.slice(from - 1, from - 1 + max) });
  }

  endStream(error: boolean): void {
    this.streamOpen = false;
    this.streamClosing = false;
    this.awaitingReply = undefined;
    this.feed({ type: "user-function-stream-ended", error: error ? "13 INTERNAL: boom" : undefined });
  }

  fire(timer: EntityTimer): void {
    this.timers.delete(timer);
    this.feed({ type: "timer-fired", timer });
  }
}

/** Performs the `choice`-th of the actions possible right now. */
function step(world: World, choice: number, detail: number): void {
  const actions: Array<() => void> = [() => world.command()];
  if (world.loadPending && !world.stopped) actions.push(() => world.loadResult(detail));
  if (world.readPending && !world.stopped) actions.push(() => world.readResult());
  if (world.awaitingReply && world.streamOpen && !world.streamClosing) actions.push(() => world.answer(detail));
  if (world.appendPending) actions.push(() => world.appendResult(detail));
  if (world.checkPending) actions.push(() => world.checkResult(detail));
  // Stream ends and timers end most lives too: offered on some steps only.
  if (world.streamOpen && detail % 6 === 0) actions.push(() => world.endStream(detail % 12 === 0));
  if (detail % 4 === 1) for (const timer of world.timers) actions.push(() => world.fire(timer));
  // Shutdown and abort end the entity's life: rarer, so that lives reach appends, conflicts and checks.
  if (detail % 8 === 0) actions.push(() => world.feed({ type: "shutdown" }));
  if (detail % 40 === 0) actions.push(() => world.feed({ type: "abort" }));
  actions[choice % actions.length]!();
}

/** Lets the world settle kindly: everything answered, the entity stopped. */
function settle(world: World): void {
  world.feed({ type: "shutdown" });
  for (let guard = 0; !world.stopped && guard < 1_000; guard++) {
    if (world.appendPending) world.appendResult(2);
    else if (world.checkPending) world.checkResult(0);
    else if (world.loadPending) world.loadResult(1);
    else if (world.readPending) world.readResult();
    else if (world.awaitingReply && world.streamOpen && !world.streamClosing) world.answer(0);
    else if (world.streamClosing || (world.streamOpen && world.retired)) world.endStream(false);
    else if (world.timers.size > 0) world.fire([...world.timers][0]!);
    else break;
  }
}

describe("EntityStateMachine properties", () => {
  it("answers every call exactly once and keeps the protocol's order, whatever happens", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.noBias(fc.tuple(fc.nat(1_000), fc.nat(1_000))), { minLength: 20, maxLength: 120 }),
        (freshnessCheck, steps) => {
          const world = new World(freshnessCheck);
          for (const [choice, detail] of steps) step(world, choice, detail);
          settle(world);
          if (world.issued.length > 0) assert.equal(world.stopped, true, "the entity stops after shutdown");
          for (const id of world.issued) assert.equal(world.answers.get(id), 1, `call ${id} answered once`);
        },
      ),
      { numRuns: 3_000 },
    );
  });
});
