import type { StreamIn, StreamOut } from "../../../../reference/protocol/index.js";
import { createProtocolInvariants, type InvariantViolation, type ProtocolInvariants } from "../../protocol/protocol-invariants.js";
import {
  formatTranscript,
  streamInJson,
  streamOutJson,
  transcriptSequenceEntry,
  type InterceptTranscriptEntry,
} from "../../transcript/intercept-transcript.js";
import type { Sequence } from "../../run/sequence-entry.js";

/** One `handle` stream as the instrumented user function saw it. */
export interface RecordedStream {
  readonly streamId: string;
  readonly openedAt: number;
  entityId: string | undefined;
  readonly received: StreamIn[];
  readonly sent: StreamOut[];
  /** The backend completed its side (passivation). */
  backendCompleted: boolean;
  /** How many answers had been sent when the backend completed its side (H2). */
  sentBeforeCompletion: number | undefined;
  /** How the stream ended, once it has. */
  ended: string | undefined;
  /** The user function kept its side open this long after the backend completed it (I4). */
  heldOpenMs?: number;
}

/** Two streams of one entity live at the same time, as the user function saw them (I4). */
export interface StreamOverlap {
  readonly entityId: string;
  /** The older stream, still live (not completed by the user function, not cancelled) when the other opened. */
  readonly live: RecordedStream;
  /** The stream whose Init arrived meanwhile. */
  readonly opened: RecordedStream;
}

/** How `ended` is told that the backend cancelled the stream (its last Reply's events are not persisted). */
export const cancelledByBackend = "cancelled by the backend";

/** A rule the backend broke, seen on the traffic it sent. */
export interface BackendViolation extends InvariantViolation {
  readonly streamId: string;
}

/**
 * Everything the backend sent to the instrumented user function, and the M2
 * invariants checked on it as it arrived. Only the backend's side is judged:
 * the user function's own deliberate misbehaviour is not a finding.
 */
export class TrafficLog {
  readonly streams: RecordedStream[] = [];
  /** When `ready()` was answered. */
  readonly readyCalls: number[] = [];
  /** When `ready()` was refused because the user function was not up yet (A5). */
  readonly refusedReadyCalls: number[] = [];
  /** When a `handle` stream was refused because the user function was not up yet (A5). */
  readonly refusedHandles: number[] = [];
  readonly violations: BackendViolation[] = [];
  /** Every time the backend opened a stream for an entity while another of its streams still lived (I4). */
  readonly overlaps: StreamOverlap[] = [];
  /** Set when a `handle` stream opened before any `ready` (A5). */
  handleBeforeReady = false;
  // Entries are built when a transcript is asked for: a 10,000-event replay must not wait on JSON.
  readonly #transcript: Array<{ readonly stream: string; readonly build: () => InterceptTranscriptEntry }> = [];
  #invariants: ProtocolInvariants = createProtocolInvariants();
  #nextStream = 1;
  readonly #listeners = new Set<() => void>();

  /** Forgets acknowledged history (the backend restarted on a volatile journal). */
  forgetHistory(): void {
    this.#invariants = createProtocolInvariants();
  }

  readyCalled(): void {
    this.readyCalls.push(Date.now());
    this.#changed();
  }

  readyRefused(): void {
    this.refusedReadyCalls.push(Date.now());
    this.#changed();
  }

  handleRefused(): void {
    this.refusedHandles.push(Date.now());
    this.#changed();
  }

  opened(): RecordedStream {
    const stream: RecordedStream = {
      streamId: `s${this.#nextStream++}`,
      openedAt: Date.now(),
      entityId: undefined,
      received: [],
      sent: [],
      backendCompleted: false,
      sentBeforeCompletion: undefined,
      ended: undefined,
    };
    if (this.readyCalls.length === 0) this.handleBeforeReady = true;
    this.streams.push(stream);
    this.#invariants.streamOpened(stream.streamId);
    this.#entry(stream.streamId, (time) => ({ kind: "open", time, stream: stream.streamId }));
    this.#changed();
    return stream;
  }

