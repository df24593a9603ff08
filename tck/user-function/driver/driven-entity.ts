import type { AnyPayload, StreamOut } from "../../../reference/protocol/index.js";
import type { HandleStream, Observation } from "./handle-stream.js";

type Reply = Extract<StreamOut, { case: "reply" }>;

/** What came back for one command, not yet judged. */
export type CommandOutcome =
  | {
      readonly kind: "reply";
      readonly commandId: number;
      readonly reply: Reply;
      /** Sequence numbers the reply's events get, as a backend would assign them. */
      readonly sequences: readonly number[];
    }
  | { readonly kind: "failure"; readonly commandId: number; readonly answeredId: number; readonly description: string }
  | { readonly kind: "wrong-id"; readonly commandId: number; readonly message: StreamOut & { commandId: number } }
  | { readonly kind: "empty-message"; readonly commandId: number }
  | { readonly kind: "ended"; readonly commandId: number; readonly code: number; readonly details: string }
  | { readonly kind: "timeout"; readonly commandId: number; readonly waitedMs: number };

/**
 * One entity's stream driven the way a backend drives it: Init, replayed
 * events with contiguous sequence numbers, then commands with ids 1, 2, …
 */
export class DrivenEntity {
  #nextCommandId = 1;
  #sequence = 0;

  constructor(
    readonly stream: HandleStream,
    readonly entityId: string,
    readonly timeoutMs: number,
  ) {}

  /** Highest event sequence number the entity has (replayed or emitted). */
  get sequence(): number {
    return this.#sequence;
  }

  init(snapshot?: { readonly sequence: number; readonly payload: AnyPayload }): void {
    this.#sequence = snapshot?.sequence ?? 0;
    this.stream.send({ case: "init", entityId: this.entityId, snapshot });
  }

  replay(events: readonly AnyPayload[]): void {
    for (const payload of events) this.stream.send({ case: "event", sequence: ++this.#sequence, payload });
  }

  /**
   * C8: replays, as the next event, one whose type no subject defines: `<protoPackage>.NoSuchEvent`
   * (in the subject's own package, so only the message name is unknown). Its bytes are a valid
   * message (field 1 = "x"), so only the type can make a user function refuse it.
   */
  replayUnknownEvent(protoPackage: string): void {
    this.stream.send({
      case: "event",
      sequence: this.#sequence + 1,
      payload: { typeUrl: `type.googleapis.com/${protoPackage}.NoSuchEvent`, value: Uint8Array.from([0x0a, 0x01, 0x78]) },
    });
  }

  /** Sends one command and waits (bounded) for what answers it. */
  async command(name: string, payload: AnyPayload, timeoutMs = this.timeoutMs): Promise<CommandOutcome> {
    const commandId = this.#nextCommandId++;
    this.stream.send({ case: "command", entityId: this.entityId, id: commandId, name, payload });
    return this.outcomeOf(commandId, await this.stream.next(timeoutMs));
  }

  /** Judges an observation as the answer to `commandId` (also used for pipelined commands). */
  outcomeOf(commandId: number, observation: Observation): CommandOutcome {
    switch (observation.kind) {
      case "timeout":
        return { kind: "timeout", commandId, waitedMs: observation.waitedMs };
      case "ended":
        return { kind: "ended", commandId, code: observation.code, details: observation.details };
      case "message": {
        const message = observation.message;
        if (message.case === undefined) return { kind: "empty-message", commandId };
        if (message.commandId !== commandId) return { kind: "wrong-id", commandId, message };
        if (message.case === "failure") {
          return { kind: "failure", commandId, answeredId: message.commandId, description: message.description };
        }
        const sequences = message.events.map((_, i) => this.#sequence + i + 1);
        this.#sequence += message.events.length;
        return { kind: "reply", commandId, reply: message, sequences };
      }
    }
  }

  /** Sends a command without waiting, returning its id (for pipelining). */
  sendCommand(name: string, payload: AnyPayload): number {
    const commandId = this.#nextCommandId++;
    this.stream.send({ case: "command", entityId: this.entityId, id: commandId, name, payload });
    return commandId;
  }
}
