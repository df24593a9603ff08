import type { AnyPayload, StreamIn, StreamOut } from "../../../reference/protocol/index.js";
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
/** The side of the link that broke a rule. */
export type Side = "backend" | "user function";

export interface InvariantViolation {
  /** Which side broke the rule: a violation names it first. */
  readonly side: Side;
  /** What that side did, in a few words (shown before the rule). */
  readonly cause: string;
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
  /**
   * The backend has stored everything it received on this stream so far. Only an observer that is
   * the backend itself knows this (the kit in user-function mode keeps its journal as each Reply
   * arrives); an interceptor infers it from how the stream goes on and ends.
   */
  stored(streamId: string): void;
  /** The entity a stream belongs to, once its Init has crossed. */
  entityOf(streamId: string): string | undefined;
}

/** How a stream ended, as far as persistence is concerned. */
export type StreamEnd = "completed" | "cancelled";

export interface ProtocolInvariantsOptions {
  /**
   * Also require that every Init offers the latest acknowledged snapshot, at a sequence at which a
   * snapshot was acknowledged (F4). Intercept mode only: in user-function mode the kit offers
   * snapshots of its own choosing, and in backend mode a failed snapshot write (F5) is provoked.
   */
  readonly latestSnapshotOffers?: boolean;
}

export function createProtocolInvariants(options: ProtocolInvariantsOptions = {}): ProtocolInvariants {
  return new ProtocolInvariantsImpl(options);
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
  /**
   * Snapshots of Replies whose stream the backend cancelled before their write was known to succeed:
   * an Init may offer one of them (then it counts as acknowledged), but need not.
   */
  readonly uncertainSnapshots: Map<number, AnyPayload>;
  /**
   * The sequence of the snapshot the first Init seen for the entity offered (0: none): every snapshot
   * acknowledged above it crossed the interceptor. Undefined until that first Init.
   */
  horizon: number | undefined;
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

  constructor(private readonly options: ProtocolInvariantsOptions) {}

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
    const violate = (item: string, rule: string, expected: string, actual: string, cause: string) =>
      violations.push({ side: "backend", cause, item, rule, expected, actual });

    if (message.case === undefined) {
      violate(
        "B5",
        "every message sets its oneof",
        "init, event or command",
        "a message with no case set",
        "sent a message with no case set",
      );
      return violations;
    }
    if (stream.entityId === undefined && message.case !== "init") {
      violate(
        "B1",
        "the first message of a stream is Init",
        "Init",
        describeIn(message),
        `opened a stream with ${describeIn(message)} instead of Init`,
      );
      return violations;
    }
    switch (message.case) {
      case "init": {
        if (stream.entityId !== undefined) {
          violate("B1", "Init is sent once per stream", "no second Init", `Init for ${message.entityId}`, "sent a second Init on a stream");
          return violations;
        }
        stream.entityId = message.entityId;
        const history = this.history(message.entityId);
        if (history.liveStream !== undefined && history.liveStream !== streamId) {
          violate(
            "I4",
            "at most one live stream per entity",
            `stream ${history.liveStream} closed first`,
            `a second stream for ${message.entityId}`,
            `opened a second live stream for ${message.entityId}`,
          );
        }
        history.liveStream = streamId;
        if (message.snapshot) this.acceptUncertainSnapshot(streamId, message.entityId, history, message.snapshot);
        if (this.options.latestSnapshotOffers) this.judgeSnapshotOffer(history, message.snapshot, violate);
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
              `offered a snapshot at sequence ${sequence} that differs from the one acknowledged there`,
            );
          }
          if (message.snapshot.payload === undefined) {
            violate(
              "C6",
              "a snapshot offer carries its payload",
              "Snapshot.snapshot set",
              "no payload",
              "offered a snapshot without its payload",
            );
          }
          const bound = Math.max(history.highest, history.possiblyPersisted);
          if (message.snapshot.sequence > bound && history.highest > 0) {
            violate(
              "C4",
              "a snapshot is never beyond the acknowledged history",
              `sequence ≤ ${bound}`,
              `sequence ${message.snapshot.sequence}`,
              `offered a snapshot at sequence ${message.snapshot.sequence}, beyond the acknowledged history`,
            );
          }
        }
        break;
      }
      case "event": {
        if (stream.commandsStarted) {
          violate(
            "C5",
            "all replayed events arrive before the first command",
            "no Event after a Command",
            `Event ${message.sequence}`,
            `replayed Event ${message.sequence} after a Command`,
          );
        }
        const expected = stream.sequence + 1;
        if (message.sequence !== expected) {
          violate(
            "C4",
            "replayed events are contiguous",
            `Event sequence ${expected}`,
            `Event sequence ${message.sequence}`,
            `replayed Event ${message.sequence} where ${expected} was due`,
          );
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
            `replayed Event ${message.sequence} with other bytes than were acknowledged`,
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
          violate(
            "C4",
            "replay ends at the highest persisted event",
            `events up to ${history.highest}`,
            `replay ended at ${stream.sequence}`,
            `ended the replay at ${stream.sequence}, short of the acknowledged ${history.highest}`,
          );
        }
        stream.commandsStarted = true;
        if (message.entityId !== stream.entityId) {
          violate(
            "B2",
            "every Command carries the stream's entity id",
            stream.entityId!,
            message.entityId,
            `sent a Command for ${message.entityId} on ${stream.entityId}'s stream`,
          );
        }
        if (stream.lastCommandId === 0 ? message.id !== 1 : message.id <= stream.lastCommandId) {
          const expected = stream.lastCommandId === 0 ? "id 1" : `an id above ${stream.lastCommandId}`;
          violate(
            "D1",
            "command ids start at 1 on each stream and increase",
            expected,
            `id ${message.id}`,
            `sent Command id ${message.id} where ${expected} was due`,
          );
        }
        if (stream.pending.length > 0) {
          violate(
            "D4",
            "one command in flight per entity",
            `no Command while ${stream.pending[0]} is pending`,
            `Command ${message.id}`,
            `sent Command ${message.id} while Command ${stream.pending[0]} was unanswered`,
          );
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
    const violate = (item: string, rule: string, expected: string, actual: string, cause: string) =>
      violations.push({ side: "user function", cause, item, rule, expected, actual });

    if (message.case === undefined) {
      violate("B5", "every message sets its oneof", "reply or failure", "a message with no case set", "sent a message with no case set");
      return violations;
    }
    if (stream.entityId === undefined) {
      violate(
        "B6",
        "nothing is sent before a command",
        "silence",
        describeOut(message),
        `sent a ${describeOut(message)} before any command`,
      );
      return violations;
    }
    const head = stream.pending[0];
    if (head === undefined) {
      violate(
        "D3",
        "one answer per command",
        "no answer (nothing pending)",
        describeOut(message),
        `sent a ${describeOut(message)} with no command pending`,
      );
      return violations;
    }
    if (message.commandId !== head) {
      violate(
        "D2",
        "an answer carries the id of the command it answers",
        `command id ${head}`,
        `command id ${message.commandId}`,
        `answered Command ${head} with id ${message.commandId}`,
      );
      return violations;
    }
    stream.pending.shift();
    if (message.case === "failure") return violations;

    if (message.snapshot && message.events.length === 0) {
      violate(
        "F1",
        "a snapshot rides only with events",
        "at least one event",
        "a snapshot and no events",
        `sent a snapshot with no events in its Reply to ${message.commandId}`,
      );
    }
    for (const event of message.events) {
      stream.sequence += 1;
      stream.unconfirmed.events.push([stream.sequence, event]);
    }
    if (message.snapshot && message.events.length > 0) stream.unconfirmed.snapshot = [stream.sequence, message.snapshot];
    return violations;
  }

  /**
   * F4 in intercept mode: an Init offers the latest acknowledged snapshot, at a sequence at which a
   * snapshot was acknowledged. The first Init seen for an entity sets what is known (the
   * interceptor may have started late); a snapshot whose write is still uncertain (its stream was
   * cancelled, or has half-closed and not yet ended) may be offered (acceptUncertainSnapshot) but
   * need not be.
   */
  private judgeSnapshotOffer(
    history: EntityHistory,
    offered: { readonly sequence: number; readonly payload?: AnyPayload | undefined } | undefined,
    violate: (item: string, rule: string, expected: string, actual: string, cause: string) => void,
  ): void {
    if (history.horizon === undefined) {
      history.horizon = offered?.sequence ?? 0;
      if (offered?.payload && !history.snapshots.has(offered.sequence)) history.snapshots.set(offered.sequence, offered.payload);
      return;
    }
    const acknowledged = [...history.snapshots.keys()].sort((a, b) => a - b);
    const shown = acknowledged.length === 0 ? "none" : acknowledged.join(", ");
    if (offered && !history.snapshots.has(offered.sequence)) {
      if (offered.sequence > history.horizon) {
        violate(
          "F4",
          "a snapshot is offered at a sequence at which one was acknowledged",
          `a snapshot at an acknowledged sequence (snapshots acknowledged at: ${shown})`,
          `Init offers a snapshot at sequence ${offered.sequence}${offered.payload ? `: ${describeAny(offered.payload)}` : ""}`,
          `offered a snapshot at sequence ${offered.sequence}, where no snapshot was acknowledged`,
        );
        return;
      }
    }
    const latest = acknowledged.at(-1);
    if (latest !== undefined && latest > (offered?.sequence ?? 0)) {
      const what = offered ? `the snapshot at sequence ${offered.sequence}` : "no snapshot";
      violate(
        "F4",
        "Init offers the latest acknowledged snapshot",
        `the snapshot acknowledged at sequence ${latest}: ${describeAny(history.snapshots.get(latest)!)}`,
        `Init offers ${what} (snapshots acknowledged at: ${shown})`,
        `offered ${offered ? `a stale snapshot (sequence ${offered.sequence})` : "no snapshot"} though one was acknowledged at sequence ${latest}`,
      );
    }
  }

  /**
   * An Init offering the snapshot of a Reply whose write was uncertain (its stream was cancelled, or
   * has half-closed and not ended yet): the write went through after all, and with it the Reply's
   * events. Unknown to the interceptor then: `entityId` and `streamId` name the offering stream.
   */
  private acceptUncertainSnapshot(
    streamId: string,
    entityId: string,
    history: EntityHistory,
    offered: { readonly sequence: number; readonly payload?: AnyPayload | undefined },
  ): void {
    if (history.snapshots.has(offered.sequence) || offered.payload === undefined) return;
    const candidates = [history.uncertainSnapshots.get(offered.sequence)];
    for (const [other, state] of this.streams) {
      const snapshot = state.unconfirmed.snapshot;
      if (other !== streamId && state.entityId === entityId && snapshot?.[0] === offered.sequence) candidates.push(snapshot[1]);
    }
    const written = candidates.find((c) => c !== undefined && sameAny(c, offered.payload!));
    if (!written) return;
    history.snapshots.set(offered.sequence, written);
    history.uncertainSnapshots.delete(offered.sequence);
    history.highest = Math.max(history.highest, offered.sequence);
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

  stored(streamId: string): void {
    const stream = this.streams.get(streamId);
    if (stream) this.confirm(stream);
  }

  streamEnded(streamId: string, how: StreamEnd = "completed"): void {
    const stream = this.streams.get(streamId);
    if (!stream) return;
    // A backend completes a stream only with nothing in flight: the last Reply's write went through.
    // Settled here, at the stream's end, not at the half-close: a cancel may be reported after it.
    if (!stream.backendOpen && how === "completed") this.confirm(stream);
    else if (stream.entityId !== undefined) {
      // Cancelled: the last Reply's writes may or may not have gone through.
      const history = this.history(stream.entityId);
      if (stream.unconfirmed.snapshot) history.uncertainSnapshots.set(...stream.unconfirmed.snapshot);
      const last = stream.unconfirmed.events.at(-1);
      if (last) history.possiblyPersisted = Math.max(history.possiblyPersisted, last[0]);
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
      history = {
        events: new Map(),
        snapshots: new Map(),
        uncertainSnapshots: new Map(),
        horizon: undefined,
        highest: 0,
        possiblyPersisted: 0,
        liveStream: undefined,
      };
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
