import type protobuf from "protobufjs";
import { abbreviate } from "../transcript/transcript.js";
import { messageJson } from "./message-json.js";
import { loadProtos, typeNameOf, typeUrlOf, type AnyPayload } from "../../../reference/protocol/index.js";
import { subjectServices } from "./subject-name.js";

/** One step of a model entity command (proto/tck/model.proto `RequestAction`). */
export type ModelAction = { readonly emit: string } | { readonly fail: string } | { readonly respond: string } | { readonly throw: string };

export interface ModelResponse {
  readonly state: string;
  readonly message: string;
}

export interface CompositeKey {
  readonly partA: string;
  readonly partB: number;
  readonly partC: boolean;
  readonly partD: 0 | 1 | 2;
}

const pkg = "lightbend.serverless.tck.model";

/** Encoders and decoders for the TCK model entity's messages, fixed by proto/tck/README.md. */
export class ModelEntitySubject {
  readonly name = "model";
  readonly serviceName = subjectServices.model;
  readonly persistenceId = "tck-model";
  readonly root: protobuf.Root;

  constructor() {
    this.root = loadProtos(["tck/model.proto"]);
  }

  #type(name: string): protobuf.Type {
    return this.root.lookupType(`${pkg}.${name}`);
  }

  #any(name: string, value: Record<string, unknown>): AnyPayload {
    const type = this.#type(name);
    return { typeUrl: typeUrlOf(`${pkg}.${name}`), value: type.encode(type.fromObject(value)).finish() };
  }

  request(id: string, actions: readonly ModelAction[]): AnyPayload {
    return this.#any("Request", { id, actions: actions.map(toWireAction) });
  }

  compositeRequest(key: CompositeKey, actions: readonly ModelAction[]): AnyPayload {
    return this.#any("CompositeRequest", {
      part_a: key.partA,
      part_b: key.partB,
      part_c: key.partC,
      part_d: key.partD,
      actions: actions.map(toWireAction),
    });
  }

  appended(value: string): AnyPayload {
    return this.#any("Appended", { value });
  }

  state(value: string): AnyPayload {
    return this.#any("State", { value });
  }

  responseTypeUrl(): string {
    return typeUrlOf(`${pkg}.Response`);
  }

  /** Decodes an Any of the named message type, or explains why it is not one. */
  decode<T>(name: "Response" | "Appended" | "State", payload: AnyPayload | undefined): { ok: true; value: T } | { ok: false; why: string } {
    if (!payload) return { ok: false, why: `no payload (expected ${pkg}.${name})` };
    if (typeNameOf(payload.typeUrl) !== `${pkg}.${name}`) {
      return { ok: false, why: `type url ${JSON.stringify(payload.typeUrl)} (expected ${typeUrlOf(`${pkg}.${name}`)})` };
    }
    try {
      const type = this.#type(name);
      return { ok: true, value: type.toObject(type.decode(payload.value), { defaults: true }) as T };
    } catch (error) {
      return { ok: false, why: `undecodable ${name}: ${(error as Error).message}` };
    }
  }

  /** A readable form of any model entity payload, for transcripts. */
  describe = (payload: AnyPayload): string => {
    const name = typeNameOf(payload.typeUrl);
    const short = name.startsWith(`${pkg}.`) ? name.slice(pkg.length + 1) : name;
    try {
      if (name === "google.protobuf.Empty") return "Empty{}";
      const type = this.root.lookupType(name);
      return abbreviate(`${short}${messageJson(type.toObject(type.decode(payload.value)))}`);
    } catch {
      return `${payload.typeUrl} (${payload.value.length} bytes)`;
    }
  };
}

function toWireAction(action: ModelAction): Record<string, unknown> {
  if ("emit" in action) return { emit: { value: action.emit } };
  if ("fail" in action) return { fail: { description: action.fail } };
  if ("respond" in action) return { respond: { message: action.respond } };
  return { throw: { message: action.throw } };
}
