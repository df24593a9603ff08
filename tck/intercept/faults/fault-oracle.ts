import { status as grpcStatus } from "@grpc/grpc-js";
import type { AnyPayload } from "../../../reference/protocol/index.js";
import { describeAny } from "../../kit/protocol/describe-payload.js";
import type { InvariantViolation } from "../../kit/protocol/protocol-invariants.js";

/**
 * The oracle of a fault run, from the interceptor's history: what the backend sent, what the backend
 * was really given (after the faults), and what the client saw. Sans-IO.
 *
 * - An event is acknowledged once the client saw its call succeed (`clientCall` OK: the backend
 *   answers only after the write), or once the backend showed it persisted (the next Command on the
 *   stream, or a stream completed cleanly).
 * - Every later replay must hold every acknowledged event, byte for byte, at its sequence (none
 *   lost), contiguous and without a repeat (none duplicated); an event replayed that was never
 *   acknowledged must be one the user function emitted at that sequence in a Reply the backend was
 *   given (the backend invents nothing).
 * - Every client call ends with a code the decision table defines, before the client's own deadline.
 *
 * Faults are judged against neither side: the oracle is told what crossed after them.
 */
export interface FaultOracle {
  /** Init, as the backend sent it. */
  init(stream: string, entityId: string, snapshotSequence: number | undefined): void;
  /** A replayed Event, as the backend sent it. */
  event(stream: string, sequence: number, payload: AnyPayload | undefined): InvariantViolation[];
  /** A Command, as the backend sent it: the replay is over, and the last Reply given is persisted. */
  command(stream: string): InvariantViolation[];
  /** A Reply the backend was given (once, whatever a duplicate made of it). */
  replyGiven(stream: string, events: readonly AnyPayload[]): void;
  /** The stream ended; `completed`: the backend half-closed and the user function completed OK. */
  streamEnded(stream: string, completed: boolean): void;
  /** A client call ended: its gRPC code, and whether it ran into the client's own deadline. */
  clientCall(call: ClientCallOutcome): InvariantViolation[];
  /** Client calls that broke the oracle, so far. */
  clientViolations(): readonly InvariantViolation[];
}

export interface ClientCallOutcome {
  readonly entityId: string;
  readonly method: string;
  readonly code: number;
  readonly details: string;
  /** True when the call ended because the client's own deadline passed (nothing defined answered). */
  readonly clientDeadlinePassed: boolean;
}

/** The codes a backend call may end with, per docs/protocol.md's decision table (besides the client's own). */
export const definedCallCodes: ReadonlySet<number> = new Set([
  grpcStatus.OK,
  grpcStatus.UNKNOWN,
  grpcStatus.INVALID_ARGUMENT,
  grpcStatus.DEADLINE_EXCEEDED,
  grpcStatus.RESOURCE_EXHAUSTED,
  grpcStatus.ABORTED,
  grpcStatus.INTERNAL,
  grpcStatus.UNAVAILABLE,
]);

interface StreamView {
  readonly entityId: string;
  sequence: number;
  replaying: boolean;
  /** Sequences of the last Reply given, not yet acknowledged. */
  lastReply: [number, AnyPayload][];
}

interface EntityView {
  readonly acknowledged: Map<number, AnyPayload>;
  highestAcknowledged: number;
  /** Every event the backend was given, by the sequence it had on its stream. */
  readonly given: Map<number, AnyPayload[]>;
  /** The last Reply given for the entity (any stream), for a client's OK. */
  lastReply: [number, AnyPayload][];
}

