/**
 * Per-command instructions to break the protocol or be awkward, each a thing a
 * real user function can do and a backend must survive (the decision table of docs/protocol.md).
 */
/**
 * When a held answer goes: `afterMs` after the command arrived or, with `until`, when `until`
 * settles (the steps settle it on an event, e.g. "the calls behind it are queued"), at most `afterMs`.
 */
export interface Hold {
  readonly afterMs?: number;
  readonly until?: PromiseLike<unknown>;
}

export type Misbehaviour =
  /** Answers with the command's id + 1000 (D9), after `afterMs` if given (so calls queue behind it). */
  | ({ readonly kind: "wrong-command-id" } & Hold)
  /** Never answers (G6: the relay timeout must end the call). */
  | { readonly kind: "never-answer" }
  /** Completes its side of the stream instead of answering (G5), after `afterMs` if given. */
  | ({ readonly kind: "end-stream" } & Hold)
  /** Ends the stream with an error status instead of answering (G5), after `afterMs` if given. */
  | ({ readonly kind: "error-stream" } & Hold)
  /** Answers with a snapshot and drops the command's events (F1). */
  | { readonly kind: "snapshot-without-events" }
  /** Answers, then sends a second answer with nothing pending (D9). */
  | { readonly kind: "reply-twice" }
  /** Sends an EntityStreamOut with no case set instead of the answer. */
  | { readonly kind: "empty-message" }
  /** Answers with a Failure whose command id is 0. */
  | { readonly kind: "failure-with-id-zero" }
  /** Emits every event `bytes` larger than the request asked ("#" appended): large events from a small request. */
  | { readonly kind: "large-events"; readonly bytes: number }
  /** Answers correctly after a delay (`delayMs`; with `until`, when that settles, at most `delayMs`). */
  | { readonly kind: "slow"; readonly delayMs: number; readonly until?: PromiseLike<unknown> };

export type MisbehaviourKind = Misbehaviour["kind"];
