import { status as grpcStatus, type ClientDuplexStream, type StatusObject } from "@grpc/grpc-js";
import type { AnyPayload, StreamIn, StreamOut } from "../../protocol/index.js";
import { BackendError } from "../errors/index.js";
import type { EntityRef } from "../ids.js";
import type { Logger } from "../logger.js";
import type { Journal, PersistedEvent } from "../persistence/journal.js";
import type { SnapshotStore } from "../persistence/snapshot-store.js";
import { StorageError } from "../persistence/storage-error.js";
import {
  callId,
  type CallId,
  type ClientGoneSignal,
  type EntityInput,
  type EntityOutput,
  type EntityStateMachineConfig,
  type EntityTimer,
} from "./entity-protocol.js";
import type { EntityObserver } from "./entity-observer.js";
import { EntityStateMachine } from "./entity-state-machine.js";
import type { OpenEntityStream } from "./user-function-client.js";

export interface EntityShellOptions {
  readonly entity: EntityRef;
  readonly config: EntityStateMachineConfig;
  readonly journal: Journal;
  readonly snapshotStore: SnapshotStore;
  readonly openStream: OpenEntityStream;
  readonly logger: Logger;
  /** Settles when this entity's previous session has stopped: at most one live stream per entity. */
  readonly previous?: Promise<void>;
  /** Called once, when the session takes no more commands (passivation, failure, shutdown). */
  readonly onRetire: () => void;
  /** Told about recovery, passivation, restarts and queue depth (metrics, lifecycle log lines). */
  readonly observer?: EntityObserver;
}

interface PendingCall {
  readonly resolve: (reply: Uint8Array) => void;
  readonly reject: (error: BackendError) => void;
  /** Listening on `clientGone` until the call is taken. */
  readonly clientGone: ClientGoneSignal | undefined;
  readonly onGone: (() => void) | undefined;
}

type EntityStream = ClientDuplexStream<StreamIn, StreamOut>;

/**
 * One recovery's journal replay, kept open across its pages: the journal is asked once (Cassandra
 * locates the history once and keeps its next page coming), and the page after the one being sent
 * is read while that one goes out. Never more than that one page ahead.
 */
interface ReplayCursor {
  readonly events: AsyncIterator<PersistedEvent>;
  /** Where the page after the ones handed out starts: the read ahead page, if it is asked for. */
  next: number;
  /** The next page, read ahead; it settles (never rejects unhandled) whether or not it is taken. */
  ahead: Promise<PersistedEvent[]> | undefined;
  /** The latest page read, settled or not: `events` is closed only after it. */
  reading: Promise<unknown>;
}

/**
 * One of the machine's timers, kept across its starts: the machine starts and cancels two per
 * command (relay, passivation), and refreshing a kept Node timer costs less than clearing one and
 * making another. A cancelled one is left to run out unreferenced and does nothing when it does.
 */
interface SessionTimer {
  readonly handle: NodeJS.Timeout;
  readonly ms: number;
  armed: boolean;
}

/**
 * The IO shell around one entity's state machine: it owns the `handle`
 * stream, the timers and the storage calls, turns their results into inputs
 * and carries out the machine's outputs. It decides nothing itself.
 */
export class EntityShell {
  /** Settles when the stream has ended and no storage write is outstanding. */
  readonly stopped: Promise<void>;

  private readonly machine: EntityStateMachine;
  private readonly calls = new Map<CallId, PendingCall>();
  private readonly timers = new Map<EntityTimer, SessionTimer>();
  private readonly snapshotSaves = new Set<Promise<void>>();
  private readonly inputs: EntityInput[] = [];
  private feeding = false;
  private nextCallId = 1;
  private stream: EntityStream | undefined;
  /**
   * Settles with the current stream once it is open (after the previous session stopped). The machine
   * may restart its stream (to recover again): only the latest one's messages are fed in.
   */
  private streamOpened: Promise<EntityStream | undefined> = Promise.resolve(undefined);
  private streamGeneration = 0;
  /** Settles when the stream can take more writes (grpc-js asked us to wait for `drain`). */
  private writable: Promise<void> = Promise.resolve();
  private awaitingDrain = false;
  private cursor: ReplayCursor | undefined;
  private markStopped!: () => void;
  private readonly logger: Logger;
  /** For the observer: when the stream was asked for, what recovery replayed, what was reported. */
  private startedAt = 0;
  private snapshotSequenceNumber: number | undefined;
  private eventsReplayed = 0;
  private recoveryReported = false;
  private waitingReported = 0;

