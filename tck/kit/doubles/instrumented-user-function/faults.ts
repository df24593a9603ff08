import type { EntitySpec } from "../../../../reference/protocol/index.js";

/**
 * Deliberate defects of a whole user function, one per broken user function of the self-tests. Each
 * is a mistake a real support library could make. Per-command instructions a backend must survive are
 * Misbehaviour (misbehaviour.ts); these are how the session around the entity gets the protocol wrong.
 */
export interface UserFunctionFaults {
  /** Replies as if it applied its events, but keeps the old state for the next command. */
  readonly doesNotApplyOwnEvents?: boolean;
  /** Starts from the empty state whatever snapshot Init offers (still counts its sequence). */
  readonly ignoresSnapshot?: boolean;
  /** Answers every command with the id of the command after it. */
  readonly wrongCommandIds?: boolean;
  /** Never answers the command with this id (nor anything after it) on any stream. */
  readonly hangsOnCommandId?: number;
  /** Sends every answer twice. */
  readonly answersTwice?: boolean;
  /** Completes the stream (status OK) instead of answering the command with this id. */
  readonly closesStreamOnCommandId?: number;
  /** Shuts the whole server down, as a crashing process would, on the first command with this id. */
  readonly crashesOnCommandId?: number;
  /** Ends the stream with this status instead of sending a Failure (UNAVAILABLE passes for a crash, not a verdict). */
  readonly endsStreamInsteadOfFailureWith?: number;
  /** Counts snapshot points from the events this stream emitted, ignoring the snapshot and replayed events. */
  readonly snapshotPointsFromStreamStart?: boolean;
  /** Attaches a snapshot to every reply, with events or not. */
  readonly snapshotsEveryReply?: boolean;
  /** Completes its stream (status OK) on a command whose name is none of its service's methods, instead of a Failure. */
  readonly endsStreamOnUnknownCommand?: boolean;
  /** Emits events and snapshots whose Any type url is the bare message name, without `type.googleapis.com/`. */
  readonly typeUrlsWithoutPrefix?: boolean;
  /**
   * Answers a throwing handler (the model entity's `throw`) with a Failure, then ends the stream with
   * an error status when the next message arrives: the end reaches the kit only after it sent its next command.
   */
  readonly endsStreamAfterThrowFailure?: boolean;
  /** Applies every replayed Event twice (its own emitted events once). */
  readonly appliesReplayedEventsTwice?: boolean;
  /** Runs a Command whatever its entity id and its command id (no B8 check). */
  readonly acceptsForeignCommands?: boolean;
  /** Answers every command with a Failure carrying this description (the self-tests choose the text, e.g. markup for the report's escaping). */
  readonly failsEveryCommandWith?: string;
  /** Answers ready() with this instead of its true spec (fields not given stay true). */
  readonly describesItselfAs?: Partial<EntitySpec>;
}
