import type { AnyPayload, StreamOut } from "../../protocol/index.js";
import { BackendError } from "../errors/index.js";
import type { EntityId } from "../ids.js";
import type { PersistedEvent } from "../persistence/journal.js";
import type { StoredSnapshot } from "../persistence/snapshot-store.js";
import type { StorageError } from "../persistence/storage-error.js";
import type {
  CallId,
  EntityInput,
  EntityOutput,
  EntityStateMachineConfig,
  EntityTimer,
} from "./entity-protocol.js";

type Phase =
  /** Created, no command seen yet. */
  | "new"
  /** Stream open, Init and events being sent. */
  | "recovering"
  /** Commands flow. */
  | "running"
  /** Retired: waiting for the stream to end and any journal write to settle. */
  | "stopping"
  | "stopped";

interface QueuedCommand {
  readonly callId: CallId;
  readonly name: string;
  readonly payload: AnyPayload;
}

type InFlight =
  | { readonly stage: "awaiting-reply"; readonly callId: CallId; readonly commandId: number }
  | {
      readonly stage: "appending";
      readonly callId: CallId;
      readonly commandId: number;
      readonly eventCount: number;
      readonly reply: Uint8Array;
      readonly snapshot: AnyPayload | undefined;
    };

const noBytes = new Uint8Array(0);

/**
 * One entity's protocol logic without IO: `handle` takes what happened and
 * returns what to do. The session shell (entity-session.ts) owns the stream,
 * the timers and the storage, and feeds their results back in.
 *
 * Life: new → recovering (Init, events) → running (one command in flight, the
 * rest queued) → stopping → stopped. Any failure, passivation or shutdown
 * retires the entity; the next call for it gets a fresh one, so recovery after
 * a failure is always "afresh" from the journal.
 */
export class EntityStateMachine {
  private phase: Phase = "new";
  private readonly queue: QueuedCommand[] = [];
  private inFlight: InFlight | undefined;
  /** Highest sequence number persisted (or replayed). */
  private sequenceNumber = 0;
  private nextCommandId = 1;
  private streamOpen = false;
  private draining = false;
  private readonly timers = new Set<EntityTimer>();
  private out: EntityOutput[] = [];

  constructor(
    readonly entityId: EntityId,
    private readonly config: EntityStateMachineConfig,
  ) {}

  /** Whether the machine has finished for good. */
  get isStopped(): boolean {
    return this.phase === "stopped";
  }

  handle(input: EntityInput): EntityOutput[] {
    this.out = [];
    switch (input.type) {
      case "client-command":
        this.onClientCommand(input.callId, input.name, input.payload);
        break;
      case "snapshot-loaded":
        this.onSnapshotLoaded(input.snapshot);
        break;
      case "events-read":
        this.onEventsRead(input.events);
        break;
      case "journal-read-failed":
        this.onJournalReadFailed(input.error);
        break;
      case "user-function-message":
        this.onUserFunctionMessage(input.message);
        break;
      case "user-function-stream-ended":
        this.onStreamEnded(input.error);
        break;
      case "journal-appended":
        this.onJournalAppended();
        break;
      case "journal-append-failed":
        this.onJournalAppendFailed(input.error);
        break;
      case "timer-fired":
        this.onTimerFired(input.timer);
        break;
      case "shutdown":
        this.onShutdown();
        break;
      case "abort":
        if (this.phase === "recovering" || this.phase === "running") this.retire("backend stopped before the entity finished");
        else if (this.phase === "stopping" && this.streamOpen) this.emit({ type: "close-stream", mode: "cancel" });
        break;
    }
    return this.out;
  }

  private onClientCommand(callId: CallId, name: string, payload: AnyPayload): void {
    switch (this.phase) {
      case "new":
        this.queue.push({ callId, name, payload });
        this.phase = "recovering";
        this.streamOpen = true;
        this.emit({ type: "open-stream" }, { type: "load-snapshot" });
        // Recovery is bounded too: a store or user function that hangs must not hold calls forever.
        this.startTimer("relay", this.config.relayTimeoutMs);
        return;
      case "stopping":
      case "stopped":
        this.emit({ type: "fail-call", callId, error: new BackendError("unavailable", "entity is stopping") });
        return;
      case "recovering":
      case "running":
        if (this.draining) {
          this.emit({ type: "fail-call", callId, error: new BackendError("unavailable", "backend is shutting down") });
          return;
        }
        {
          // While recovering, the head of the queue is the command that will go first: it counts as
          // in flight, as it does once running, so the limit is the same in both phases.
          const waiting = this.phase === "recovering" ? this.queue.length - 1 : this.queue.length;
          if (waiting >= this.config.queueCapacity) {
            this.emit({
              type: "fail-call",
              callId,
              error: new BackendError("resource_exhausted", `entity ${this.entityId} has ${waiting} commands waiting (the limit)`),
            });
            return;
          }
        }
        this.queue.push({ callId, name, payload });
        if (this.phase === "running") this.dispatchNext();
        return;
    }
  }

