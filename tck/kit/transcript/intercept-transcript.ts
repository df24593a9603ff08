import type { SequenceEntry } from "../run/sequence-entry.js";
import type { AnyPayload, StreamIn, StreamOut } from "../../../reference/protocol/index.js";

/**
 * How an intercepted stream ended:
 * - `completed`: the backend half-closed its side (passivation), then the user function completed OK;
 * - `cancelled-by-backend`: the backend cancelled the stream (a failed write, a timeout, a shutdown):
 *   the events of its last Reply are not persisted;
 * - `completed-by-user-function`: the user function ended the stream OK while the backend's side was open;
 * - `user-function-failed`: the user function ended the stream with an error status;
 * - `cut-by-interceptor-shutdown`: still open when the interceptor stopped (its grace ran out);
 * - `reset-by-fault`: an injected fault (`--faults`) reset it: the events of its last Reply are not persisted.
 */
export type StreamOutcome =
  | "completed"
  | "cancelled-by-backend"
  | "completed-by-user-function"
  | "user-function-failed"
  | "cut-by-interceptor-shutdown"
  | "reset-by-fault";

/** One line of an intercepted stream's JSONL transcript. */
export type InterceptTranscriptEntry =
  | { readonly time: string; readonly stream: string; readonly kind: "open" }
  | { readonly time: string; readonly stream: string; readonly kind: "to-user-function"; readonly message: unknown }
  | { readonly time: string; readonly stream: string; readonly kind: "to-backend"; readonly message: unknown }
  | {
      readonly time: string;
      readonly stream: string;
      readonly kind: "undecodable";
      readonly from: string;
      readonly bytes: string;
      readonly error: string;
    }
  | { readonly time: string; readonly stream: string; readonly kind: "backend-half-close" }
  /** A `ready()` the user function answered (`stream` is "ready"); the descriptor as base64. */
  | {
      readonly time: string;
      readonly stream: string;
      readonly kind: "ready";
      readonly spec: { readonly serviceName: string; readonly persistenceId: string; readonly proto: string };
    }
  /** A `ready()` the user function failed: its status. */
  | { readonly time: string; readonly stream: string; readonly kind: "ready-failed"; readonly status: string }
  /** A fault injected on the stream (`--faults`), or what the interceptor did about one. */
  | { readonly time: string; readonly stream: string; readonly kind: "fault"; readonly text: string }
  /** `status`: the gRPC status the stream ended with; `outcome` (intercept mode): how it ended. */
  | { readonly time: string; readonly stream: string; readonly kind: "end"; readonly status: string; readonly outcome?: StreamOutcome }
  | {
      readonly time: string;
      readonly stream: string;
      readonly kind: "violation";
      /** The side at fault and what it did (intercept and backend mode). */
      readonly side?: string;
      readonly cause?: string;
      readonly item: string;
      readonly rule: string;
      readonly expected: string;
      readonly actual: string;
    };

const anyJson = (any: AnyPayload | undefined) =>
  any === undefined ? undefined : { typeUrl: any.typeUrl, value: Buffer.from(any.value).toString("base64") };

/** A protocol message as JSON: Any values as base64, so a transcript replays byte for byte. */
export function streamInJson(message: StreamIn): unknown {
  switch (message.case) {
    case "init":
      return {
        init: {
          entityId: message.entityId,
          snapshot: message.snapshot && { sequence: message.snapshot.sequence, payload: anyJson(message.snapshot.payload) },
        },
      };
    case "event":
      return { event: { sequence: message.sequence, payload: anyJson(message.payload) } };
    case "command":
      return { command: { entityId: message.entityId, id: message.id, name: message.name, payload: anyJson(message.payload) } };
    case undefined:
      return {};
  }
}

export function streamOutJson(message: StreamOut): unknown {
  switch (message.case) {
    case "reply":
      return {
        reply: {
          commandId: message.commandId,
          payload: anyJson(message.payload),
          events: message.events.map(anyJson),
          snapshot: anyJson(message.snapshot),
        },
      };
    case "failure":
      return { failure: { commandId: message.commandId, description: message.description } };
    case undefined:
      return {};
  }
}

/** A transcript as a person reads it: one line per entry. */
export function formatTranscript(entries: readonly InterceptTranscriptEntry[]): string {
  return entries.map((e) => `${e.time} [${e.stream}] ${describeTranscriptEntry(e)}`).join("\n");
}

/** One entry as its transcript line says it, without the time and stream. */
export function describeTranscriptEntry(e: InterceptTranscriptEntry): string {
  switch (e.kind) {
    case "open":
      return "stream opened";
    case "to-user-function":
      return `backend → user function ${JSON.stringify(e.message)}`;
    case "to-backend":
      return `user function → backend ${JSON.stringify(e.message)}`;
    case "undecodable":
      return `undecodable bytes from the ${e.from}: ${e.error}`;
    case "backend-half-close":
      return "backend completed its side";
    case "fault":
      return e.text;
    case "end":
      return `stream ended: ${e.outcome ? `${e.outcome} (${e.status})` : e.status}`;
    case "ready":
      return `ready() answered service ${JSON.stringify(e.spec.serviceName)}, persistence id ${JSON.stringify(e.spec.persistenceId)}, descriptor of ${Buffer.from(e.spec.proto, "base64").length} bytes`;
    case "ready-failed":
      return `ready() failed: ${e.status}`;
    case "violation":
      return `VIOLATION${e.side ? ` by the ${e.side}: ${e.cause ?? ""} —` : ""} ${e.item} ${e.rule}: expected ${e.expected}, got ${e.actual}`;
  }
}

/** The parties and arrow of an entry in a sequence diagram: a message, or a note when it is neither way. */
export function transcriptSequenceEntry(e: InterceptTranscriptEntry, backend: string, userFunction: string): SequenceEntry {
  const base = { time: e.time, stream: e.stream };
  switch (e.kind) {
    case "to-user-function":
      return { ...base, from: backend, to: userFunction, text: JSON.stringify(e.message) };
    case "to-backend":
      return { ...base, from: userFunction, to: backend, text: JSON.stringify(e.message) };
    case "backend-half-close":
      return { ...base, from: backend, to: userFunction, text: "half-close (backend completed its side)" };
    case "ready":
      return { ...base, from: userFunction, to: backend, text: describeTranscriptEntry(e) };
    default:
      return { ...base, text: describeTranscriptEntry(e) };
  }
}
