import type { AnyPayload, StreamOut } from "../../protocol/index.js";
import { BackendError, echoClientText, maxDetailLength, type BackendCode } from "../errors/index.js";
import type { EntityId } from "../ids.js";
import type { PersistedEvent } from "../persistence/journal.js";
import type { StoredSnapshot } from "../persistence/snapshot-store.js";
import type { StorageError } from "../persistence/storage-error.js";
import type { CallId, EntityInput, EntityOutput, EntityStateMachineConfig, EntityTimer } from "./entity-protocol.js";

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
  /** Already run once and refused by the journal as a conflict: a second conflict reaches the client. */
  readonly retried?: boolean;
}

type InFlight =
  /** The journal is asked whether another writer moved past this entity before the command runs. */
  | { readonly stage: "checking-freshness"; readonly callId: CallId; readonly command: QueuedCommand }
  | { readonly stage: "awaiting-reply"; readonly callId: CallId; readonly commandId: number; readonly command: QueuedCommand }
  | {
      readonly stage: "appending";
      readonly callId: CallId;
      readonly commandId: number;
      readonly command: QueuedCommand;
      readonly eventCount: number;
      readonly reply: Uint8Array;
      readonly snapshot: AnyPayload | undefined;
    };

const noBytes = new Uint8Array(0);

/**
 * How a failed journal write (or, with `writing` false, read) fails the calls it concerns.
 * The storage error's own text names hosts and driver internals: it stays out of the message.
 */
function storageFailure(error: StorageError, entity: string, writing: boolean): { code: BackendCode; message: string } {
  switch (error.kind) {
    case "conflict":
      return { code: "aborted", message: `another writer persisted events of entity ${entity} first` };
    case "unavailable":
      return {
        code: "unavailable",
        message: writing ? `journal write failed for entity ${entity}` : `cannot recover entity ${entity}: the journal is unavailable`,
      };
    case "too-large":
      return {
        code: "resource_exhausted",
        message: writing
          ? `the journal refused the events of this command as too large`
          : `cannot recover entity ${entity}: the journal refused the read as too large`,
      };
    case "rejected":
      return {
        code: "failed_precondition",
        message: writing
          ? `the journal refused the events of this command for entity ${entity}`
          : `cannot recover entity ${entity}: the journal refused the read`,
      };
  }
}