  constructor(private readonly options: EntityShellOptions) {
    this.machine = new EntityStateMachine(options.entity.entityId, options.config);
    this.logger = options.logger.child({ persistenceId: options.entity.persistenceId, entityId: options.entity.entityId });
    this.stopped = new Promise((resolve) => (this.markStopped = resolve));
  }

  /**
   * Runs a command against the entity; resolves with the reply bytes or rejects with a BackendError.
   * `clientGone` aborts when the caller has gone: a command still queued is then dropped.
   */
  command(name: string, payload: AnyPayload, clientGone?: ClientGoneSignal): Promise<Uint8Array> {
    if (clientGone?.aborted) return Promise.reject(new BackendError("cancelled", "the client went away before the command was queued"));
    // No closures held in named constants here: under tsx (esbuild's keepNames) each one costs a
    // defineProperty per command.
    return new Promise((resolve, reject) => {
      const id = callId(this.nextCallId++);
      const onGone = clientGone ? this.goneListener(id) : undefined;
      if (onGone) clientGone?.addEventListener("abort", onGone, { once: true });
      this.calls.set(id, { resolve, reject, clientGone, onGone });
      this.feed({ type: "client-command", callId: id, name, payload });
    });
  }

  private goneListener(id: CallId): () => void {
    return () => this.feed({ type: "client-gone", callId: id });
  }

  /** Finish what is queued, then complete the stream. */
  shutdown(): void {
    this.feed({ type: "shutdown" });
  }

  /** Fail what still waits and cancel the stream (when a graceful shutdown took too long). */
  abort(): void {
    this.feed({ type: "abort" });
  }

  private feed(input: EntityInput): void {
    this.inputs.push(input);
    // Outputs may cause inputs synchronously; they wait their turn so each input sees a settled machine.
    if (this.feeding) return;
    this.feeding = true;
    try {
      for (let next = this.inputs.shift(); next; next = this.inputs.shift()) {
        let outputs: EntityOutput[];
        try {
          outputs = this.machine.handle(next);
        } catch (error) {
          // Never expected; logged rather than thrown so the promise chains feeding inputs cannot reject.
          this.logger.error("entity state machine failed on an input", { input: next.type, error });
          continue;
        }
        for (const output of outputs) this.execute(output);
        this.observe(next, outputs);
      }
    } finally {
      this.feeding = false;
    }
  }

  /** Tells the observer what this input did; never lets it break the session. */
  private observe(input: EntityInput, outputs: readonly EntityOutput[]): void {
    const observer = this.options.observer;
    if (!observer) return;
    try {
      if (outputs.some((o) => o.type === "open-stream")) this.startedAt = performance.now();
      if (input.type === "snapshot-loaded") this.snapshotSequenceNumber = input.snapshot?.sequenceNumber;
      if (input.type === "events-read") this.eventsReplayed += input.events.length;
      if (!this.recoveryReported && this.machine.isRunning) {
        this.recoveryReported = true;
        observer.recovered?.({
          entity: this.options.entity,
          snapshotSequenceNumber: this.snapshotSequenceNumber,
          eventsReplayed: this.eventsReplayed,
          sequenceNumber: this.machine.highestSequenceNumber,
          durationMs: performance.now() - this.startedAt,
        });
      }
      const waiting = this.machine.waitingCommands;
      if (waiting !== this.waitingReported) {
        observer.queueDepthChanged?.(waiting - this.waitingReported);
        this.waitingReported = waiting;
      }
      if (outputs.some((o) => o.type === "retire")) {
        // complete() retires with a graceful close (passivation, shutdown); every other retirement is a failure.
        const graceful = outputs.some((o) => o.type === "close-stream" && o.mode === "complete");
        if (graceful && input.type === "timer-fired" && input.timer === "passivation") {
          observer.passivated?.({
            entity: this.options.entity,
            sequenceNumber: this.machine.highestSequenceNumber,
            livedMs: performance.now() - this.startedAt,
          });
        } else if (!graceful && input.type !== "abort") {
          observer.streamRestarted?.(this.options.entity);
        }
      }
    } catch (error) {
      this.logger.error("entity observer failed", { input: input.type, error });
    }
  }

