import type { AnyPayload } from "../../../../reference/protocol/index.js";

/** What a command handler decided: a reply (with its events) or a failure. */
export type CommandOutcome =
  | { readonly kind: "reply"; readonly payload: AnyPayload; readonly events: readonly AnyPayload[] }
  | { readonly kind: "failure"; readonly description: string };

/**
 * One entity's state and handlers, written on the raw protocol types. The
 * session around it owns sequence numbers and snapshot decisions.
 */
export interface EntityBehaviour {
  /** Sets the state from an Init snapshot; throws for a payload of the wrong type. */
  restore(snapshot: AnyPayload): void;
  /** Applies a replayed or emitted event; throws for an event of the wrong type. */
  apply(event: AnyPayload): void;
  /**
   * Runs a command against the current state without changing it. With
   * `eventPadding`, every emitted value is followed by that many "#" (large events
   * from a small request; the model entity only).
   */
  decide(commandName: string, payload: AnyPayload | undefined, eventPadding?: number): CommandOutcome;
  /** The state as a snapshot payload. */
  snapshot(): AnyPayload;
}

/** An entity payload a behaviour cannot use; the stream ends with an error. */
export class UnusablePayloadError extends Error {
  override readonly name = "UnusablePayloadError";
}
