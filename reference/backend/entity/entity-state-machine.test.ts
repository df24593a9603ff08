import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AnyPayload, StreamOut } from "../../protocol/index.js";
import { BackendError } from "../errors/index.js";
import { entityId } from "../ids.js";
import { StorageError } from "../persistence/storage-error.js";
import { callId, type EntityInput, type EntityOutput } from "./entity-protocol.js";
import { EntityStateMachine } from "./entity-state-machine.js";

// Transcript helpers: inputs built small, outputs asserted exactly.
const any = (typeUrl: string, ...bytes: number[]): AnyPayload => ({ typeUrl, value: Uint8Array.from(bytes) });
const addItem = any("type.googleapis.com/cart.AddItem", 1);
const itemAdded = (n: number) => any("type.googleapis.com/cart.ItemAdded", n);
const cartSnapshot = any("type.googleapis.com/cart.Cart", 9, 9);

const config = {
  relayTimeoutMs: 60_000,
  passivationTimeoutMs: 30_000,
  queueCapacity: 2,
  replayPageSize: 2,
  maxEchoedTextLength: 200,
  freshnessCheck: false,
};
const cart = entityId("cart-1");

const command = (id: number, name = "AddItem", payload = addItem): EntityInput => ({
  type: "client-command",
  callId: callId(id),
  name,
  payload,
});
const fromUserFunction = (message: StreamOut): EntityInput => ({ type: "user-function-message", message });
const reply = (commandId: number, fields: Partial<Extract<StreamOut, { case: "reply" }>> = {}): EntityInput =>
  fromUserFunction({ case: "reply", commandId, payload: undefined, events: [], snapshot: undefined, ...fields });
const failure = (commandId: number, description: string): EntityInput => fromUserFunction({ case: "failure", commandId, description });
const streamEnded = (error?: string): EntityInput => ({ type: "user-function-stream-ended", error });
const timer = (name: "relay" | "passivation" | "close"): EntityInput => ({ type: "timer-fired", timer: name });

const sendCommand = (id: number, name = "AddItem", payload = addItem): EntityOutput => ({
  type: "send",
  message: { case: "command", entityId: cart, id, name, payload },
});
const completeCall = (id: number, reply: Uint8Array = new Uint8Array(0)): EntityOutput => ({
  type: "complete-call",
  callId: callId(id),
  reply,
});
const failCall = (id: number, code: BackendError["code"], message: string): EntityOutput => ({
  type: "fail-call",
  callId: callId(id),
  error: new BackendError(code, message),
});
const startTimer = (timer: "relay" | "passivation" | "close", ms: number): EntityOutput => ({ type: "start-timer", timer, ms });
const cancelTimer = (timer: "relay" | "passivation" | "close"): EntityOutput => ({ type: "cancel-timer", timer });
const recovered = (sequenceNumber: number): EntityOutput => ({
  type: "log",
  level: "debug",
  message: "entity recovered",
  fields: { sequenceNumber },
});

/** Compares outputs; BackendErrors compare by class, code and message. */
function expectOutputs(actual: EntityOutput[], expected: EntityOutput[]): void {
  const plain = (outputs: EntityOutput[]) =>
    outputs.map((o) =>
      o.type === "fail-call" ? { ...o, error: { class: o.error.constructor.name, code: o.error.code, message: o.error.message } } : o,
    );
  assert.deepEqual(plain(actual), plain(expected));
}

/** A machine that has recovered an entity with no history and is running command 1 for call 1. */
function runningWithCommandInFlight(): EntityStateMachine {
  const machine = new EntityStateMachine(cart, config);
  machine.handle(command(1));
  machine.handle({ type: "snapshot-loaded", snapshot: undefined });
  machine.handle({ type: "events-read", events: [] });
  return machine;
}

const violationOutputs = (what: string, pendingCall: number | undefined, queued: number[]): EntityOutput[] => {
  const violation = `protocol violation by the user function: ${what}`;
  const restarted = `entity cart-1 restarted after a ${violation}`;
  return [
    ...(pendingCall === undefined ? [] : [failCall(pendingCall, "internal", violation)]),
    { type: "log", level: "warn", message: restarted },
    ...queued.map((id) => failCall(id, "unavailable", restarted)),
    ...(pendingCall === undefined ? [] : [cancelTimer("relay")]),
    { type: "retire" },
    { type: "close-stream", mode: "cancel" },
  ];
};