  private execute(output: EntityOutput): void {
    try {
      this.carryOut(output);
    } catch (error) {
      // A bug here must not leave calls hanging silently.
      this.logger.error("entity session failed to carry out an output", { output: output.type, error });
    }
  }

  private carryOut(output: EntityOutput): void {
    switch (output.type) {
      case "open-stream": {
        this.closeCursor(); // a new recovery reads from its own start
        const generation = ++this.streamGeneration;
        const before = generation === 1 ? (this.options.previous ?? Promise.resolve()) : this.streamOpened;
        this.streamOpened = before.then(() => this.openStream(generation));
        return;
      }
      case "load-snapshot":
        void this.streamOpened
          .then(() => Promise.allSettled(this.snapshotSaves))
          .then(() => this.options.snapshotStore.latest(this.options.entity))
          // feed() never throws, so these chains never reject.
          .then(
            (snapshot) => this.feed({ type: "snapshot-loaded", snapshot }),
            (error: unknown) => this.feed({ type: "journal-read-failed", error: StorageError.from(error) }),
          );
        return;
      case "read-events":
        void this.readEvents(output.fromSequenceNumber, output.max).then(
          (events) => this.feed({ type: "events-read", events }),
          (error: unknown) => this.feed({ type: "journal-read-failed", error: StorageError.from(error) }),
        );
        return;
      case "send":
        this.send(output.message);
        return;
      case "close-stream": {
        const mode = output.mode;
        void this.streamOpened.then((stream) => {
          if (mode === "complete") stream?.end();
          else stream?.cancel();
        });
        return;
      }
      case "check-freshness":
        void storeCall(() => this.options.journal.highestSequenceNumber(this.options.entity)).then(
          (highestSequenceNumber) => this.feed({ type: "freshness-checked", highestSequenceNumber }),
          (error: unknown) => this.feed({ type: "freshness-check-failed", error: StorageError.from(error) }),
        );
        return;
      case "append":
        void storeCall(() => this.options.journal.append(this.options.entity, output.expectedSequenceNumber, output.events)).then(
          () => this.feed({ type: "journal-appended" }),
          (error: unknown) => this.feed({ type: "journal-append-failed", error: StorageError.from(error) }),
        );
        return;
      case "save-snapshot": {
        const { snapshot } = output;
        const save = storeCall(() => this.options.snapshotStore.save(this.options.entity, snapshot)).then(
          () => undefined,
          // A lost snapshot costs a longer replay, never correctness: the call has already succeeded.
          (error: unknown) =>
            this.logger.warn("snapshot write failed", { sequenceNumber: snapshot.sequenceNumber, error: StorageError.from(error) }),
        );
        this.snapshotSaves.add(save);
        void save.then(() => this.snapshotSaves.delete(save));
        return;
      }
      case "complete-call":
        this.takeCall(output.callId)?.resolve(output.reply);
        return;
      case "fail-call":
        this.takeCall(output.callId)?.reject(output.error);
        return;
      case "start-timer":
        this.startTimer(output.timer, output.ms);
        return;
      case "cancel-timer":
        this.cancelTimer(output.timer);
        return;
      case "retire":
        this.options.onRetire();
        return;
      case "stopped":
        this.closeCursor();
        for (const { handle } of this.timers.values()) clearTimeout(handle);
        this.timers.clear();
        void Promise.allSettled(this.snapshotSaves).then(() => this.markStopped());
        return;
      case "log":
        this.logger[output.level](output.message, output.fields);
        return;
    }
  }

