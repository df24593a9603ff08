import { basename, isAbsolute, relative } from "node:path";
import protobuf from "protobufjs";
import { type AnyPayload, type EntitySpec, loadProtos, protoDir, typeNameOf, typeUrlOf } from "../protocol/index.js";
import type { Behavior, EventSourcedEntityOptions, ProtoObject } from "./entity-definition.js";
import { buildFileDescriptorProto } from "./file-descriptor.js";

/** One method of the entity's service, with its codecs. */
export interface EntityMethod {
  readonly name: string;
  /** Full names, no leading dot. */
  readonly inputType: string;
  readonly outputType: string;
  /** Decodes a Command payload into a plain object; throws if the bytes do not parse. */
  decodeCommand(payload: AnyPayload | undefined): ProtoObject;
  /** Encodes a handler's reply as an Any of the output type; throws if it does not fit. */
  encodeReply(reply: unknown): AnyPayload;
}

/** A decoded event: its type names and its content. */
export interface DecodedEvent {
  readonly fullName: string;
  readonly simpleName: string;
  readonly message: ProtoObject;
}

/**
 * An entity definition resolved against its protos: everything a stream
 * session needs, computed once. Created by `createEventSourcedEntity`.
 */
export interface EventSourcedEntity<State> {
  readonly serviceName: string;
  readonly persistenceId: string;
  readonly snapshotEvery: number;
  /** What `ready()` answers, the same every time. */
  readonly spec: EntitySpec;
  readonly methods: ReadonlyMap<string, EntityMethod>;
  initialState(entityId: string): State;
  behavior(state: State): Behavior<State>;
  /** Encodes an emitted event; throws for an unknown or ambiguous type, or content that does not fit. */
  encodeEvent(eventType: string, event: ProtoObject): AnyPayload;
  /** Decodes an event payload; throws for a type the protos do not define or bytes that do not parse. */
  decodeEvent(payload: AnyPayload): DecodedEvent;
  encodeSnapshot(state: State): AnyPayload;
  /** Throws when the payload is not the snapshot type or does not parse. */
  decodeSnapshot(payload: AnyPayload): State;
}

/** How decoded messages are shown to handlers: plain, complete, exact for 64-bit integers. */
const toObjectOptions: protobuf.IConversionOptions = {
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
  longs: String,
  enums: String,
};

export function createEventSourcedEntity<State>(options: EventSourcedEntityOptions<State>): EventSourcedEntity<State> {
  return new EventSourcedEntityImpl(options);
}

class EventSourcedEntityImpl<State> implements EventSourcedEntity<State> {
  readonly serviceName: string;
  readonly persistenceId: string;
  readonly snapshotEvery: number;
  readonly spec: EntitySpec;
  readonly methods: ReadonlyMap<string, EntityMethod>;
  private readonly root: protobuf.Root;
  private readonly typesBySimpleName: ReadonlyMap<string, readonly protobuf.Type[]>;
  private readonly snapshotType: protobuf.Type;
  private readonly snapshotTypeUrl: string;
  /** Types found by name or type url, kept: protobufjs's `lookup` walks the namespace tree on every call. */
  private readonly eventTypesByName = new Map<string, { typeUrl: string; type: protobuf.Type }>();
  private readonly eventTypesByFullName = new Map<string, protobuf.Type>();

  constructor(private readonly options: EventSourcedEntityOptions<State>) {
    const snapshotEvery = options.snapshotEvery ?? 0;
    if (!Number.isSafeInteger(snapshotEvery) || snapshotEvery < 0) {
      throw new Error(`snapshotEvery must be a whole number ≥ 0, got ${snapshotEvery}`);
    }
    if (!options.persistenceId) throw new Error("persistenceId must not be empty");
    this.snapshotEvery = snapshotEvery;
    this.persistenceId = options.persistenceId;
    const includeDirs = options.includeDirs ?? [];
    this.root = loadProtos(options.protoFiles, { includeDirs });
    const serviceName = options.serviceName.replace(/^\./, "");
    const service = this.root.lookup(serviceName);
    if (!(service instanceof protobuf.Service)) {
      throw new Error(`service ${serviceName} is not defined in ${options.protoFiles.join(", ")}`);
    }
    this.serviceName = serviceName;
    this.methods = new Map(service.methodsArray.map((m) => [m.name, createEntityMethod(m)]));
    this.typesBySimpleName = indexTypesBySimpleName(this.root);
    this.snapshotType = this.lookupMessageType(options.snapshot.type);
    this.snapshotTypeUrl = typeUrlOf(this.snapshotType.fullName);
    const file = service.filename;
    if (!file) throw new Error(`cannot tell which file defines ${serviceName}`);
    this.spec = {
      proto: buildFileDescriptorProto(this.root, { path: file, name: importName(file, [...includeDirs, protoDir]) }),
      serviceName,
      persistenceId: options.persistenceId,
    };
  }