describe("EntityStateMachine", () => {
  describe("recovery", () => {
    it("opens a stream on the first command, sends Init without snapshot, then the command with id 1", () => {
      const machine = new EntityStateMachine(cart, config);
      expectOutputs(machine.handle(command(1)), [{ type: "open-stream" }, { type: "load-snapshot" }, startTimer("relay", 60_000)]);
      expectOutputs(machine.handle({ type: "snapshot-loaded", snapshot: undefined }), [
        { type: "send", message: { case: "init", entityId: cart, snapshot: undefined } },
        { type: "read-events", fromSequenceNumber: 1, max: 2 },
      ]);
      expectOutputs(machine.handle({ type: "events-read", events: [] }), [
        recovered(0),
        cancelTimer("relay"),
        sendCommand(1),
        startTimer("relay", 60_000),
      ]);
    });

    it("offers the latest snapshot, then replays the later events page by page before any command", () => {
      const machine = new EntityStateMachine(cart, config);
      machine.handle(command(1));
      machine.handle(command(2));
      expectOutputs(machine.handle({ type: "snapshot-loaded", snapshot: { sequenceNumber: 5, payload: cartSnapshot } }), [
        { type: "send", message: { case: "init", entityId: cart, snapshot: { sequence: 5, payload: cartSnapshot } } },
        { type: "read-events", fromSequenceNumber: 6, max: 2 },
      ]);
      const page1 = [6, 7].map((n) => ({ sequenceNumber: n, payload: itemAdded(n) }));
      expectOutputs(machine.handle({ type: "events-read", events: page1 }), [
        { type: "send", message: { case: "event", sequence: 6, payload: itemAdded(6) } },
        { type: "send", message: { case: "event", sequence: 7, payload: itemAdded(7) } },
        { type: "read-events", fromSequenceNumber: 8, max: 2 },
      ]);
      expectOutputs(machine.handle({ type: "events-read", events: [{ sequenceNumber: 8, payload: itemAdded(8) }] }), [
        { type: "send", message: { case: "event", sequence: 8, payload: itemAdded(8) } },
        recovered(8),
        cancelTimer("relay"),
        sendCommand(1),
        startTimer("relay", 60_000),
      ]);
      // The next reply's events are appended after sequence number 8.
      expectOutputs(machine.handle(reply(1, { events: [itemAdded(9)] })), [
        cancelTimer("relay"),
        { type: "append", expectedSequenceNumber: 8, events: [itemAdded(9)] },
      ]);
    });

    it("treats a gap in the replayed events as a storage failure", () => {
      const machine = new EntityStateMachine(cart, config);
      machine.handle(command(1));
      machine.handle({ type: "snapshot-loaded", snapshot: undefined });
      const message = "journal replay of cart-1 jumped from 0 to 2";
      expectOutputs(machine.handle({ type: "events-read", events: [{ sequenceNumber: 2, payload: itemAdded(2) }] }), [
        { type: "log", level: "warn", message },
        failCall(1, "unavailable", message),
        cancelTimer("relay"),
        { type: "retire" },
        { type: "close-stream", mode: "cancel" },
      ]);
    });

    it("fails the waiting calls UNAVAILABLE when the journal cannot be read", () => {
      const machine = new EntityStateMachine(cart, config);
      machine.handle(command(1));
      machine.handle(command(2));
      const message = "cannot recover entity cart-1: the journal is unavailable";
      expectOutputs(machine.handle({ type: "journal-read-failed", error: StorageError.unavailable("store down") }), [
        { type: "log", level: "warn", message, fields: { detail: "store down" } },
        failCall(1, "unavailable", message),
        failCall(2, "unavailable", message),
        cancelTimer("relay"),
        { type: "retire" },
        { type: "close-stream", mode: "cancel" },
      ]);
      expectOutputs(machine.handle(streamEnded("cancelled")), [{ type: "stopped" }]);
      assert.equal(machine.isStopped, true);
    });

    it("gives up on a recovery that does not finish within the relay timeout", () => {
      const machine = new EntityStateMachine(cart, config);
      machine.handle(command(1));
      machine.handle({ type: "snapshot-loaded", snapshot: undefined });
      const message = "entity cart-1 did not recover within 60000 ms";
      expectOutputs(machine.handle(timer("relay")), [
        { type: "log", level: "warn", message },
        failCall(1, "unavailable", message),
        { type: "retire" },
        { type: "close-stream", mode: "cancel" },
      ]);
      // The page read that was still running arrives late and changes nothing.
      expectOutputs(machine.handle({ type: "events-read", events: [] }), []);
    });
  });

  describe("commands", () => {
    it("completes a reply without events at once, with its payload bytes untouched", () => {
      const machine = runningWithCommandInFlight();
      const payload = any("type.googleapis.com/cart.Cart", 0, 1, 2, 255);
      expectOutputs(machine.handle(reply(1, { payload })), [
        cancelTimer("relay"),
        completeCall(1, payload.value),
        startTimer("passivation", 30_000),
      ]);
    });

    it("answers a reply without payload with empty bytes", () => {
      const machine = runningWithCommandInFlight();
      const outputs = machine.handle(reply(1));
      const completed = outputs.find((o) => o.type === "complete-call");
      assert.deepEqual(completed, completeCall(1, new Uint8Array(0)));
    });

    it("appends a reply's events before completing the call, then stores its snapshot at the last event", () => {
      const machine = runningWithCommandInFlight();
      const payload = any("type.googleapis.com/google.protobuf.Empty");
      expectOutputs(machine.handle(reply(1, { payload, events: [itemAdded(1), itemAdded(2)], snapshot: cartSnapshot })), [
        cancelTimer("relay"),
        { type: "append", expectedSequenceNumber: 0, events: [itemAdded(1), itemAdded(2)] },
      ]);
      expectOutputs(machine.handle({ type: "journal-appended" }), [
        { type: "save-snapshot", snapshot: { sequenceNumber: 2, payload: cartSnapshot } },
        completeCall(1, payload.value),
        startTimer("passivation", 30_000),
      ]);
      machine.handle(command(2));
      expectOutputs(machine.handle(reply(1 + 1, { events: [itemAdded(3)] })), [
        cancelTimer("relay"),
        { type: "append", expectedSequenceNumber: 2, events: [itemAdded(3)] },
      ]);
    });

    it("keeps one command in flight and sends the queued ones in arrival order with increasing ids", () => {
      const machine = runningWithCommandInFlight();
      expectOutputs(machine.handle(command(2, "RemoveItem")), []);
      expectOutputs(machine.handle(command(3, "GetCart")), []);
      expectOutputs(machine.handle(reply(1)), [
        cancelTimer("relay"),
        completeCall(1),
        sendCommand(2, "RemoveItem"),
        startTimer("relay", 60_000),
      ]);
      expectOutputs(machine.handle(failure(2, "Item not in cart")), [
        cancelTimer("relay"),
        failCall(2, "unknown", "Item not in cart"),
        sendCommand(3, "GetCart"),
        startTimer("relay", 60_000),
      ]);
    });

    it("refuses a command beyond the queue with RESOURCE_EXHAUSTED", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(command(2));
      machine.handle(command(3));
      expectOutputs(machine.handle(command(4)), [failCall(4, "resource_exhausted", "entity cart-1 has 2 commands waiting (the limit)")]);
    });

    it("counts commands waiting for recovery against the queue too, the first as the one in flight", () => {
      const machine = new EntityStateMachine(cart, config);
      machine.handle(command(1));
      expectOutputs(machine.handle(command(2)), []);
      expectOutputs(machine.handle(command(3)), []);
      expectOutputs(machine.handle(command(4)), [failCall(4, "resource_exhausted", "entity cart-1 has 2 commands waiting (the limit)")]);
    });

    it("answers a Failure with UNKNOWN and its description, persists nothing and carries on", () => {
      const machine = runningWithCommandInFlight();
      expectOutputs(machine.handle(failure(1, "Cannot add negative quantity")), [
        cancelTimer("relay"),
        failCall(1, "unknown", "Cannot add negative quantity"),
        startTimer("passivation", 30_000),
      ]);
      expectOutputs(machine.handle(command(2)), [cancelTimer("passivation"), sendCommand(2), startTimer("relay", 60_000)]);
    });
  });

  describe("protocol violations fail the pending call INTERNAL, the queued UNAVAILABLE, and close the stream", () => {
    const cases: Array<[string, EntityInput, string]> = [
      ["a reply with a wrong command id", reply(7), "a Reply to command 7 while command 1 is pending"],
      ["a failure with a wrong command id", failure(7, "x"), "a Failure for command 7 while command 1 is pending"],
      ["an empty oneof", fromUserFunction({ case: undefined }), "a message with no oneof case set"],
      ["a snapshot without events", reply(1, { snapshot: cartSnapshot }), "a Reply to command 1 with a snapshot but no events"],
      ["a Failure with id 0", failure(0, "entity broken"), "a Failure with command id 0"],
    ];
    for (const [name, input, what] of cases) {
      it(name, () => {
        const machine = runningWithCommandInFlight();
        machine.handle(command(2));
        expectOutputs(machine.handle(input), violationOutputs(what, 1, [2]));
        expectOutputs(machine.handle(streamEnded("cancelled")), [{ type: "stopped" }]);
        // Anything arriving now is refused; the registry routes new calls to a fresh entity.
        expectOutputs(machine.handle(command(3)), [failCall(3, "unavailable", "entity is stopping")]);
      });
    }

    it("a reply with nothing pending", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1));
      const restarted =
        "entity cart-1 restarted after a protocol violation by the user function: a Reply to command 2 with no command pending";
      expectOutputs(machine.handle(reply(2)), [
        { type: "log", level: "warn", message: restarted },
        cancelTimer("passivation"),
        { type: "retire" },
        { type: "close-stream", mode: "cancel" },
      ]);
    });

    it("a message while Init and events are still being sent", () => {
      const machine = new EntityStateMachine(cart, config);
      machine.handle(command(1));
      machine.handle({ type: "snapshot-loaded", snapshot: undefined });
      const restarted =
        "entity cart-1 restarted after a protocol violation by the user function: a Reply to command 1 with no command pending";
      expectOutputs(machine.handle(reply(1)), [
        { type: "log", level: "warn", message: restarted },
        failCall(1, "unavailable", restarted),
        cancelTimer("relay"),
        { type: "retire" },
        { type: "close-stream", mode: "cancel" },
      ]);
    });

    it("a message while the reply's events are being written leaves that call to the journal's answer", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1, { events: [itemAdded(1)], snapshot: cartSnapshot }));
      machine.handle(command(2));
      expectOutputs(machine.handle(reply(1)), violationOutputs("a Reply to command 1 with no command pending", undefined, [2]));
      expectOutputs(machine.handle(streamEnded("cancelled")), []);
      expectOutputs(machine.handle({ type: "journal-appended" }), [
        { type: "save-snapshot", snapshot: { sequenceNumber: 1, payload: cartSnapshot } },
        completeCall(1),
        { type: "stopped" },
      ]);
    });
  });

  describe("stream end", () => {
    it("fails the pending and queued calls UNAVAILABLE when the stream errors", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(command(2));
      const message = "the stream to the user function failed";
      expectOutputs(machine.handle(streamEnded("14 UNAVAILABLE: connection refused")), [
        { type: "log", level: "warn", message, fields: { detail: "14 UNAVAILABLE: connection refused" } },
        failCall(1, "unavailable", message),
        failCall(2, "unavailable", message),
        cancelTimer("relay"),
        { type: "retire" },
        { type: "stopped" },
      ]);
    });

    it("fails the pending call UNAVAILABLE when the user function completes the stream mid-command", () => {
      const machine = runningWithCommandInFlight();
      const message = "the user function completed the stream";
      expectOutputs(machine.handle(streamEnded()), [
        { type: "log", level: "warn", message },
        failCall(1, "unavailable", message),
        cancelTimer("relay"),
        { type: "retire" },
        { type: "stopped" },
      ]);
    });

    it("retires quietly when an idle entity's stream ends", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1));
      expectOutputs(machine.handle(streamEnded()), [
        { type: "log", level: "debug", message: "the user function completed the stream" },
        cancelTimer("passivation"),
        { type: "retire" },
        { type: "stopped" },
      ]);
    });

    it("still completes a call whose events are being written when the stream ends", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1, { events: [itemAdded(1)] }));
      machine.handle(streamEnded());
      expectOutputs(machine.handle({ type: "journal-appended" }), [completeCall(1), { type: "stopped" }]);
    });
  });

  describe("relay timeout", () => {
    it("fails the call DEADLINE_EXCEEDED, the queued UNAVAILABLE, and restarts the entity", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(command(2));
      const restarted = "entity cart-1 restarted: no reply from the user function within 60000 ms";
      expectOutputs(machine.handle(timer("relay")), [
        failCall(1, "deadline_exceeded", "no reply from the user function within 60000 ms"),
        { type: "log", level: "warn", message: restarted },
        failCall(2, "unavailable", restarted),
        { type: "retire" },
        { type: "close-stream", mode: "cancel" },
      ]);
      expectOutputs(machine.handle(reply(1)), [
        { type: "log", level: "debug", message: "ignoring a message from a retired stream", fields: { case: "reply" } },
      ]);
      expectOutputs(machine.handle(streamEnded("1 CANCELLED")), [{ type: "stopped" }]);
    });

    it("ignores a relay timer that was cancelled before it fired", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1));
      expectOutputs(machine.handle(timer("relay")), []);
    });
  });

  describe("journal write failure", () => {
    it("fails the call UNAVAILABLE and restarts the entity", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1, { events: [itemAdded(1)], snapshot: cartSnapshot }));
      machine.handle(command(2));
      const message = "journal write failed for entity cart-1";
      expectOutputs(machine.handle({ type: "journal-append-failed", error: StorageError.unavailable("disk on fire") }), [
        failCall(1, "unavailable", message),
        { type: "log", level: "warn", message, fields: { detail: "disk on fire" } },
        failCall(2, "unavailable", message),
        { type: "retire" },
        { type: "close-stream", mode: "cancel" },
      ]);
    });

    it("on a conflict recovers the entity on a new stream and runs the command again; a second conflict fails only it, ABORTED", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1, { events: [itemAdded(1)] }));
      machine.handle(command(2));
      expectOutputs(machine.handle({ type: "journal-append-failed", error: StorageError.conflict("at 1, expected 0") }), [
        {
          type: "log",
          level: "debug",
          message: "another writer persisted events first; recovering and running the command again",
          fields: { sequenceNumber: 0, detail: "at 1, expected 0" },
        },
        { type: "close-stream", mode: "cancel" },
        { type: "open-stream" },
        { type: "load-snapshot" },
        startTimer("relay", 60_000),
      ]);
      machine.handle({ type: "snapshot-loaded", snapshot: undefined });
      // The other writer's event is replayed; then the same command runs again, before the queued one.
      expectOutputs(machine.handle({ type: "events-read", events: [{ sequenceNumber: 1, payload: itemAdded(7) }] }), [
        { type: "send", message: { case: "event", sequence: 1, payload: itemAdded(7) } },
        recovered(1),
        cancelTimer("relay"),
        // A new stream: command ids start at 1 again (D1).
        sendCommand(1),
        startTimer("relay", 60_000),
      ]);
      expectOutputs(machine.handle(reply(1, { events: [itemAdded(1)] })), [
        cancelTimer("relay"),
        { type: "append", expectedSequenceNumber: 1, events: [itemAdded(1)] },
      ]);
      // Lost again: the client hears of it now; the queued command runs on the entity recovered again.
      const message = "another writer persisted events of entity cart-1 first";
      expectOutputs(machine.handle({ type: "journal-append-failed", error: StorageError.conflict("at 2, expected 1") }), [
        failCall(1, "aborted", message),
        {
          type: "log",
          level: "debug",
          message: "another writer persisted events first again; the command failed, recovering the entity",
          fields: { sequenceNumber: 1, detail: "at 2, expected 1" },
        },
        { type: "close-stream", mode: "cancel" },
        { type: "open-stream" },
        { type: "load-snapshot" },
        startTimer("relay", 60_000),
      ]);
      machine.handle({ type: "snapshot-loaded", snapshot: { sequenceNumber: 2, payload: cartSnapshot } });
      expectOutputs(machine.handle({ type: "events-read", events: [] }), [
        recovered(2),
        cancelTimer("relay"),
        sendCommand(1),
        startTimer("relay", 60_000),
      ]);
    });

    it("a retried command that succeeds completes its call once, and the queue runs on", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1, { events: [itemAdded(1)] }));
      machine.handle(command(2));
      machine.handle({ type: "journal-append-failed", error: StorageError.conflict("at 1, expected 0") });
      machine.handle({ type: "snapshot-loaded", snapshot: undefined });
      machine.handle({ type: "events-read", events: [{ sequenceNumber: 1, payload: itemAdded(7) }] });
      machine.handle(reply(1, { events: [itemAdded(1)] }));
      expectOutputs(machine.handle({ type: "journal-appended" }), [completeCall(1), sendCommand(2), startTimer("relay", 60_000)]);
      expectOutputs(machine.handle(reply(2, { events: [itemAdded(2)] })), [
        cancelTimer("relay"),
        { type: "append", expectedSequenceNumber: 2, events: [itemAdded(2)] },
      ]);
    });
  });

  describe("storage refusals and oversized messages", () => {
    it("fails a command whose events the journal refuses as too large RESOURCE_EXHAUSTED, the queued UNAVAILABLE", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1, { events: [itemAdded(1)] }));
      machine.handle(command(2));
      const tooBig = StorageError.tooLarge("Cassandra refused the request as too large while appending: Request is too big");
      const message = "the journal refused the events of this command as too large";
      expectOutputs(machine.handle({ type: "journal-append-failed", error: tooBig }), [
        failCall(1, "resource_exhausted", message),
        { type: "log", level: "warn", message, fields: { detail: tooBig.message } },
        failCall(2, "unavailable", message),
        { type: "retire" },
        { type: "close-stream", mode: "cancel" },
      ]);
    });

    it("fails a command whose events the journal cannot take FAILED_PRECONDITION", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1, { events: [itemAdded(1)] }));
      const outputs = machine.handle({ type: "journal-append-failed", error: StorageError.rejected("cannot encode") });
      const failed = outputs.find((o) => o.type === "fail-call");
      assert.equal(failed?.type === "fail-call" ? failed.error.code : undefined, "failed_precondition");
    });

    it("fails the recovering calls with the permanent code when the journal refuses the read", () => {
      const machine = new EntityStateMachine(cart, config);
      machine.handle(command(1));
      const outputs = machine.handle({ type: "journal-read-failed", error: StorageError.rejected("key out of range") });
      const failed = outputs.find((o) => o.type === "fail-call");
      assert.equal(failed?.type === "fail-call" ? failed.error.code : undefined, "failed_precondition");
      assert.equal(
        failed?.type === "fail-call" ? failed.error.message : undefined,
        "cannot recover entity cart-1: the journal refused the read",
      );
    });

    it("fails the command in flight RESOURCE_EXHAUSTED when the link reports a message over its size limit", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(command(2));
      const detail = "8 RESOURCE_EXHAUSTED: Received message larger than max (20000000 vs 16777216)";
      expectOutputs(machine.handle({ type: "user-function-stream-ended", error: detail, messageTooLarge: true }), [
        failCall(1, "resource_exhausted", "a message for entity cart-1 exceeds the user-function link's size limit"),
        { type: "log", level: "warn", message: "the stream to the user function failed", fields: { detail } },
        failCall(2, "unavailable", "the stream to the user function failed"),
        cancelTimer("relay"),
        { type: "retire" },
        { type: "stopped" },
      ]);
    });

    it("fails the waiting calls RESOURCE_EXHAUSTED when a message of the replayed history is over the link's limit", () => {
      const machine = new EntityStateMachine(cart, config);
      machine.handle(command(1));
      machine.handle({ type: "snapshot-loaded", snapshot: undefined });
      const detail = "8 RESOURCE_EXHAUSTED: Attempted to send message with a size larger than 16777216";
      const message = "a message for entity cart-1 exceeds the user-function link's size limit";
      expectOutputs(machine.handle({ type: "user-function-stream-ended", error: detail, messageTooLarge: true }), [
        { type: "log", level: "warn", message, fields: { detail } },
        failCall(1, "resource_exhausted", message),
        cancelTimer("relay"),
        { type: "retire" },
        { type: "stopped" },
      ]);
    });

    it("quotes a long entity id cut to the echo limit", () => {
      const long = entityId("k".repeat(10_000));
      const machine = new EntityStateMachine(long, { ...config, maxEchoedTextLength: 8, queueCapacity: 0 });
      machine.handle(command(1));
      expectOutputs(machine.handle(command(2)), [failCall(2, "resource_exhausted", "entity kkkkkkkk… has 0 commands waiting (the limit)")]);
    });
  });

  describe("a client that has gone", () => {
    it("drops its queued command, which never reaches the user function, and frees its place in the queue", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(command(2));
      machine.handle(command(3));
      expectOutputs(machine.handle({ type: "client-gone", callId: callId(2) }), [
        { type: "log", level: "debug", message: "dropped a queued command: its client has gone" },
        failCall(2, "cancelled", "the client went away before the command was sent"),
      ]);
      // The freed place takes a new call (the queue holds 2).
      expectOutputs(machine.handle(command(4)), []);
      const afterReply = machine.handle(reply(1));
      assert.deepEqual(
        afterReply.filter((o) => o.type === "send"),
        [sendCommand(2)],
        "call 3 goes next, as command 2",
      );
      const sent = machine.handle(reply(2));
      assert.deepEqual(
        sent.filter((o) => o.type === "send"),
        [sendCommand(3)],
        "then call 4, as command 3",
      );
    });

    it("drops the command at the head of the queue while the entity recovers", () => {
      const machine = new EntityStateMachine(cart, config);
      machine.handle(command(1));
      machine.handle({ type: "client-gone", callId: callId(1) });
      machine.handle({ type: "snapshot-loaded", snapshot: undefined });
      const outputs = machine.handle({ type: "events-read", events: [] });
      assert.deepEqual(
        outputs.filter((o) => o.type === "send"),
        [],
        "no command sent",
      );
    });

    it("lets the command in flight run on: its events are persisted and its reply dropped by the session", () => {
      const machine = runningWithCommandInFlight();
      expectOutputs(machine.handle({ type: "client-gone", callId: callId(1) }), []);
      expectOutputs(machine.handle(reply(1, { events: [itemAdded(1)] })), [
        cancelTimer("relay"),
        { type: "append", expectedSequenceNumber: 0, events: [itemAdded(1)] },
      ]);
    });
  });

  describe("passivation", () => {
    it("completes the stream of an idle entity and stops when the user function completes its side", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1));
      expectOutputs(machine.handle(timer("passivation")), [
        { type: "log", level: "debug", message: "passivating idle entity" },
        { type: "retire" },
        { type: "close-stream", mode: "complete" },
        startTimer("close", 60_000),
      ]);
      expectOutputs(machine.handle(streamEnded()), [cancelTimer("close"), { type: "stopped" }]);
    });

    it("never passivates while a command is in flight", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1));
      // A command arrives: the passivation timer is cancelled, so a late firing is ignored.
      expectOutputs(machine.handle(command(2)), [cancelTimer("passivation"), sendCommand(2), startTimer("relay", 60_000)]);
      expectOutputs(machine.handle(timer("passivation")), []);
      expectOutputs(machine.handle(reply(2)), [cancelTimer("relay"), completeCall(2), startTimer("passivation", 30_000)]);
    });

    it("cancels a stream the user function does not complete within the relay timeout", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1));
      machine.handle(timer("passivation"));
      expectOutputs(machine.handle(timer("close")), [
        { type: "log", level: "warn", message: "user function did not complete the stream in time; cancelling it" },
        { type: "close-stream", mode: "cancel" },
      ]);
      expectOutputs(machine.handle(streamEnded("1 CANCELLED")), [{ type: "stopped" }]);
    });
  });

  describe("shutdown", () => {
    it("lets the command in flight and the queued ones finish, refuses new ones, then completes the stream", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(command(2));
      expectOutputs(machine.handle({ type: "shutdown" }), []);
      expectOutputs(machine.handle(command(3)), [failCall(3, "unavailable", "backend is shutting down")]);
      expectOutputs(machine.handle(reply(1)), [cancelTimer("relay"), completeCall(1), sendCommand(2), startTimer("relay", 60_000)]);
      expectOutputs(machine.handle(reply(2)), [
        cancelTimer("relay"),
        completeCall(2),
        { type: "retire" },
        { type: "close-stream", mode: "complete" },
        startTimer("close", 60_000),
      ]);
      expectOutputs(machine.handle(streamEnded()), [cancelTimer("close"), { type: "stopped" }]);
    });

    it("on abort fails what waits, cancels the stream, and still lets a running append finish", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1, { events: [itemAdded(1)] }));
      machine.handle(command(2));
      const message = "backend stopped before the entity finished";
      expectOutputs(machine.handle({ type: "abort" }), [
        { type: "log", level: "warn", message },
        failCall(2, "unavailable", message),
        { type: "retire" },
        { type: "close-stream", mode: "cancel" },
      ]);
      expectOutputs(machine.handle(streamEnded("1 CANCELLED")), []);
      expectOutputs(machine.handle({ type: "journal-appended" }), [completeCall(1), { type: "stopped" }]);
    });

    it("on abort cancels a stream still completing", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1));
      machine.handle({ type: "shutdown" });
      expectOutputs(machine.handle({ type: "abort" }), [{ type: "close-stream", mode: "cancel" }]);
    });

    it("completes an idle entity's stream at once", () => {
      const machine = runningWithCommandInFlight();
      machine.handle(reply(1));
      expectOutputs(machine.handle({ type: "shutdown" }), [
        cancelTimer("passivation"),
        { type: "retire" },
        { type: "close-stream", mode: "complete" },
        startTimer("close", 60_000),
      ]);
    });
  });
});