  received(stream: RecordedStream, message: StreamIn): void {
    stream.received.push(message);
    if (message.case === "init" && stream.entityId === undefined) {
      stream.entityId = message.entityId;
      this.#checkOneLiveStream(stream, message.entityId);
    }
    this.#entry(stream.streamId, (time) => ({ kind: "to-user-function", time, stream: stream.streamId, message: streamInJson(message) }));
    for (const violation of this.#invariants.toUserFunction(stream.streamId, message)) this.#violation(stream, violation);
    this.#changed();
  }

  /** The stream's end is delayed by the user function (I4): shown in its description. */
  heldOpen(stream: RecordedStream, ms: number): void {
    stream.heldOpenMs = ms;
    this.#changed();
  }

  /**
   * I4 from the user function's side: a stream lives until the user function completed it or the
   * backend cancelled it, whatever the backend's half-close said. Judged one event-loop turn later, so
   * a cancel of the old stream that crossed before the new Init is seen first.
   */
  #checkOneLiveStream(opened: RecordedStream, entityId: string): void {
    const live = this.streams.filter((s) => s !== opened && s.entityId === entityId && s.ended === undefined);
    if (live.length === 0) return;
    setImmediate(() => {
      for (const older of live) {
        if (older.ended !== undefined) continue;
        this.overlaps.push({ entityId, live: older, opened });
        this.#violation(opened, {
          side: "backend",
          cause: `opened a second stream for ${JSON.stringify(entityId)} while ${older.streamId} was live`,
          item: "I4",
          rule: "at most one live stream per entity",
          expected: `stream ${older.streamId} ended (completed by the user function, or cancelled by the backend) before another stream for ${JSON.stringify(entityId)} opened`,
          actual: `two streams for one entity were live at the same time: ${opened.streamId} opened with an Init for it while ${older.streamId} (${older.backendCompleted ? "completed by the backend, the user function's side still open" : "still open on both sides"}) was live`,
        });
      }
      this.#changed();
    });
  }

  /** Records a rule broken that the shared checker does not know (e.g. D5's type url). */
  violated(stream: RecordedStream, violation: InvariantViolation): void {
    this.#violation(stream, violation);
    this.#changed();
  }

  sent(stream: RecordedStream, message: StreamOut): void {
    stream.sent.push(message);
    this.#entry(stream.streamId, (time) => ({ kind: "to-backend", time, stream: stream.streamId, message: streamOutJson(message) }));
    // Keeps the checker's view of pending commands and acknowledged events; its
    // findings here would be about the user function, which misbehaves on purpose.
    this.#invariants.toBackend(stream.streamId, message);
    this.#changed();
  }

  backendCompleted(stream: RecordedStream): void {
    stream.backendCompleted = true;
    stream.sentBeforeCompletion = stream.sent.length;
    this.#invariants.backendClosed(stream.streamId);
    this.#entry(stream.streamId, (time) => ({ kind: "backend-half-close", time, stream: stream.streamId }));
    this.#changed();
  }

  ended(stream: RecordedStream, how: string): void {
    if (stream.ended !== undefined) return;
    stream.ended = how;
    this.#invariants.streamEnded(stream.streamId, how === cancelledByBackend ? "cancelled" : "completed");
    this.#entry(stream.streamId, (time) => ({ kind: "end", time, stream: stream.streamId, status: how }));
    this.#changed();
  }

  streamsOf(entityId: string): RecordedStream[] {
    return this.streams.filter((s) => s.entityId === entityId);
  }

  /** Commands the backend sent for an entity, over all its streams. */
  commandsOf(entityId: string): Extract<StreamIn, { case: "command" }>[] {
    return this.streamsOf(entityId).flatMap((s) => s.received.filter((m) => m.case === "command"));
  }

  /**
   * The readable transcript, optionally only of the streams of some entities,
   * and at most `maxEntries` of its last entries (a long replay is summarised).
   */
  transcript(entityIds?: readonly string[], maxEntries = 80): string {
    const streamIds =
      entityIds === undefined
        ? undefined
        : new Set(this.streams.filter((s) => s.entityId !== undefined && entityIds.includes(s.entityId)).map((s) => s.streamId));
    const entries = this.#transcript.filter((e) => streamIds === undefined || streamIds.has(e.stream));
    const shown = entries.slice(-maxEntries).map((e) => e.build());
    const omitted = entries.length - shown.length;
    return (omitted > 0 ? `(${omitted} earlier entries not shown)\n` : "") + formatTranscript(shown);
  }

  /** The entries `transcript` shows, for the report's sequence diagram (the backend and the kit's user function). */
  sequence(entityIds?: readonly string[], maxEntries = 80): Sequence {
    const streamIds =
      entityIds === undefined
        ? undefined
        : new Set(this.streams.filter((s) => s.entityId !== undefined && entityIds.includes(s.entityId)).map((s) => s.streamId));
    const entries = this.#transcript.filter((e) => streamIds === undefined || streamIds.has(e.stream));
    const backend = "backend";
    const userFunction = "kit (user function)";
    const shown = entries.slice(-maxEntries).map((e) => transcriptSequenceEntry(e.build(), backend, userFunction));
    return { parties: [backend, userFunction], entries: shown, omitted: entries.length - shown.length };
  }

  /** Resolves on the next change (for waiting on asynchronous traffic). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #violation(stream: RecordedStream, violation: InvariantViolation): void {
    this.violations.push({ ...violation, streamId: stream.streamId });
    this.#entry(stream.streamId, (time) => ({ kind: "violation", time, stream: stream.streamId, ...violation }));
  }

  #entry(stream: string, build: (time: string) => InterceptTranscriptEntry): void {
    const at = Date.now();
    this.#transcript.push({ stream, build: () => build(new Date(at).toISOString()) });
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
