import { loadProtos, type AnyPayload, type StreamIn, type StreamOut, typeUrlOf } from "../../protocol/index.js";
import type { EntitySession } from "../entity-session.js";
import { modelPackage } from "./append-entity.js";

/**
 * Small builders for transcripts on the TCK model protos. Payloads are
 * encoded here with protobufjs directly, not through the library under test.
 */
const root = loadProtos(["tck/model.proto"]);

function any(typeName: string, value: Record<string, unknown>): AnyPayload {
  const type = root.lookupType(typeName);
  const bytes = type.encode(type.fromObject(value)).finish();
  return { typeUrl: typeUrlOf(typeName), value: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
}

export const appended = (value: string) => any(`${modelPackage}.Appended`, { value });
export const stateSnapshot = (value: string) => any(`${modelPackage}.State`, { value });
export const response = (state: string, message = "") => any(`${modelPackage}.Response`, { state, message });
export const emptyReply: AnyPayload = { typeUrl: "type.googleapis.com/google.protobuf.Empty", value: new Uint8Array(0) };

export type Action = { emit: string } | { fail: string } | { respond: string } | { throw: string };

const actionObject = (action: Action) => {
  if ("emit" in action) return { emit: { value: action.emit } };
  if ("fail" in action) return { fail: { description: action.fail } };
  if ("respond" in action) return { respond: { message: action.respond } };
  return { throw: { message: action.throw } };
};

export const request = (actions: Action[], id = "e1") => any(`${modelPackage}.Request`, { id, actions: actions.map(actionObject) });

export const init = (entityId = "e1", snapshot?: { sequence: number; state: string }): StreamIn => ({
  case: "init",
  entityId,
  snapshot: snapshot ? { sequence: snapshot.sequence, payload: stateSnapshot(snapshot.state) } : undefined,
});

export const event = (sequence: number, value: string): StreamIn => ({ case: "event", sequence, payload: appended(value) });

export const command = (id: number, actions: Action[], name = "Process", entityId = "e1"): StreamIn => ({
  case: "command",
  entityId,
  id,
  name,
  payload: request(actions, entityId),
});

export const reply = (
  commandId: number,
  state: string,
  events: string[] = [],
  options: { message?: string; snapshot?: string } = {},
): StreamOut => ({
  case: "reply",
  commandId,
  payload: response(state, options.message ?? ""),
  events: events.map(appended),
  snapshot: options.snapshot === undefined ? undefined : stateSnapshot(options.snapshot),
});

export const failure = (commandId: number, description: string): StreamOut => ({ case: "failure", commandId, description });

/** What a transcript records: each message sent, or the violation that ended the stream. */
export type Outbound = StreamOut | { readonly violation: string; readonly message: string };

/** Feeds every inbound message in order (awaiting each) and records what the session answers. */
export async function transcript(session: EntitySession, inbound: readonly StreamIn[]): Promise<Outbound[]> {
  const out: Outbound[] = [];
  for (const message of inbound) {
    const step = await session.receive(message);
    if (step.kind === "violation") {
      out.push({ violation: step.violation.code, message: step.violation.message });
      break;
    }
    out.push(...step.send);
  }
  return out;
}

export type ReplyOut = Extract<StreamOut, { case: "reply" }>;
export type FailureOut = Extract<StreamOut, { case: "failure" }>;

export function asReply(out: Outbound | undefined): ReplyOut {
  if (out && "case" in out && out.case === "reply") return out;
  throw new Error(`expected a Reply, got ${JSON.stringify(out)}`);
}

export function asFailure(out: Outbound | undefined): FailureOut {
  if (out && "case" in out && out.case === "failure") return out;
  throw new Error(`expected a Failure, got ${JSON.stringify(out)}`);
}

/** Reads a Response or State payload back (protobufjs directly, not the library). */
export function decodeModel(typeName: "Response" | "State" | "Appended", payload: AnyPayload): Record<string, string> {
  const type = root.lookupType(`${modelPackage}.${typeName}`);
  return type.toObject(type.decode(payload.value), { defaults: true }) as Record<string, string>;
}
