import type { StreamIn, StreamOut } from "../../reference/protocol/index.js";
import { createProtocolInvariants, type InvariantViolation, type ProtocolInvariants } from "../intercept/protocol-invariants.js";
import { formatTranscript, streamInJson, streamOutJson, type TranscriptEntry } from "../intercept/transcript-entry.js";

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
}

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
  readonly readyCalls: number[] = [];
  readonly violations: BackendViolation[] = [];
  /** Set when a `handle` stream opened before any `ready` (A5). */
  handleBeforeReady = false;
  readonly #transcript: TranscriptEntry[] = [];
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
    this.#entry({ kind: "open", stream: stream.streamId });
    this.#changed();
    return stream;
  }

  received(stream: RecordedStream, message: StreamIn): void {
    stream.received.push(message);
    if (message.case === "init" && stream.entityId === undefined) stream.entityId = message.entityId;
    this.#entry({ kind: "to-user-function", stream: stream.streamId, message: streamInJson(message) });
    for (const violation of this.#invariants.toUserFunction(stream.streamId, message)) this.#violation(stream, violation);
    this.#changed();
  }

  /** Records a rule broken that the shared checker does not know (e.g. D5's type url). */
  violated(stream: RecordedStream, violation: InvariantViolation): void {
    this.#violation(stream, violation);
    this.#changed();
  }

  sent(stream: RecordedStream, message: StreamOut): void {
    stream.sent.push(message);
    this.#entry({ kind: "to-backend", stream: stream.streamId, message: streamOutJson(message) });
    // Keeps the checker's view of pending commands and acknowledged events; its
    // findings here would be about the user function, which misbehaves on purpose.
    this.#invariants.toBackend(stream.streamId, message);
    this.#changed();
  }

  backendCompleted(stream: RecordedStream): void {
    stream.backendCompleted = true;
    stream.sentBeforeCompletion = stream.sent.length;
    this.#invariants.backendClosed(stream.streamId);
    this.#entry({ kind: "backend-half-close", stream: stream.streamId });
    this.#changed();
  }

  ended(stream: RecordedStream, how: string): void {
    if (stream.ended !== undefined) return;
    stream.ended = how;
    this.#invariants.streamEnded(stream.streamId);
    this.#entry({ kind: "end", stream: stream.streamId, status: how });
    this.#changed();
  }

  streamsOf(entityId: string): RecordedStream[] {
    return this.streams.filter((s) => s.entityId === entityId);
  }

  /** Commands the backend sent for an entity, over all its streams. */
  commandsOf(entityId: string): Extract<StreamIn, { case: "command" }>[] {
    return this.streamsOf(entityId).flatMap((s) => s.received.filter((m) => m.case === "command"));
  }

  /** The readable transcript, optionally only of the streams of some entities. */
  transcript(entityIds?: readonly string[]): string {
    const streamIds = entityIds === undefined ? undefined : new Set(this.streams.filter((s) => s.entityId !== undefined && entityIds.includes(s.entityId)).map((s) => s.streamId));
    return formatTranscript(this.#transcript.filter((e) => streamIds === undefined || streamIds.has(e.stream)));
  }

  /** Resolves on the next change (for waiting on asynchronous traffic). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #violation(stream: RecordedStream, violation: InvariantViolation): void {
    this.violations.push({ ...violation, streamId: stream.streamId });
    this.#entry({ kind: "violation", stream: stream.streamId, ...violation });
  }

  #entry(entry: DistributiveOmit<TranscriptEntry, "time">): void {
    this.#transcript.push({ ...entry, time: new Date().toISOString() } as TranscriptEntry);
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
