import type { AnyPayload, StreamIn, StreamOut } from "../../reference/protocol/index.js";
import { describeAny, firstDifference } from "./describe-payload.js";

/**
 * The M2 invariants, checked on the traffic of `handle` streams as it crosses:
 * Init first, contiguous sequences, id correlation, one reply per command,
 * snapshot only with events, no events from failed commands. Sans-IO: feed it
 * every message in the order it crossed; it returns what broke.
 *
 * Across streams it remembers each entity's history (events acknowledged by a
 * Reply, snapshots) and checks that later replays offer exactly that.
 */
export interface InvariantViolation {
  /** The catalogue item the rule belongs to, e.g. "B1". */
  readonly item: string;
  /** The rule, in a few words. */
  readonly rule: string;
  readonly expected: string;
  readonly actual: string;
}

export interface ProtocolInvariants {
  /** A `handle` stream opened (nothing has crossed yet). */
  streamOpened(streamId: string): void;
  /** A message from the backend to the user function. */
  toUserFunction(streamId: string, message: StreamIn): InvariantViolation[];
  /** A message from the user function to the backend. */
  toBackend(streamId: string, message: StreamOut): InvariantViolation[];
  /**
   * The backend half-closed its side (passivation): the stream is no longer live. Its last Reply
   * counts as persisted once the stream ends without a cancel (`streamEnded`).
   */
  backendClosed(streamId: string): void;
  /**
   * The stream ended. `cancelled`: the backend tore it down (a failed write, a timeout): the
   * events of its last Reply were not persisted, even when a half-close was reported first.
   */
  streamEnded(streamId: string, how?: StreamEnd): void;
  /** The entity a stream belongs to, once its Init has crossed. */
  entityOf(streamId: string): string | undefined;
}

/** How a stream ended, as far as persistence is concerned. */
export type StreamEnd = "completed" | "cancelled";

export function createProtocolInvariants(): ProtocolInvariants {
  return new ProtocolInvariantsImpl();
}

interface StreamState {
  entityId: string | undefined;
  /** Highest sequence number replayed or assigned on this stream. */
  sequence: number;
  commandsStarted: boolean;
  lastCommandId: number;
  pending: number[];
  backendOpen: boolean;
  /**
   * Events (and a snapshot) of the last Reply, not yet known to be persisted: a backend may still
   * fail their write (UNAVAILABLE, ABORTED) or time the reply out. The next Command on the stream,
   * or the backend completing the stream (a half-close, then an end that is no cancel), shows the
   * write went through (one command in flight).
   */
  unconfirmed: { readonly events: [number, AnyPayload][]; snapshot: [number, AnyPayload] | undefined };
}

interface EntityHistory {
  /** Acknowledged events by sequence number. */
  readonly events: Map<number, AnyPayload>;
  readonly snapshots: Map<number, AnyPayload>;
  highest: number;
  /**
   * The highest sequence that may be persisted: a Reply whose stream was cancelled before anything
   * confirmed it may still have been written (the write succeeded, then the stream was torn down).
   */
  possiblyPersisted: number;
  /** The stream currently live for the entity, if any. */
  liveStream: string | undefined;
}

class ProtocolInvariantsImpl implements ProtocolInvariants {
  private readonly streams = new Map<string, StreamState>();
  private readonly entities = new Map<string, EntityHistory>();

  streamOpened(streamId: string): void {
    this.streams.set(streamId, {
      entityId: undefined,
      sequence: 0,
      commandsStarted: false,
      lastCommandId: 0,
      pending: [],
      backendOpen: true,
      unconfirmed: { events: [], snapshot: undefined },
    });
  }

  entityOf(streamId: string): string | undefined {
    return this.streams.get(streamId)?.entityId;
  }

