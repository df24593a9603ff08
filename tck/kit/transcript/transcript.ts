import type { AnyPayload, EntitySpec, StreamIn, StreamOut } from "../../../reference/protocol/index.js";
import type { Sequence, SequenceEntry } from "../run/sequence-entry.js";

/** How the kit renders an Any for a human: the subject knows its own types. */
export type PayloadDescriber = (payload: AnyPayload) => string;

/** One thing that happened on the wire, seen from the kit (playing the backend). */
export type TranscriptEntry =
  | { readonly at: number; readonly stream: string; readonly kind: "sent"; readonly message: StreamIn }
  | { readonly at: number; readonly stream: string; readonly kind: "received"; readonly message: StreamOut }
  | { readonly at: number; readonly stream: string; readonly kind: "opened" }
  | { readonly at: number; readonly stream: string; readonly kind: "half-closed" }
  | { readonly at: number; readonly stream: string; readonly kind: "cancelled" }
  /** The user function ended the stream: OK (code 0) or with an error status. */
  | { readonly at: number; readonly stream: string; readonly kind: "ended"; readonly code: number; readonly details: string }
  | { readonly at: number; readonly stream: string; readonly kind: "ready"; readonly spec: EntitySpec }
  | { readonly at: number; readonly stream: string; readonly kind: "ready-failed"; readonly code: number; readonly details: string }
  | { readonly at: number; readonly stream: string; readonly kind: "note"; readonly text: string };

type WithoutTime<T> = T extends unknown ? Omit<T, "at"> : never;

/** Every message both ways, timestamped, in the order the kit saw them. */
export class Transcript {
  readonly #start = performance.now();
  readonly #entries: TranscriptEntry[] = [];

  get entries(): readonly TranscriptEntry[] {
    return this.#entries;
  }

  record(entry: WithoutTime<TranscriptEntry>): void {
    this.#entries.push({ ...entry, at: performance.now() - this.#start } as TranscriptEntry);
  }

  /** The same entries as `format`, for the report's sequence diagram: the kit (as backend) and the user function. */
  sequence(describe: PayloadDescriber = describeAny, last = 200): Sequence {
    const shown = this.#entries.slice(-last);
    const kit = "kit (backend)";
    const userFunction = "user function";
    const entries = shown.map((entry): SequenceEntry => {
      const time = `${entry.at.toFixed(1)} ms`;
      const text = formatEntry(entry, describe).replace(/^[→←·] /, "");
      switch (entry.kind) {
        case "sent":
        case "half-closed":
        case "cancelled":
          return { time, stream: entry.stream, from: kit, to: userFunction, text };
        case "received":
        case "ended":
        case "ready":
          return { time, stream: entry.stream, from: userFunction, to: kit, text };
        default:
          return { time, stream: entry.stream, text };
      }
    });
    return { parties: [kit, userFunction], entries, omitted: this.#entries.length - shown.length };
  }

  /** A readable listing, one line per entry; `last` keeps only the tail of long runs. */
  format(describe: PayloadDescriber = describeAny, last = 200): string {
    const shown = this.#entries.slice(-last);
    const lines = shown.map((entry) => `${entry.at.toFixed(1).padStart(9)} ms  ${entry.stream.padEnd(10)} ${formatEntry(entry, describe)}`);
    const skipped = this.#entries.length - shown.length;
    if (skipped > 0) lines.unshift(`  … ${skipped} earlier entries not shown`);
    return lines.length > 0 ? lines.join("\n") : "  (nothing on the wire yet)";
  }
}

const grpcCodeNames = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
];

export function grpcCodeName(code: number): string {
  return grpcCodeNames[code] ?? `code ${code}`;
}

/** Keeps transcripts readable when a payload is huge (a 10,000-event state, say). */
export function abbreviate(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

export function describeAny(payload: AnyPayload): string {
  return `${payload.typeUrl} (${payload.value.length} bytes)`;
}

function formatEntry(entry: TranscriptEntry, describe: PayloadDescriber): string {
  const any = (payload: AnyPayload | undefined) => (payload ? describe(payload) : "none");
  switch (entry.kind) {
    case "sent":
      return `→ ${formatIn(entry.message, any)}`;
    case "received":
      return `← ${formatOut(entry.message, any)}`;
    case "opened":
      return "opened handle stream";
    case "half-closed":
      return "→ half-close (no more messages from the backend)";
    case "cancelled":
      return "→ cancelled by the kit";
    case "ended":
      return entry.code === 0 ? "← stream completed (OK)" : `← stream ended with ${grpcCodeName(entry.code)}: ${entry.details}`;
    case "ready":
      return `ready() → service ${entry.spec.serviceName || "(empty)"}, persistence id ${entry.spec.persistenceId || "(empty)"}, descriptor ${entry.spec.proto.length} bytes`;
    case "ready-failed":
      return `ready() failed with ${grpcCodeName(entry.code)}: ${entry.details}`;
    case "note":
      return `· ${entry.text}`;
  }
}

export function formatIn(message: StreamIn, any: (p: AnyPayload | undefined) => string = (p) => (p ? describeAny(p) : "none")): string {
  switch (message.case) {
    case "init":
      return message.snapshot
        ? `Init entity ${JSON.stringify(message.entityId)} snapshot @${message.snapshot.sequence} ${any(message.snapshot.payload)}`
        : `Init entity ${JSON.stringify(message.entityId)} (no snapshot)`;
    case "event":
      return `Event #${message.sequence} ${any(message.payload)}`;
    case "command":
      return `Command id ${message.id} ${message.name} entity ${JSON.stringify(message.entityId)} ${any(message.payload)}`;
    case undefined:
      return "EntityStreamIn with no message set";
  }
}

export function formatOut(message: StreamOut, any: (p: AnyPayload | undefined) => string = (p) => (p ? describeAny(p) : "none")): string {
  switch (message.case) {
    case "reply": {
      const events = message.events.length === 0 ? "no events" : `events [${message.events.map((e) => any(e)).join(", ")}]`;
      const snapshot = message.snapshot ? `, snapshot ${any(message.snapshot)}` : "";
      return `Reply to ${message.commandId}: ${any(message.payload)}, ${events}${snapshot}`;
    }
    case "failure":
      return `Failure for ${message.commandId}: ${JSON.stringify(message.description)}`;
    case undefined:
      return "EntityStreamOut with no message set";
  }
}