  initialState(entityId: string): State {
    return this.options.initialState(entityId);
  }

  behavior(state: State): Behavior<State> {
    return this.options.behavior(state);
  }

  encodeEvent(eventType: string, event: ProtoObject): AnyPayload {
    let known = this.eventTypesByName.get(eventType);
    if (!known) {
      const type = this.lookupMessageType(eventType);
      known = { typeUrl: typeUrlOf(type.fullName), type };
      this.eventTypesByName.set(eventType, known);
    }
    return { typeUrl: known.typeUrl, value: encodeMessage(known.type, event) };
  }

  decodeEvent(payload: AnyPayload): DecodedEvent {
    const fullName = typeNameOf(payload.typeUrl);
    let type = this.eventTypesByFullName.get(fullName);
    if (!type) {
      const found = this.root.lookup(fullName);
      if (!(found instanceof protobuf.Type)) throw new Error(`event type ${fullName} is not defined in the entity's protos`);
      type = found;
      // Only names of defined types are kept, so what a peer sends cannot grow this without bound.
      this.eventTypesByFullName.set(fullName, type);
    }
    return { fullName, simpleName: type.name, message: decodeMessage(type, payload.value) };
  }

  encodeSnapshot(state: State): AnyPayload {
    const message = this.options.snapshot.toMessage ? this.options.snapshot.toMessage(state) : (state as ProtoObject);
    return { typeUrl: this.snapshotTypeUrl, value: encodeMessage(this.snapshotType, message) };
  }

  decodeSnapshot(payload: AnyPayload): State {
    const expected = typeNameOf(this.snapshotTypeUrl);
    if (typeNameOf(payload.typeUrl) !== expected) {
      throw new Error(`snapshot of type ${typeNameOf(payload.typeUrl)}, expected ${expected}`);
    }
    const message = decodeMessage(this.snapshotType, payload.value);
    return this.options.snapshot.fromMessage ? this.options.snapshot.fromMessage(message) : (message as State);
  }

  /** A full name, or a simple name that only one loaded type has. */
  private lookupMessageType(name: string): protobuf.Type {
    if (name.includes(".")) {
      const type = this.root.lookup(name.replace(/^\./, ""));
      if (type instanceof protobuf.Type) return type;
      throw new Error(`message type ${name} is not defined in the entity's protos`);
    }
    const candidates = this.typesBySimpleName.get(name) ?? [];
    const [only] = candidates;
    if (candidates.length === 1 && only) return only;
    if (candidates.length === 0) throw new Error(`message type ${name} is not defined in the entity's protos`);
    throw new Error(`message type ${name} is ambiguous (${candidates.map((t) => t.fullName.slice(1)).join(", ")}); use its full name`);
  }
}

function createEntityMethod(method: protobuf.Method): EntityMethod {
  method.resolve();
  const input = method.resolvedRequestType;
  const output = method.resolvedResponseType;
  if (!input || !output) throw new Error(`method ${method.name}: unresolved input or output type`);
  const inputType = input.fullName.slice(1);
  // Computed once: protobufjs's `fullName` walks up the namespace tree on every read.
  const outputTypeUrl = typeUrlOf(output.fullName);
  return {
    name: method.name,
    inputType,
    outputType: output.fullName.slice(1),
    decodeCommand(payload) {
      if (payload && typeNameOf(payload.typeUrl) !== inputType) {
        throw new Error(`payload of type ${typeNameOf(payload.typeUrl)}, expected ${inputType}`);
      }
      return decodeMessage(input, payload?.value ?? new Uint8Array(0));
    },
    encodeReply(reply) {
      return { typeUrl: outputTypeUrl, value: encodeMessage(output, (reply ?? {}) as ProtoObject) };
    },
  };
}

function decodeMessage(type: protobuf.Type, bytes: Uint8Array): ProtoObject {
  return type.toObject(type.decode(bytes), toObjectOptions);
}

function encodeMessage(type: protobuf.Type, message: ProtoObject): Uint8Array {
  // fromObject accepts the shapes toObject produces (enum names, 64-bit integers as strings).
  const bytes = type.encode(type.fromObject(message)).finish();
  // A plain Uint8Array view (protobufjs hands out Buffers in Node), as the protocol codec decodes them.
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function indexTypesBySimpleName(root: protobuf.Root): Map<string, protobuf.Type[]> {
  const index = new Map<string, protobuf.Type[]>();
  const visit = (namespace: protobuf.NamespaceBase) => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Type) {
        index.set(nested.name, [...(index.get(nested.name) ?? []), nested]);
      }
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) visit(nested);
    }
  };
  visit(root);
  return index;
}

/** The name a file is imported by: its path inside the first include folder holding it. */
function importName(file: string, includeDirs: readonly string[]): string {
  for (const dir of includeDirs) {
    const inside = relative(dir, file);
    if (inside && !inside.startsWith("..") && !isAbsolute(inside)) return inside.split("\\").join("/");
  }
  return basename(file);
}