  toUserFunction(streamId: string, message: StreamIn): InvariantViolation[] {
    const stream = this.stream(streamId);
    const violations: InvariantViolation[] = [];
    const violate = (item: string, rule: string, expected: string, actual: string) =>
      violations.push({ item, rule, expected, actual });

    if (message.case === undefined) {
      violate("B5", "every message sets its oneof", "init, event or command", "a message with no case set");
      return violations;
    }
    if (stream.entityId === undefined && message.case !== "init") {
      violate("B1", "the first message of a stream is Init", "Init", describeIn(message));
      return violations;
    }
    switch (message.case) {
      case "init": {
        if (stream.entityId !== undefined) {
          violate("B1", "Init is sent once per stream", "no second Init", `Init for ${message.entityId}`);
          return violations;
        }
        stream.entityId = message.entityId;
        const history = this.history(message.entityId);
        if (history.liveStream !== undefined && history.liveStream !== streamId) {
          violate("I4", "at most one live stream per entity", `stream ${history.liveStream} closed first`, `a second stream for ${message.entityId}`);
        }
        history.liveStream = streamId;
        if (message.snapshot) {
          stream.sequence = message.snapshot.sequence;
          const known = history.snapshots.get(message.snapshot.sequence);
          if (known && message.snapshot.payload && !sameAny(known, message.snapshot.payload)) {
            const sequence = message.snapshot.sequence;
            violate(
              "F4",
              "the offered snapshot is the one stored",
              `the snapshot acknowledged at sequence ${sequence}: ${describeAny(known)}`,
              `Init offers at sequence ${sequence}: ${describeAny(message.snapshot.payload)}; ${firstDifference(known, message.snapshot.payload)}`,
            );
          }
          if (message.snapshot.payload === undefined) {
            violate("C6", "a snapshot offer carries its payload", "Snapshot.snapshot set", "no payload");
          }
          const bound = Math.max(history.highest, history.possiblyPersisted);
          if (message.snapshot.sequence > bound && history.highest > 0) {
            violate("C4", "a snapshot is never beyond the acknowledged history", `sequence ≤ ${bound}`, `sequence ${message.snapshot.sequence}`);
          }
        }
        break;
      }
      case "event": {
        if (stream.commandsStarted) {
          violate("C5", "all replayed events arrive before the first command", "no Event after a Command", `Event ${message.sequence}`);
        }
        const expected = stream.sequence + 1;
        if (message.sequence !== expected) {
          violate("C4", "replayed events are contiguous", `Event sequence ${expected}`, `Event sequence ${message.sequence}`);
        }
        stream.sequence = message.sequence;
        const history = this.history(stream.entityId!);
        const known = history.events.get(message.sequence);
        if (known && message.payload && !sameAny(known, message.payload)) {
          violate(
            "E6",
            "events replay byte for byte",
            `Event ${message.sequence} as acknowledged: ${describeAny(known)}`,
            `Event ${message.sequence} replayed: ${describeAny(message.payload)}; ${firstDifference(known, message.payload)}`,
          );
        } else if (!known && message.payload) {
          // First sight of this part of the history (the interceptor started late): learn it.
          history.events.set(message.sequence, message.payload);
          history.highest = Math.max(history.highest, message.sequence);
        }
        break;
      }
      case "command": {
        this.confirm(stream);
        const history = this.history(stream.entityId!);
        if (!stream.commandsStarted && stream.sequence < history.highest) {
          violate("C4", "replay ends at the highest persisted event", `events up to ${history.highest}`, `replay ended at ${stream.sequence}`);
        }
        stream.commandsStarted = true;
        if (message.entityId !== stream.entityId) {
          violate("B2", "every Command carries the stream's entity id", stream.entityId!, message.entityId);
        }
        if (stream.lastCommandId === 0 ? message.id !== 1 : message.id <= stream.lastCommandId) {
          const expected = stream.lastCommandId === 0 ? "id 1" : `an id above ${stream.lastCommandId}`;
          violate("D1", "command ids start at 1 on each stream and increase", expected, `id ${message.id}`);
        }
        if (stream.pending.length > 0) {
          violate("D4", "one command in flight per entity", `no Command while ${stream.pending[0]} is pending`, `Command ${message.id}`);
        }
        stream.lastCommandId = Math.max(stream.lastCommandId, message.id);
        stream.pending.push(message.id);
        break;
      }
    }
    return violations;
  }

