import type protobuf from "protobufjs";
import { loadProtos, typeNameOf, typeUrlOf, type AnyPayload } from "../../../../reference/protocol/index.js";
import { UnusablePayloadError, type CommandOutcome, type EntityBehaviour } from "./entity-behaviour.js";
import { modelPackage } from "./model-descriptor.js";

let modelRoot: protobuf.Root | undefined;
/** The model's protobufjs types, from proto/tck/model.proto (used for encoding only; the spec is hand-written). */
export function modelTypes(): protobuf.Root {
  modelRoot ??= loadProtos(["tck/model.proto"]);
  return modelRoot;
}

const typeOf = (name: string) => modelTypes().lookupType(`${modelPackage}.${name}`);

function encodeAny(name: string, value: Record<string, unknown>): AnyPayload {
  const type = typeOf(name);
  return { typeUrl: typeUrlOf(`${modelPackage}.${name}`), value: type.encode(type.fromObject(value)).finish() };
}

function decodeAny(name: string, payload: AnyPayload): Record<string, unknown> {
  if (typeNameOf(payload.typeUrl) !== `${modelPackage}.${name}`) {
    throw new UnusablePayloadError(`expected ${modelPackage}.${name}, got ${payload.typeUrl}`);
  }
  const type = typeOf(name);
  return type.toObject(type.decode(payload.value), { defaults: true });
}

const inputTypeOf: Record<string, string> = {
  Process: "Request",
  ProcessEmpty: "Request",
  ProcessStream: "Request",
  ProcessComposite: "CompositeRequest",
};

interface WireAction {
  emit?: { value: string };
  fail?: { description: string };
  respond?: { message: string };
  throw?: { message: string };
}

/** The TCK model entity of proto/tck/README.md: the state is every Appended value, concatenated. */
export function createModelEntityBehaviour(): EntityBehaviour {
  let state = "";
  return {
    restore(snapshot) {
      state = String(decodeAny("State", snapshot)["value"]);
    },
    apply(event) {
      state += String(decodeAny("Appended", event)["value"]);
    },
    decide(commandName, payload, eventPadding = 0): CommandOutcome {
      const inputType = inputTypeOf[commandName];
      if (inputType === undefined) return { kind: "failure", description: `unknown command ${commandName}` };
      let actions: WireAction[];
      try {
        if (!payload) throw new Error("no payload");
        actions = decodeAny(inputType, payload)["actions"] as WireAction[];
      } catch (error) {
        return { kind: "failure", description: `undecodable ${commandName} payload: ${(error as Error).message}` };
      }
      const events: AnyPayload[] = [];
      let after = state;
      let message = "";
      for (const action of actions) {
        if (action.emit) {
          const value = action.emit.value + "#".repeat(eventPadding);
          events.push(encodeAny("Appended", { value }));
          after += value;
        } else if (action.fail) return { kind: "failure", description: action.fail.description };
        else if (action.respond) message = action.respond.message;
        else if (action.throw) return { kind: "failure", description: `handler threw: ${action.throw.message}` };
      }
      const reply =
        commandName === "ProcessEmpty"
          ? { typeUrl: typeUrlOf("google.protobuf.Empty"), value: new Uint8Array(0) }
          : encodeAny("Response", { state: after, message });
      return { kind: "reply", payload: reply, events };
    },
    snapshot() {
      return encodeAny("State", { value: state });
    },
  };
}