describe("EntityStateMachine with the freshness check (several replicas on one journal)", () => {
  const fresh = { ...config, freshnessCheck: true };
  const checkFreshness: EntityOutput = { type: "check-freshness" };

  /** Recovered with no history, command 1 run and its event persisted at 1: a cached entity. */
  function cachedAtOne(): EntityStateMachine {
    const machine = new EntityStateMachine(cart, fresh);
    machine.handle(command(1));
    machine.handle({ type: "snapshot-loaded", snapshot: undefined });
    machine.handle({ type: "events-read", events: [] });
    machine.handle(reply(1, { events: [itemAdded(1)] }));
    machine.handle({ type: "journal-appended" });
    return machine;
  }

  it("runs the first command after recovery without a check: the replay has just read the journal", () => {
    const machine = new EntityStateMachine(cart, fresh);
    machine.handle(command(1));
    machine.handle({ type: "snapshot-loaded", snapshot: undefined });
    expectOutputs(machine.handle({ type: "events-read", events: [] }), [
      recovered(0),
      cancelTimer("relay"),
      sendCommand(1),
      startTimer("relay", 60_000),
    ]);
  });

  it("checks the journal before a command on a cached entity, and runs it when nobody wrote since", () => {
    const machine = cachedAtOne();
    expectOutputs(machine.handle(command(2)), [cancelTimer("passivation"), checkFreshness, startTimer("relay", 60_000)]);
    expectOutputs(machine.handle({ type: "freshness-checked", highestSequenceNumber: 1 }), [sendCommand(2)]);
    expectOutputs(machine.handle(reply(2, { events: [itemAdded(2)] })), [
      cancelTimer("relay"),
      { type: "append", expectedSequenceNumber: 1, events: [itemAdded(2)] },
    ]);
  });

  it("recovers a cached entity on a new stream when the journal moved past it, then runs the command on the new state", () => {
    const machine = cachedAtOne();
    machine.handle(command(2, "GetCart"));
    expectOutputs(machine.handle({ type: "freshness-checked", highestSequenceNumber: 3 }), [
      {
        type: "log",
        level: "debug",
        message: "the journal moved past this replica's entity (1 → 3); recovering it first",
        fields: { sequenceNumber: 1 },
      },
      cancelTimer("relay"),
      { type: "close-stream", mode: "cancel" },
      { type: "open-stream" },
      { type: "load-snapshot" },
      startTimer("relay", 60_000),
    ]);
    // Init with the latest snapshot, then the events after it.
    expectOutputs(machine.handle({ type: "snapshot-loaded", snapshot: { sequenceNumber: 2, payload: cartSnapshot } }), [
      { type: "send", message: { case: "init", entityId: cart, snapshot: { sequence: 2, payload: cartSnapshot } } },
      { type: "read-events", fromSequenceNumber: 3, max: 2 },
    ]);
    expectOutputs(machine.handle({ type: "events-read", events: [{ sequenceNumber: 3, payload: itemAdded(3) }] }), [
      { type: "send", message: { case: "event", sequence: 3, payload: itemAdded(3) } },
      recovered(3),
      cancelTimer("relay"),
      sendCommand(1, "GetCart"),
      startTimer("relay", 60_000),
    ]);
    expectOutputs(machine.handle(reply(1, { payload: any("type.googleapis.com/cart.Cart", 3) })), [
      cancelTimer("relay"),
      completeCall(2, Uint8Array.from([3])),
      startTimer("passivation", 30_000),
    ]);
  });

  it("a new stream that fails while the entity recovers again fails the waiting command UNAVAILABLE", () => {
    const machine = cachedAtOne();
    machine.handle(command(2));
    machine.handle({ type: "freshness-checked", highestSequenceNumber: 2 });
    // Recovering on the new stream; the new stream failing fails the waiting command as before.
    const outputs = machine.handle(streamEnded("14 UNAVAILABLE: gone"));
    assert.ok(
      outputs.some((o) => o.type === "fail-call" && o.callId === callId(2) && o.error.code === "unavailable"),
      `the waiting command fails UNAVAILABLE when the new stream fails; outputs: ${JSON.stringify(outputs.map((o) => o.type))}`,
    );
  });

  it("fails only the call whose check could not read the journal; the next command checks again", () => {
    const machine = cachedAtOne();
    machine.handle(command(2));
    machine.handle(command(3));
    expectOutputs(machine.handle({ type: "freshness-check-failed", error: StorageError.unavailable("no host") }), [
      cancelTimer("relay"),
      failCall(2, "unavailable", "cannot check the freshness of entity cart-1: the journal is unavailable"),
      checkFreshness,
      startTimer("relay", 60_000),
    ]);
  });

  it("fails a check the journal does not answer within the relay timeout DEADLINE_EXCEEDED", () => {
    const machine = cachedAtOne();
    machine.handle(command(2));
    const message = "the journal did not answer the freshness check of entity cart-1 within 60000 ms";
    const outputs = machine.handle(timer("relay"));
    assert.deepEqual(
      outputs[0] && outputs[0].type === "fail-call" ? [outputs[0].callId, outputs[0].error.code, outputs[0].error.message] : outputs[0],
      [callId(2), "deadline_exceeded", message],
    );
    assert.ok(
      outputs.some((o) => o.type === "retire"),
      "the entity is retired",
    );
  });

  it("without the setting, a cached entity runs commands with no check (a single replica)", () => {
    const machine = runningWithCommandInFlight();
    machine.handle(reply(1, { events: [itemAdded(1)] }));
    machine.handle({ type: "journal-appended" });
    expectOutputs(machine.handle(command(2)), [cancelTimer("passivation"), sendCommand(2), startTimer("relay", 60_000)]);
  });
});
