import type { AnyPayload, StreamIn, StreamOut } from "../../../reference/protocol/index.js";
import { describeAny, firstDifference } from "../../kit/protocol/describe-payload.js";
import type { InvariantViolation } from "../../kit/protocol/protocol-invariants.js";

interface StreamView {
  entityId: string | undefined;
  /** The entity's sequence as this stream's user function has it: the snapshot, replayed and emitted events. */
  sequence: number;
  /** Commands not yet answered, by id: their name and request bytes. */
  readonly commands: Map<number, { readonly name: string; readonly key: string }>;
  /** Backend violations seen on this stream: a different answer on it follows from them. */
  readonly backendFaults: string[];
}

interface SeenAnswer {
  readonly streamId: string;
  readonly sequence: number;
  readonly payload: AnyPayload;
  readonly backendFaults: readonly string[];
}

/**
 * H9: per entity, a command that emits nothing (a Reply with no events) answers the same, byte for
 * byte, whichever stream serves it, as long as no event happened in between: the same command
 * (name and request bytes) at the same sequence just before a passivation and just after it, or on
 * any two streams. No model of the domain is needed. Sans-IO: feed it the traffic in crossing order.
 * Answers on one stream are not compared with each other (a reply may depend on the command id).
 */
export class ReadOnlyReplies {
  readonly #streams = new Map<string, StreamView>();
  /** Per entity, per command (name and request bytes): the last event-free answer and where it came from. */
  readonly #answers = new Map<string, Map<string, SeenAnswer>>();

  toUserFunction(streamId: string, message: StreamIn): void {
    const stream = this.#stream(streamId);
    switch (message.case) {
      case "init":
        if (stream.entityId === undefined) {
          stream.entityId = message.entityId;
          stream.sequence = message.snapshot?.sequence ?? 0;
        }
        return;
      case "event":
        stream.sequence = message.sequence;
        return;
      case "command":
        stream.commands.set(message.id, { name: message.name, key: commandKey(message.name, message.payload) });
        return;
      case undefined:
        return;
    }
  }

  /** A violation of the backend's on this stream (e.g. a stale snapshot offer): answers on it may differ because of it. */
  backendFault(streamId: string, item: string): void {
    const faults = this.#stream(streamId).backendFaults;
    if (!faults.includes(item)) faults.push(item);
  }

  toBackend(streamId: string, message: StreamOut): InvariantViolation[] {
    const stream = this.#stream(streamId);
    if (message.case === undefined) return [];
    const command = stream.commands.get(message.commandId);
    stream.commands.delete(message.commandId);
    if (message.case === "failure") return [];
    if (message.events.length > 0) {
      stream.sequence += message.events.length;
      return [];
    }
    if (!command || stream.entityId === undefined || message.payload === undefined) return [];
    let answers = this.#answers.get(stream.entityId);
    if (!answers) this.#answers.set(stream.entityId, (answers = new Map()));
    const seen = answers.get(command.key);
    answers.set(command.key, { streamId, sequence: stream.sequence, payload: message.payload, backendFaults: [...stream.backendFaults] });
    if (!seen || seen.streamId === streamId || seen.sequence !== stream.sequence || sameAny(seen.payload, message.payload)) return [];

    const faults = [
      ...seen.backendFaults.map((f) => `${f} on stream ${seen.streamId}`),
      ...stream.backendFaults.map((f) => `${f} on stream ${streamId}`),
    ];
    const expected = `the answer stream ${seen.streamId} gave at sequence ${seen.sequence}: ${describeAny(seen.payload)}`;
    const actual = `stream ${streamId} answers at sequence ${stream.sequence}: ${describeAny(message.payload)}; ${firstDifference(seen.payload, message.payload)}`;
    const rule = "a command that emits nothing answers the same before and after a passivation, and on any stream";
    if (faults.length > 0) {
      return [
        {
          side: "backend",
          cause: `its ${faults.join(" and ")} gave the user function another state: ${command.name} answers differently on stream ${streamId} than on ${seen.streamId}`,
          item: "H9",
          rule,
          expected,
          actual,
        },
      ];
    }
    return [
      {
        side: "user function",
        cause: `answered ${command.name} differently on stream ${streamId} than on stream ${seen.streamId} with no event in between (its state depends on the stream: a snapshot or replayed events ignored, or state kept outside the events)`,
        item: "H9",
        rule,
        expected,
        actual,
      },
    ];
  }

  streamEnded(streamId: string): void {
    this.#streams.delete(streamId);
  }

  #stream(streamId: string): StreamView {
    let stream = this.#streams.get(streamId);
    if (!stream) this.#streams.set(streamId, (stream = { entityId: undefined, sequence: 0, commands: new Map(), backendFaults: [] }));
    return stream;
  }
}

function commandKey(name: string, payload: AnyPayload | undefined): string {
  return `${name}\u0000${payload?.typeUrl ?? ""}\u0000${payload ? Buffer.from(payload.value).toString("base64") : ""}`;
}

function sameAny(a: AnyPayload, b: AnyPayload): boolean {
  return a.typeUrl === b.typeUrl && Buffer.from(a.value).equals(Buffer.from(b.value));
}