export function createFaultOracle(): FaultOracle {
  const streams = new Map<string, StreamView>();
  const entities = new Map<string, EntityView>();
  const clientViolations: InvariantViolation[] = [];
  const entity = (id: string) => {
    let view = entities.get(id);
    if (!view) entities.set(id, (view = { acknowledged: new Map(), highestAcknowledged: 0, given: new Map(), lastReply: [] }));
    return view;
  };
  const acknowledge = (view: EntityView, events: readonly [number, AnyPayload][]): InvariantViolation[] => {
    const violations: InvariantViolation[] = [];
    for (const [sequence, payload] of events) {
      const known = view.acknowledged.get(sequence);
      if (known && !same(known, payload)) {
        violations.push({
          side: "backend",
          cause: `acknowledged a second, different event at sequence ${sequence}`,
          item: "C4",
          rule: "an acknowledged event is never replaced (fault oracle)",
          expected: `event ${sequence} as acknowledged: ${describeAny(known)}`,
          actual: `another event acknowledged at ${sequence}: ${describeAny(payload)}`,
        });
      }
      view.acknowledged.set(sequence, payload);
      view.highestAcknowledged = Math.max(view.highestAcknowledged, sequence);
    }
    return violations;
  };

  return {
    init(stream, entityId, snapshotSequence) {
      streams.set(stream, { entityId, sequence: snapshotSequence ?? 0, replaying: true, lastReply: [] });
    },
    event(stream, sequence, payload) {
      const view = streams.get(stream);
      if (!view || !view.replaying) return [];
      const history = entity(view.entityId);
      const violations: InvariantViolation[] = [];
      if (sequence !== view.sequence + 1) {
        violations.push({
          side: "backend",
          cause: sequence <= view.sequence ? `replayed event ${sequence} twice` : `skipped event ${view.sequence + 1} in a replay`,
          item: "C4",
          rule: sequence <= view.sequence ? "no event is replayed twice (fault oracle)" : "no event is skipped in a replay (fault oracle)",
          expected: `event ${view.sequence + 1}`,
          actual: `event ${sequence}`,
        });
      }
      view.sequence = Math.max(view.sequence, sequence);
      if (!payload) return violations;
      const acknowledged = history.acknowledged.get(sequence);
      if (acknowledged) {
        if (!same(acknowledged, payload)) {
          violations.push({
            side: "backend",
            cause: `replayed acknowledged event ${sequence} with other bytes`,
            item: "E6",
            rule: "an acknowledged event replays byte for byte (fault oracle)",
            expected: `event ${sequence} as acknowledged: ${describeAny(acknowledged)}`,
            actual: `replayed: ${describeAny(payload)}`,
          });
        }
      } else if (history.given.size > 0 && !(history.given.get(sequence) ?? []).some((g) => same(g, payload))) {
        // Only judged when this run saw the entity's writes (an interceptor started late learns nothing here).
        violations.push({
          side: "backend",
          cause: `replayed an event at ${sequence} that the user function never emitted there`,
          item: "E6",
          rule: "a replayed event is one the user function emitted at that sequence (fault oracle)",
          expected: `one of the ${(history.given.get(sequence) ?? []).length} event(s) given to the backend at ${sequence}`,
          actual: `replayed: ${describeAny(payload)}`,
        });
      }
      return violations;
    },
    command(stream) {
      const view = streams.get(stream);
      if (!view) return [];
      const history = entity(view.entityId);
      const violations: InvariantViolation[] = [];
      if (view.replaying) {
        view.replaying = false;
        if (view.sequence < history.highestAcknowledged) {
          violations.push({
            side: "backend",
            cause: `lost acknowledged event(s) ${view.sequence + 1}..${history.highestAcknowledged}`,
            item: "C4",
            rule: "no acknowledged event is lost (fault oracle)",
            expected: `a replay up to event ${history.highestAcknowledged} (acknowledged)`,
            actual: `the replay ended at ${view.sequence}: event(s) ${view.sequence + 1}..${history.highestAcknowledged} lost`,
          });
        }
      }
      violations.push(...acknowledge(history, view.lastReply));
      view.lastReply = [];
      return violations;
    },
    replyGiven(stream, events) {
      const view = streams.get(stream);
      if (!view) return;
      const history = entity(view.entityId);
      const reply: [number, AnyPayload][] = events.map((e) => [++view.sequence, e]);
      for (const [sequence, payload] of reply) {
        const list = history.given.get(sequence) ?? [];
        list.push(payload);
        history.given.set(sequence, list);
      }
      view.lastReply = reply;
      history.lastReply = reply;
    },
    streamEnded(stream, completed) {
      const view = streams.get(stream);
      streams.delete(stream);
      if (view && completed) acknowledge(entity(view.entityId), view.lastReply);
    },
    clientCall(call) {
      const violations: InvariantViolation[] = [];
      const name = grpcStatus[call.code] ?? `code ${call.code}`;
      if (call.clientDeadlinePassed) {
        violations.push({
          side: "backend",
          cause: `left ${call.method} on ${call.entityId} unanswered until the client's deadline`,
          item: "I1",
          rule: "every client call ends with a defined code (fault oracle)",
          expected: `${call.method} on ${call.entityId} answered by the backend before the client's deadline`,
          actual: `no answer: the client's own deadline passed (${name}: ${call.details})`,
        });
      } else if (!definedCallCodes.has(call.code)) {
        violations.push({
          side: "backend",
          cause: `ended ${call.method} on ${call.entityId} with ${name}, a code the protocol does not give`,
          item: "I1",
          rule: "every client call ends with a defined code (fault oracle)",
          expected: `one of ${[...definedCallCodes].map((c) => grpcStatus[c]).join(", ")}`,
          actual: `${call.method} on ${call.entityId} ended ${name}: ${call.details}`,
        });
      }
      if (call.code === grpcStatus.OK) {
        const history = entity(call.entityId);
        violations.push(...acknowledge(history, history.lastReply));
      }
      clientViolations.push(...violations);
      return violations;
    },
    clientViolations: () => [...clientViolations],
  };
}

function same(a: AnyPayload, b: AnyPayload): boolean {
  return a.typeUrl === b.typeUrl && Buffer.from(a.value).equals(Buffer.from(b.value));
}