  private openStream(generation: number): EntityStream | undefined {
    // A stream the machine has already replaced (or whose successor is already asked for) is not opened.
    if (generation !== this.streamGeneration) return undefined;
    let stream: EntityStream;
    try {
      stream = this.options.openStream();
    } catch (error) {
      this.options.observer?.streamOpenOutcome?.(false);
      this.feed({ type: "user-function-stream-ended", error: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
    this.stream = stream;
    this.awaitingDrain = false;
    this.writable = Promise.resolve();
    const current = () => generation === this.streamGeneration;
    this.logger.debug("handle stream opened", { generation });
    let heard = false;
    stream.on("data", (message: StreamOut) => {
      if (!current()) return; // a restarted stream's late messages: the machine has moved on
      if (!heard) {
        heard = true;
        this.options.observer?.streamOpenOutcome?.(true);
      }
      if (this.logger.isEnabled?.("debug") ?? true) this.logger.debug("from user function", describeOut(message));
      this.feed({ type: "user-function-message", message });
    });
    // The status event below reports every end; this listener only keeps an error from being unhandled.
    stream.on("error", () => {});
    stream.on("status", (status: StatusObject) => {
      // A user function that cannot be reached, or does not serve `handle`, ends the stream so before saying anything.
      if (!heard && (status.code === grpcStatus.UNAVAILABLE || status.code === grpcStatus.UNIMPLEMENTED)) {
        this.options.observer?.streamOpenOutcome?.(false);
      }
      // Messages that arrived just before the status are delivered on a later tick: let them through first.
      setImmediate(() => {
        this.logger.debug("handle stream ended", { code: grpcStatus[status.code], details: status.details });
        if (!current()) return;
        this.feed({
          type: "user-function-stream-ended",
          error: status.code === grpcStatus.OK ? undefined : `${status.code} ${grpcStatus[status.code]}: ${status.details}`,
          // grpc-js ends the stream RESOURCE_EXHAUSTED when a message either way passes the link's size limit.
          messageTooLarge: status.code === grpcStatus.RESOURCE_EXHAUSTED,
          // ... and INTERNAL "Response message parsing error: …" when the user function's bytes do not decode.
          undecodableMessage: status.code === grpcStatus.INTERNAL && status.details.startsWith("Response message parsing error"),
        });
      });
    });
    return stream;
  }

  private send(message: StreamIn): void {
    const stream = this.stream;
    if (!stream) {
      this.logger.error("no stream to send on", { case: message.case });
      return;
    }
    if (this.logger.isEnabled?.("debug") ?? true) this.logger.debug("to user function", describeIn(message));
    if (!stream.write(message) && !this.awaitingDrain) {
      // Replay can outpace the network: the next page waits for `drain` (or the stream's end).
      this.awaitingDrain = true;
      this.writable = new Promise((resolve) => {
        const done = () => {
          stream.off("drain", done);
          stream.off("status", done);
          this.awaitingDrain = false;
          resolve();
        };
        stream.on("drain", done);
        stream.on("status", done);
      });
    }
  }

  /**
   * Up to `max` events from `fromSequenceNumber` on, given once the stream can take more writes
   * (backpressure: a user function that reads slowly holds replay back). A full page starts the
   * read of the next one at once, so it is ready when this one has gone out.
   */
  private async readEvents(fromSequenceNumber: number, max: number): Promise<PersistedEvent[]> {
    let cursor = this.cursor;
    if (cursor?.next !== fromSequenceNumber) {
      this.closeCursor();
      const range = { fromSequenceNumber, toSequenceNumber: Infinity, max: Infinity };
      const events = this.options.journal.replay(this.options.entity, range)[Symbol.asyncIterator]();
      cursor = this.cursor = { events, next: fromSequenceNumber, ahead: undefined, reading: Promise.resolve() };
    }
    const page = cursor.ahead ?? readPage(cursor, max);
    cursor.ahead = undefined;
    let events: PersistedEvent[];
    try {
      events = await page;
    } catch (error) {
      if (this.cursor === cursor) this.closeCursor();
      throw error;
    }
    if (this.cursor === cursor) {
      const last = events[events.length - 1];
      if (last) cursor.next = last.sequenceNumber + 1;
      if (events.length < max)
        this.closeCursor(); // the history's end: recovery is over
      else {
        cursor.ahead = readPage(cursor, max);
        cursor.ahead.catch(() => {}); // its failure is reported when the page is asked for
      }
    }
    await this.writable;
    return events;
  }

  private closeCursor(): void {
    const cursor = this.cursor;
    if (!cursor) return;
    this.cursor = undefined;
    // After the page being read, if any, so the journal's iterator is never called re-entrantly.
    void cursor.reading
      .catch(() => {})
      .then(() => cursor.events.return?.())
      .catch(() => {});
  }

  /** The call, no longer listening for its client's going. */
  private takeCall(id: CallId): PendingCall | undefined {
    const call = this.calls.get(id);
    if (!call) return undefined;
    this.calls.delete(id);
    if (call.onGone) call.clientGone?.removeEventListener("abort", call.onGone);
    return call;
  }

  /** Fires `ms` from now (a timer already running starts over), as a new setTimeout would. */
  private startTimer(timer: EntityTimer, ms: number): void {
    const kept = this.timers.get(timer);
    if (kept?.ms === ms) {
      kept.armed = true;
      kept.handle.ref().refresh();
      return;
    }
    if (kept) clearTimeout(kept.handle);
    const entry: SessionTimer = {
      ms,
      armed: true,
      handle: setTimeout(() => {
        if (!entry.armed) return; // cancelled since it was last started
        entry.armed = false;
        this.feed({ type: "timer-fired", timer });
      }, ms),
    };
    this.timers.set(timer, entry);
  }

  private cancelTimer(timer: EntityTimer): void {
    const kept = this.timers.get(timer);
    if (!kept?.armed) return;
    kept.armed = false;
    // Unreferenced, a cancelled timer holds the process open no more than a cleared one would.
    kept.handle.unref();
  }
}

/** The cursor's next `max` events (fewer at the history's end). */
function readPage(cursor: ReplayCursor, max: number): Promise<PersistedEvent[]> {
  const page = readEventsOf(cursor, max);
  cursor.reading = page;
  return page;
}

async function readEventsOf(cursor: ReplayCursor, max: number): Promise<PersistedEvent[]> {
  const events: PersistedEvent[] = [];
  while (events.length < max) {
    const next = await cursor.events.next();
    if (next.done) break;
    events.push(next.value);
  }
  return events;
}

/**
 * A store call's promise; an adapter that throws instead of rejecting still ends up as a failure.
 * Called at once rather than from a `then` (a promise and two hops fewer per command).
 */
function storeCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(call());
  } catch (error) {
    return Promise.reject(error as Error);
  }
}

function describeIn(message: StreamIn): Record<string, unknown> {
  switch (message.case) {
    case "init":
      return { case: "init", snapshotSequence: message.snapshot?.sequence };
    case "event":
      return { case: "event", sequence: message.sequence };
    case "command":
      return { case: "command", commandId: message.id, name: message.name };
    case undefined:
      return { case: "none" };
  }
}

function describeOut(message: StreamOut): Record<string, unknown> {
  switch (message.case) {
    case "reply":
      return { case: "reply", commandId: message.commandId, events: message.events.length, snapshot: !!message.snapshot };
    case "failure":
      return { case: "failure", commandId: message.commandId, description: message.description };
    case undefined:
      return { case: "none" };
  }
}