  private onSnapshotLoaded(snapshot: StoredSnapshot | undefined): void {
    if (this.phase !== "recovering") return;
    this.sequenceNumber = snapshot?.sequenceNumber ?? 0;
    this.emit({
      type: "send",
      message: {
        case: "init",
        entityId: this.entityId,
        snapshot: snapshot ? { sequence: snapshot.sequenceNumber, payload: snapshot.payload } : undefined,
      },
    });
    this.readNextPage();
  }

  private onEventsRead(events: readonly PersistedEvent[]): void {
    if (this.phase !== "recovering") return;
    for (const event of events) {
      if (event.sequenceNumber !== this.sequenceNumber + 1) {
        this.retire(`journal replay of ${this.entityId} jumped from ${this.sequenceNumber} to ${event.sequenceNumber}`);
        return;
      }
      this.sequenceNumber = event.sequenceNumber;
      this.emit({ type: "send", message: { case: "event", sequence: event.sequenceNumber, payload: event.payload } });
    }
    if (events.length >= this.config.replayPageSize) {
      this.readNextPage();
      return;
    }
    this.phase = "running";
    this.emit({ type: "log", level: "debug", message: "entity recovered", fields: { sequenceNumber: this.sequenceNumber } });
    this.cancelTimer("relay");
    this.dispatchNext();
  }

  private onJournalReadFailed(error: StorageError): void {
    if (this.phase !== "recovering") return;
    this.retire(`cannot recover entity ${this.entityId}: ${error.message}`);
  }

  private onUserFunctionMessage(message: StreamOut): void {
    if (this.phase !== "recovering" && this.phase !== "running") {
      this.emit({ type: "log", level: "debug", message: "ignoring a message from a retired stream", fields: { case: message.case } });
      return;
    }
    const waiting = this.inFlight?.stage === "awaiting-reply" ? this.inFlight : undefined;
    switch (message.case) {
      case undefined:
        this.violation("a message with no oneof case set");
        return;
      case "failure":
        if (message.commandId === 0) return this.violation("a Failure with command id 0");
        if (!waiting) return this.violation(`a Failure for command ${message.commandId} with no command pending`);
        if (message.commandId !== waiting.commandId) {
          return this.violation(`a Failure for command ${message.commandId} while command ${waiting.commandId} is pending`);
        }
        this.cancelTimer("relay");
        this.inFlight = undefined;
        this.emit({ type: "fail-call", callId: waiting.callId, error: new BackendError("unknown", message.description) });
        this.dispatchNext();
        return;
      case "reply": {
        if (!waiting) return this.violation(`a Reply to command ${message.commandId} with no command pending`);
        if (message.commandId !== waiting.commandId) {
          return this.violation(`a Reply to command ${message.commandId} while command ${waiting.commandId} is pending`);
        }
        if (message.snapshot && message.events.length === 0) {
          return this.violation(`a Reply to command ${message.commandId} with a snapshot but no events`);
        }
        this.cancelTimer("relay");
        const reply = message.payload?.value ?? noBytes;
        if (message.events.length === 0) {
          this.inFlight = undefined;
          this.emit({ type: "complete-call", callId: waiting.callId, reply });
          this.dispatchNext();
          return;
        }
        this.inFlight = {
          stage: "appending",
          callId: waiting.callId,
          commandId: waiting.commandId,
          eventCount: message.events.length,
          reply,
          snapshot: message.snapshot,
        };
        this.emit({ type: "append", expectedSequenceNumber: this.sequenceNumber, events: message.events });
        return;
      }
    }
  }

  private onJournalAppended(): void {
    const appending = this.inFlight?.stage === "appending" ? this.inFlight : undefined;
    if (!appending) return;
    this.inFlight = undefined;
    this.sequenceNumber += appending.eventCount;
    if (appending.snapshot) {
      this.emit({ type: "save-snapshot", snapshot: { sequenceNumber: this.sequenceNumber, payload: appending.snapshot } });
    }
    this.emit({ type: "complete-call", callId: appending.callId, reply: appending.reply });
    if (this.phase === "running") this.dispatchNext();
    else this.stopIfDone();
  }

  private onJournalAppendFailed(error: StorageError): void {
    const appending = this.inFlight?.stage === "appending" ? this.inFlight : undefined;
    if (!appending) return;
    this.inFlight = undefined;
    // Conflict: another writer is ahead; unavailable: the user function's state is ahead of the journal.
    // Either way this stream's state can no longer be trusted.
    const failed =
      error.kind === "conflict"
        ? new BackendError("aborted", `another writer persisted events of entity ${this.entityId} first: ${error.message}`)
        : new BackendError("unavailable", `journal write failed for entity ${this.entityId}: ${error.message}`);
    this.emit({ type: "fail-call", callId: appending.callId, error: failed });
    if (this.phase === "running") this.retire(failed.message);
    else this.stopIfDone();
  }

