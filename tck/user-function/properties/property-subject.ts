import type fc from "fast-check";
import type { AnyPayload, StreamOut } from "../../../reference/protocol/index.js";
import type { PayloadDescriber } from "../../kit/transcript/transcript.js";

/** One way a reply differs from the model's. */
export interface Mismatch {
  readonly expected: string;
  readonly actual: string;
}

export type ReplyMessage = Extract<StreamOut, { case: "reply" }>;

/** What the subject's model says one command must do. */
export type PredictedAnswer<S> =
  | {
      readonly kind: "reply";
      readonly stateAfter: S;
      /** Judges the reply's payload and events against the model: what differs, or undefined. */
      check(reply: ReplyMessage): Mismatch | undefined;
    }
  /** `description` undefined: any description will do. */
  | { readonly kind: "failure"; readonly stateAfter: S; readonly description: string | undefined }
  /** A handler that throws: a Failure, or the stream ending with an error. */
  | { readonly kind: "failure-or-end"; readonly stateAfter: S };

/**
 * A subject as the properties see it: commands to generate, a model that
 * predicts every answer, and how state, events and snapshots look on the wire.
 */
export interface PropertySubject<S, C> {
  readonly describePayload: PayloadDescriber;
  readonly initialState: S;
  /** One random command. */
  readonly command: fc.Arbitrary<C>;
  describeCommand(command: C): string;
  toWire(entityId: string, command: C): { readonly name: string; readonly payload: AnyPayload };
  predict(state: S, command: C): PredictedAnswer<S>;
  /** A command that reads the state and changes nothing. */
  readonly stateQuery: C;
  /** The state a reply to `stateQuery` shows. */
  readStateReply(reply: ReplyMessage): { ok: true; state: S } | { ok: false; why: string };
  /** The state after one more persisted event (the user function's own bytes). */
  applyEvent(state: S, event: AnyPayload): { ok: true; state: S } | { ok: false; why: string };
  snapshotOf(state: S): AnyPayload;
  decodeSnapshot(snapshot: AnyPayload): { ok: true; state: S } | { ok: false; why: string };
  sameState(a: S, b: S): boolean;
  describeState(state: S): string;
}
