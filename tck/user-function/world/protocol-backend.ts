import type { AnyPayload, StreamIn } from "../../../reference/protocol/index.js";

/** A command as sent on the wire: the method name and its payload. */
export interface WireCommand {
  readonly name: string;
  readonly payload: AnyPayload;
}

/**
 * What the subject-independent protocol checks (B3, B4, B5, B8, C8, D6, D7) need
 * from a subject's backend: a way to start an entity, the subject's own
 * messages to send, and a command whose answer shows the state is intact.
 * Every subject implements it, so these checks run whatever the subject.
 */
export interface ProtocolBackend {
  /** Opens a stream with Init (no snapshot) and `events` replayed events of the subject. */
  startWithEvents(name: string, events: number): void;
  /** A stream on which the kit sends whatever the scenario says, Init or not. */
  openRaw(name: string): void;
  sendRaw(name: string, message: StreamIn): void;
  /** Any valid event of the subject. */
  someEvent(): AnyPayload;
  /** A valid command of the subject for this entity. */
  someCommand(name: string): WireCommand;
  /** A known command name whose payload claims its input type but does not decode. */
  undecodableCommand(name: string): WireCommand;
  /** Sends a command the subject cannot run: the answer must be a Failure. */
  processUnrunnable(name: string, command: WireCommand): Promise<void>;
  /** Replays, on the entity's stream, an event whose type the subject does not know. */
  replayUnknownEvent(name: string): void;
  expectEndsWithError(name: string): Promise<void>;
  /** The next message on the entity's stream answers this command (for commands sent raw). */
  expectAnswer(name: string, commandId: number): Promise<void>;
  /** Sends a command that reads the state and judges that the answer is the one the entity's history gives. */
  expectStillUsable(name: string): Promise<void>;
}