  private onStreamEnded(error: string | undefined): void {
    this.streamOpen = false;
    this.cancelTimer("close");
    if (this.phase === "recovering" || this.phase === "running") {
      const why = error === undefined ? "the user function completed the stream" : `the user function stream failed: ${error}`;
      const pending = this.queue.length + (this.inFlight?.stage === "awaiting-reply" ? 1 : 0);
      this.retire(why, pending === 0 ? "debug" : "warn");
      return;
    }
    this.stopIfDone();
  }

  private onTimerFired(timer: EntityTimer): void {
    if (!this.timers.delete(timer)) return; // cancelled meanwhile
    switch (timer) {
      case "relay": {
        if (this.phase === "recovering") {
          this.retire(`entity ${this.entityId} did not recover within ${this.config.relayTimeoutMs} ms`);
          return;
        }
        const waiting = this.inFlight?.stage === "awaiting-reply" ? this.inFlight : undefined;
        if (!waiting || this.phase !== "running") return;
        this.inFlight = undefined;
        const message = `no reply from the user function within ${this.config.relayTimeoutMs} ms`;
        this.emit({ type: "fail-call", callId: waiting.callId, error: new BackendError("deadline_exceeded", message) });
        this.retire(`entity ${this.entityId} restarted: ${message}`);
        return;
      }
      case "passivation":
        if (this.phase === "running" && this.isIdle()) {
          this.emit({ type: "log", level: "debug", message: "passivating idle entity" });
          this.complete();
        }
        return;
      case "close":
        if (this.phase === "stopping" && this.streamOpen) {
          this.emit(
            { type: "log", level: "warn", message: "user function did not complete the stream in time; cancelling it" },
            { type: "close-stream", mode: "cancel" },
          );
        }
        return;
    }
  }

  private onShutdown(): void {
    this.draining = true;
    if (this.phase === "running" && this.isIdle()) this.complete();
  }

  /** Sends the next queued command if nothing is in flight; otherwise arms passivation or finishes draining. */
  private dispatchNext(): void {
    if (this.phase !== "running" || this.inFlight) return;
    const next = this.queue.shift();
    if (!next) {
      if (this.draining) this.complete();
      else this.startTimer("passivation", this.config.passivationTimeoutMs);
      return;
    }
    this.cancelTimer("passivation");
    const commandId = this.nextCommandId++;
    this.inFlight = { stage: "awaiting-reply", callId: next.callId, commandId };
    this.emit({
      type: "send",
      message: { case: "command", entityId: this.entityId, id: commandId, name: next.name, payload: next.payload },
    });
    this.startTimer("relay", this.config.relayTimeoutMs);
  }

  private readNextPage(): void {
    this.emit({ type: "read-events", fromSequenceNumber: this.sequenceNumber + 1, max: this.config.replayPageSize });
  }

  private isIdle(): boolean {
    return !this.inFlight && this.queue.length === 0;
  }

  /** Passivation or shutdown: half-close and wait for the user function to complete its side. */
  private complete(): void {
    this.cancelTimer("passivation");
    this.phase = "stopping";
    this.emit({ type: "retire" }, { type: "close-stream", mode: "complete" });
    this.startTimer("close", this.config.relayTimeoutMs);
  }

  private violation(what: string): void {
    const message = `protocol violation by the user function: ${what}`;
    if (this.inFlight?.stage === "awaiting-reply") {
      this.emit({ type: "fail-call", callId: this.inFlight.callId, error: new BackendError("internal", message) });
      this.inFlight = undefined;
    }
    this.retire(`entity ${this.entityId} restarted after a ${message}`);
  }

  /**
   * Fails whatever still waits with UNAVAILABLE (a command whose events are
   * being written is left to the journal's answer), tears the stream down and
   * retires, so the next call recovers the entity afresh.
   */
  private retire(message: string, level: "debug" | "warn" = "warn"): void {
    this.emit({ type: "log", level, message });
    if (this.inFlight?.stage === "awaiting-reply") {
      this.emit({ type: "fail-call", callId: this.inFlight.callId, error: new BackendError("unavailable", message) });
      this.inFlight = undefined;
    }
    for (const queued of this.queue.splice(0)) {
      this.emit({ type: "fail-call", callId: queued.callId, error: new BackendError("unavailable", message) });
    }
    this.cancelTimer("relay");
    this.cancelTimer("passivation");
    this.phase = "stopping";
    this.emit({ type: "retire" });
    if (this.streamOpen) this.emit({ type: "close-stream", mode: "cancel" });
    this.stopIfDone();
  }

  private stopIfDone(): void {
    if (this.phase !== "stopping" || this.streamOpen || this.inFlight) return;
    for (const timer of [...this.timers]) this.cancelTimer(timer);
    this.phase = "stopped";
    this.emit({ type: "stopped" });
  }

  private startTimer(timer: EntityTimer, ms: number): void {
    if (this.timers.has(timer)) return;
    this.timers.add(timer);
    this.emit({ type: "start-timer", timer, ms });
  }

  private cancelTimer(timer: EntityTimer): void {
    if (this.timers.delete(timer)) this.emit({ type: "cancel-timer", timer });
  }

  private emit(...outputs: EntityOutput[]): void {
    this.out.push(...outputs);
  }
}