  toBackend(streamId: string, message: StreamOut): InvariantViolation[] {
    const stream = this.stream(streamId);
    const violations: InvariantViolation[] = [];
    const violate = (item: string, rule: string, expected: string, actual: string) =>
      violations.push({ item, rule, expected, actual });

    if (message.case === undefined) {
      violate("B5", "every message sets its oneof", "reply or failure", "a message with no case set");
      return violations;
    }
    if (stream.entityId === undefined) {
      violate("B6", "nothing is sent before a command", "silence", describeOut(message));
      return violations;
    }
    const head = stream.pending[0];
    if (head === undefined) {
      violate("D3", "one answer per command", "no answer (nothing pending)", describeOut(message));
      return violations;
    }
    if (message.commandId !== head) {
      violate("D2", "an answer carries the id of the command it answers", `command id ${head}`, `command id ${message.commandId}`);
      return violations;
    }
    stream.pending.shift();
    if (message.case === "failure") return violations;

    if (message.snapshot && message.events.length === 0) {
      violate("F1", "a snapshot rides only with events", "at least one event", "a snapshot and no events");
    }
    for (const event of message.events) {
      stream.sequence += 1;
      stream.unconfirmed.events.push([stream.sequence, event]);
    }
    if (message.snapshot && message.events.length > 0) stream.unconfirmed.snapshot = [stream.sequence, message.snapshot];
    return violations;
  }

  /** The last Reply's events are persisted: they join the entity's acknowledged history. */
  private confirm(stream: StreamState): void {
    if (stream.entityId === undefined) return;
    const history = this.history(stream.entityId);
    for (const [sequence, event] of stream.unconfirmed.events) {
      history.events.set(sequence, event);
      history.highest = Math.max(history.highest, sequence);
    }
    if (stream.unconfirmed.snapshot) history.snapshots.set(...stream.unconfirmed.snapshot);
    stream.unconfirmed = { events: [], snapshot: undefined };
  }

  backendClosed(streamId: string): void {
    const stream = this.streams.get(streamId);
    if (!stream) return;
    stream.backendOpen = false;
    this.release(streamId, stream);
  }

  streamEnded(streamId: string, how: StreamEnd = "completed"): void {
    const stream = this.streams.get(streamId);
    if (!stream) return;
    // A backend completes a stream only with nothing in flight: the last Reply's write went through.
    // Settled here, at the stream's end, not at the half-close: a cancel may be reported after it.
    if (!stream.backendOpen && how === "completed") this.confirm(stream);
    else if (stream.entityId !== undefined && stream.unconfirmed.events.length > 0) {
      const history = this.history(stream.entityId);
      history.possiblyPersisted = Math.max(history.possiblyPersisted, stream.unconfirmed.events.at(-1)![0]);
    }
    this.release(streamId, stream);
    this.streams.delete(streamId);
  }

  private release(streamId: string, stream: StreamState): void {
    if (stream.entityId === undefined) return;
    const history = this.history(stream.entityId);
    if (history.liveStream === streamId) history.liveStream = undefined;
  }

  private stream(streamId: string): StreamState {
    let stream = this.streams.get(streamId);
    if (!stream) {
      this.streamOpened(streamId);
      stream = this.streams.get(streamId)!;
    }
    return stream;
  }

  private history(entityId: string): EntityHistory {
    let history = this.entities.get(entityId);
    if (!history) {
      history = { events: new Map(), snapshots: new Map(), highest: 0, possiblyPersisted: 0, liveStream: undefined };
      this.entities.set(entityId, history);
    }
    return history;
  }
}

function sameAny(a: AnyPayload, b: AnyPayload): boolean {
  return a.typeUrl === b.typeUrl && Buffer.from(a.value).equals(Buffer.from(b.value));
}

function describeIn(message: StreamIn): string {
  switch (message.case) {
    case "init":
      return `Init for ${message.entityId}`;
    case "event":
      return `Event ${message.sequence}`;
    case "command":
      return `Command ${message.id} ${message.name}`;
    case undefined:
      return "an empty message";
  }
}

function describeOut(message: StreamOut): string {
  switch (message.case) {
    case "reply":
      return `Reply to ${message.commandId} with ${message.events.length} event(s)`;
    case "failure":
      return `Failure of ${message.commandId}: ${message.description}`;
    case undefined:
      return "an empty message";
  }
}
