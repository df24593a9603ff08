/**
 * Per-command instructions to break the protocol or be awkward, each a thing a
 * real user function can do and a backend must survive (the decision table of docs/protocol.md).
 */
export type Misbehaviour =
  /** Answers with the command's id + 1000 (D9), after `afterMs` if given (so calls queue behind it). */
  | { readonly kind: "wrong-command-id"; readonly afterMs?: number }
  /** Never answers (G6: the relay timeout must end the call). */
  | { readonly kind: "never-answer" }
  /** Completes its side of the stream instead of answering (G5), after `afterMs` if given. */
  | { readonly kind: "end-stream"; readonly afterMs?: number }
  /** Ends the stream with an error status instead of answering (G5), after `afterMs` if given. */
  | { readonly kind: "error-stream"; readonly afterMs?: number }
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
  /** Answers correctly after a delay. */
  | { readonly kind: "slow"; readonly delayMs: number };

export type MisbehaviourKind = Misbehaviour["kind"];