/**
 * One entity's protocol logic without IO: `handle` takes what happened and
 * returns what to do. The session shell (entity-shell.ts) owns the stream,
 * the timers and the storage, and feeds their results back in.
 *
 * Life: new → recovering (Init, events) → running (one command in flight, the
 * rest queued) → stopping → stopped. Any failure, passivation or shutdown
 * retires the entity; the next call for it gets a fresh one, so recovery after
 * a failure is always "afresh" from the journal.
 *
 * Several backends may share one journal. Two paths keep a cached entity in step with it, both
 * by recovering it again on a new stream (running → recovering, the queue kept):
 * - with `freshnessCheck`, before each command after the first one since recovery, the journal's
 *   highest sequence number is read; past the entity's, it is recovered before the command runs;
 * - an append refused as a conflict recovers the entity and runs the command again, once: commands
 *   are deterministic on state, and the user function's state, ahead of the journal, is dropped
 *   with its stream. A second conflict fails the call ABORTED (the entity recovers again for the
 *   commands queued behind it).
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
  /** Recovered and no command run since: the replay has just read the journal's head. */
  private justRecovered = false;
  private readonly timers = new Set<EntityTimer>();
  private out: EntityOutput[] = [];
  /** The entity id as error messages quote it: client-supplied, so cut to the echo limit. */
  private readonly shownId: string;

  constructor(
    readonly entityId: EntityId,
    private readonly config: EntityStateMachineConfig,
  ) {
    this.shownId = echoClientText(entityId, config.maxEchoedTextLength);
  }

  /** Whether the machine has finished for good. */
  get isStopped(): boolean {
    return this.phase === "stopped";
  }

  /** Whether commands flow (recovery is over and the entity has not retired). */
  get isRunning(): boolean {
    return this.phase === "running";
  }

  /** Commands waiting behind the one in flight (while recovering: all of them). For metrics. */
  get waitingCommands(): number {
    return this.queue.length;
  }

  /** Highest sequence number persisted or replayed. For lifecycle reports. */
  get highestSequenceNumber(): number {
    return this.sequenceNumber;
  }

  handle(input: EntityInput): EntityOutput[] {
    this.out = [];
    switch (input.type) {
      case "client-command":
        this.onClientCommand(input.callId, input.name, input.payload);
        break;
      case "client-gone":
        this.onClientGone(input.callId);
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
        this.onStreamEnded(input.error, input.messageTooLarge === true, input.undecodableMessage === true);
        break;
      case "journal-appended":
        this.onJournalAppended();
        break;
      case "freshness-checked":
        this.onFreshnessChecked(input.highestSequenceNumber);
        break;
      case "freshness-check-failed":
        this.onFreshnessCheckFailed(input.error);
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
              error: new BackendError("resource_exhausted", `entity ${this.shownId} has ${waiting} commands waiting (the limit)`),
            });
            return;
          }
        }
        this.queue.push({ callId, name, payload });
        if (this.phase === "running") this.dispatchNext();
        return;
    }
  }

  /**
   * A queued command whose client has gone is dropped: it never reaches the user function and
   * frees its place in the queue. One already sent runs on (its events are persisted, its reply
   * discarded): the user function cannot take a command back.
   */
  private onClientGone(callId: CallId): void {
    const index = this.queue.findIndex((queued) => queued.callId === callId);
    if (index < 0) return;
    this.queue.splice(index, 1);
    this.emit(
      { type: "log", level: "debug", message: "dropped a queued command: its client has gone" },
      { type: "fail-call", callId, error: new BackendError("cancelled", "the client went away before the command was sent") },
    );
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
        this.retire(`journal replay of ${this.shownId} jumped from ${this.sequenceNumber} to ${event.sequenceNumber}`);
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
    this.justRecovered = true;
    this.emit({ type: "log", level: "debug", message: "entity recovered", fields: { sequenceNumber: this.sequenceNumber } });
    this.cancelTimer("relay");
    this.dispatchNext();
  }

  private onJournalReadFailed(error: StorageError): void {
    if (this.phase !== "recovering") return;
    const failure = storageFailure(error, this.shownId, false);
    this.retire(failure.message, { code: failure.code, detail: error.message });
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
          command: waiting.command,
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
    if (error.kind === "conflict" && this.phase === "running") {
      if (appending.command.retried) {
        // Lost twice: this call fails ABORTED; the commands queued behind it run on the recovered entity.
        const failure = storageFailure(error, this.shownId, true);
        this.emit({
          type: "fail-call",
          callId: appending.callId,
          error: new BackendError(failure.code, failure.message, { detail: error.message }),
        });
        this.restart("another writer persisted events first again; the command failed, recovering the entity", error.message);
        return;
      }
      // Another writer got there first: catch up with the journal and run the command again.
      this.queue.unshift({ ...appending.command, retried: true });
      this.restart("another writer persisted events first; recovering and running the command again", error.message);
      return;
    }
    // Conflict: another writer is ahead; otherwise the user function's state is ahead of the journal.
    // Either way this stream's state can no longer be trusted. Only this call fails for good (too large,
    // rejected): the commands queued behind it are new calls and fail UNAVAILABLE, to be retried.
    const failure = storageFailure(error, this.shownId, true);
    this.emit({
      type: "fail-call",
      callId: appending.callId,
      error: new BackendError(failure.code, failure.message, { detail: error.message }),
    });
    if (this.phase === "running") this.retire(failure.message, { detail: error.message });
    else this.stopIfDone();
  }

  private onFreshnessChecked(highest: number): void {
    const checking = this.inFlight?.stage === "checking-freshness" ? this.inFlight : undefined;
    if (!checking || this.phase !== "running") return;
    this.inFlight = undefined;
    if (highest === this.sequenceNumber) {
      this.sendCommand(checking.command);
      return;
    }
    this.queue.unshift(checking.command);
    if (highest > this.sequenceNumber) {
      this.restart(`the journal moved past this replica's entity (${this.sequenceNumber} → ${highest}); recovering it first`);
      return;
    }
    this.retire(
      `the journal of entity ${this.shownId} is at sequence number ${highest}, behind the ${this.sequenceNumber} this replica persisted or replayed`,
    );
  }

  private onFreshnessCheckFailed(error: StorageError): void {
    const checking = this.inFlight?.stage === "checking-freshness" ? this.inFlight : undefined;
    if (!checking || this.phase !== "running") return;
    this.inFlight = undefined;
    this.cancelTimer("relay");
    // The entity's state is still good: only this call fails, the next command checks again.
    const failure = storageFailure(error, this.shownId, false);
    const message = failure.message.replace(/^cannot recover/, "cannot check the freshness of");
    this.emit({
      type: "fail-call",
      callId: checking.callId,
      error: new BackendError(failure.code, message, { detail: echoClientText(error.message, maxDetailLength) }),
    });
    this.dispatchNext();
  }

  /**
   * Recovers the entity again on a new stream, keeping its queue: the old stream's state is behind
   * (or, after a conflict, ahead of) the journal. Nothing is in flight.
   */
  private restart(why: string, detail?: string): void {
    this.emit({
      type: "log",
      level: "debug",
      message: why,
      fields: { sequenceNumber: this.sequenceNumber, ...(detail === undefined ? {} : { detail: echoClientText(detail, maxDetailLength) }) },
    });
    this.cancelTimer("relay");
    this.cancelTimer("passivation");
    this.phase = "recovering";
    this.justRecovered = false;
    // D1: command ids start at 1 on every stream, a restarted one included (the old stream's late
    // messages are dropped by the session, so its ids cannot be mistaken for the new stream's).
    this.nextCommandId = 1;
    if (this.streamOpen) this.emit({ type: "close-stream", mode: "cancel" });
    this.streamOpen = true;
    this.emit({ type: "open-stream" }, { type: "load-snapshot" });
    this.startTimer("relay", this.config.relayTimeoutMs);
  }

  private onStreamEnded(error: string | undefined, messageTooLarge: boolean, undecodableMessage = false): void {
    this.streamOpen = false;
    this.cancelTimer("close");
    if (undecodableMessage && (this.phase === "recovering" || this.phase === "running")) {
      // One rule for "the user function broke the protocol": garbage bytes are treated as an empty message is.
      this.violation("a message that does not decode as an EntityStreamOut");
      return;
    }
    if (this.phase === "recovering" || this.phase === "running") {
      // The status text may name hosts and ports: it goes to the log, never to a client.
      const why = error === undefined ? "the user function completed the stream" : "the stream to the user function failed";
      if (messageTooLarge && this.inFlight?.stage === "awaiting-reply") {
        // The reply to this command (or the command) is over the link's limit: it would be again.
        this.emit({
          type: "fail-call",
          callId: this.inFlight.callId,
          error: new BackendError("resource_exhausted", this.linkLimitMessage(), {
            ...(error === undefined ? {} : { detail: error }),
          }),
        });
        this.inFlight = undefined;
      }
      const pending = this.queue.length + (this.inFlight !== undefined && this.inFlight.stage !== "appending" ? 1 : 0);
      const detail = error === undefined ? {} : { detail: error };
      if (messageTooLarge && this.phase === "recovering") {
        // An Init or event of the history passes the limit: every recovery would fail the same way.
        this.retire(this.linkLimitMessage(), {
          code: "resource_exhausted",
          ...detail,
        });
        return;
      }
      this.retire(why, { level: pending === 0 ? "debug" : "warn", ...detail });
      return;
    }
    this.stopIfDone();
  }

  private onTimerFired(timer: EntityTimer): void {
    if (!this.timers.delete(timer)) return; // cancelled meanwhile
    switch (timer) {
      case "relay": {
        if (this.phase === "recovering") {
          this.retire(`entity ${this.shownId} did not recover within ${this.config.relayTimeoutMs} ms`);
          return;
        }
        if (this.inFlight?.stage === "checking-freshness" && this.phase === "running") {
          const message = `the journal did not answer the freshness check of entity ${this.shownId} within ${this.config.relayTimeoutMs} ms`;
          this.emit({ type: "fail-call", callId: this.inFlight.callId, error: new BackendError("deadline_exceeded", message) });
          this.inFlight = undefined;
          this.retire(message);
          return;
        }
        const waiting = this.inFlight?.stage === "awaiting-reply" ? this.inFlight : undefined;
        if (!waiting || this.phase !== "running") return;
        this.inFlight = undefined;
        const message = `no reply from the user function within ${this.config.relayTimeoutMs} ms`;
        this.emit({ type: "fail-call", callId: waiting.callId, error: new BackendError("deadline_exceeded", message) });
        this.retire(`entity ${this.shownId} restarted: ${message}`);
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
    if (this.config.freshnessCheck && !this.justRecovered) {
      this.inFlight = { stage: "checking-freshness", callId: next.callId, command: next };
      this.emit({ type: "check-freshness" });
      // The relay bound covers the check and the reply: a journal that hangs must not hold the call.
      this.startTimer("relay", this.config.relayTimeoutMs);
      return;
    }
    this.sendCommand(next);
  }

  private sendCommand(command: QueuedCommand): void {
    this.justRecovered = false;
    const commandId = this.nextCommandId++;
    this.inFlight = { stage: "awaiting-reply", callId: command.callId, commandId, command };
    this.emit({
      type: "send",
      message: { case: "command", entityId: this.entityId, id: commandId, name: command.name, payload: command.payload },
    });
    this.startTimer("relay", this.config.relayTimeoutMs);
  }

  /**
   * The link reports an oversized message without saying which (this command, its reply, or an
   * event or snapshot of the history being replayed): the same call would fail again either way.
   */
  private linkLimitMessage(): string {
    return `a message for entity ${this.shownId} exceeds the user-function link's size limit`;
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
    this.retire(`entity ${this.shownId} restarted after a ${message}`);
  }

  /**
   * Fails whatever still waits with `code` (UNAVAILABLE unless told; a command
   * whose events are being written is left to the journal's answer), tears the
   * stream down and retires, so the next call recovers the entity afresh.
   * `message` goes to clients; `detail` (driver or transport text) only to the log.
   */
  private retire(message: string, options: { level?: "debug" | "warn"; code?: BackendCode; detail?: string } = {}): void {
    const { level = "warn", code = "unavailable" } = options;
    const detail = options.detail === undefined ? undefined : echoClientText(options.detail, maxDetailLength);
    this.emit({ type: "log", level, message, ...(detail === undefined ? {} : { fields: { detail } }) });
    const failure = () => new BackendError(code, message, detail === undefined ? undefined : { detail });
    if (this.inFlight !== undefined && this.inFlight.stage !== "appending") {
      this.emit({ type: "fail-call", callId: this.inFlight.callId, error: failure() });
      this.inFlight = undefined;
    }
    for (const queued of this.queue.splice(0)) {
      this.emit({ type: "fail-call", callId: queued.callId, error: failure() });
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
