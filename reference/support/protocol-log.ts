import type { AnyPayload, StreamIn, StreamOut } from "../protocol/index.js";

/** The DEBUG namespace that turns on protocol traffic logging, as the seed's library named it. */
export const debugNamespace = "stateserv-event-sourcing";

/**
 * Whether a DEBUG value enables a namespace: comma- or space-separated
 * patterns, `*` matches anything, a leading `-` excludes (the convention of
 * the `debug` package the seed used).
 */
export function debugEnabled(debug: string | undefined, namespace: string = debugNamespace): boolean {
  let enabled = false;
  for (const pattern of (debug ?? "").split(/[\s,]+/).filter(Boolean)) {
    const exclude = pattern.startsWith("-");
    const body = exclude ? pattern.slice(1) : pattern;
    const regex = new RegExp(`^${body.split("*").map(escapeRegExp).join(".*")}$`);
    if (!regex.test(namespace)) continue;
    if (exclude) return false;
    enabled = true;
  }
  return enabled;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** One line per protocol message of a stream; a no-op when disabled. */
export interface ProtocolLog {
  readonly enabled: boolean;
  inbound(stream: number, message: StreamIn): void;
  outbound(stream: number, message: StreamOut): void;
  note(stream: number, text: string): void;
}

export function createProtocolLog(enabled: boolean, write: (line: string) => void = writeStderr): ProtocolLog {
  if (!enabled) return { enabled, inbound() {}, outbound() {}, note() {} };
  const line = (stream: number, text: string) => write(`${debugNamespace} stream ${stream} ${text}`);
  return {
    enabled,
    inbound: (stream, message) => line(stream, `<- ${describeIn(message)}`),
    outbound: (stream, message) => line(stream, `-> ${describeOut(message)}`),
    note: line,
  };
}

function writeStderr(line: string): void {
  process.stderr.write(line + "\n");
}

function describeAny(any: AnyPayload | undefined): string {
  return any ? `${any.typeUrl} (${any.value.length} bytes)` : "none";
}

export function describeIn(message: StreamIn): string {
  switch (message.case) {
    case "init":
      return message.snapshot
        ? `Init entity=${message.entityId} snapshot@${message.snapshot.sequence}=${describeAny(message.snapshot.payload)}`
        : `Init entity=${message.entityId} no snapshot`;
    case "event":
      return `Event ${message.sequence} ${describeAny(message.payload)}`;
    case "command":
      return `Command ${message.id} ${message.name} entity=${message.entityId} ${describeAny(message.payload)}`;
    case undefined:
      return "EntityStreamIn with no case";
  }
}

export function describeOut(message: StreamOut): string {
  switch (message.case) {
    case "reply": {
      const events = message.events.map(describeAny).join(", ");
      const snapshot = message.snapshot ? ` snapshot=${describeAny(message.snapshot)}` : "";
      return `Reply ${message.commandId} ${describeAny(message.payload)} events=[${events}]${snapshot}`;
    }
    case "failure":
      return `Failure ${message.commandId} ${JSON.stringify(message.description)}`;
    case undefined:
      return "EntityStreamOut with no case";
  }
}
