import protobuf from "protobufjs";
import type { EntitySpec } from "../../protocol/index.js";
import { fileDescriptorType } from "./descriptor-type.js";
import { entityId, persistenceId, type EntityId } from "../ids.js";
import { silentLogger, type Logger } from "../logger.js";
import { checkWireFormat } from "./check-wire-format.js";
import { joinEntityKey, keyPartText, type KeyKind, type KeyValue } from "./entity-key.js";
import {
  FieldType,
  entityKeyOption,
  labelRepeated,
  type FieldDescriptor,
  type FileDescriptor,
  type MessageDescriptor,
  type MethodDescriptor,
} from "./file-descriptor.js";
import { entityKeyProtoName, isKnownImport, knownImportClosure } from "./known-imports.js";
import { buildRequestTypes } from "./request-types.js";
import { SpecError } from "./spec-error.js";
import { EntityKeyError, type UserMethod, type UserService } from "./user-service.js";

const keyKinds: Readonly<Record<number, KeyKind>> = {
  [FieldType.string]: "string",
  [FieldType.bytes]: "bytes",
  [FieldType.bool]: "bool",
  [FieldType.enum]: "enum",
  [FieldType.int32]: "signed",
  [FieldType.sint32]: "signed",
  [FieldType.sfixed32]: "signed",
  [FieldType.int64]: "signed",
  [FieldType.sint64]: "signed",
  [FieldType.sfixed64]: "signed",
  [FieldType.uint32]: "unsigned",
  [FieldType.fixed32]: "unsigned",
  [FieldType.uint64]: "unsigned",
  [FieldType.fixed64]: "unsigned",
};

interface KeyField {
  readonly name: string;
  readonly number: number;
  readonly kind: KeyKind;
}

/**
 * Reads a user function's EntitySpec into the service the backend serves, or
 * throws a SpecError naming every problem found (A3, A6): no descriptor, an
 * unparsable one, an import the backend does not know, the service missing,
 * an empty persistence id, a method whose input type has no key field.
 */
export function validateEntitySpec(spec: EntitySpec, logger: Logger = silentLogger): UserService {
  if (spec.proto.length === 0) throw new SpecError("the EntitySpec carries no descriptor (its proto field is empty)");
  let file: FileDescriptor;
  try {
    file = fileDescriptorType().decode(spec.proto) as unknown as FileDescriptor;
  } catch (error) {
    throw new SpecError(`the EntitySpec's descriptor does not parse as a FileDescriptorProto: ${(error as Error).message}`);
  }
  const fileName = file.name || "the user's proto file";

  const problems: string[] = [];
  if (spec.persistenceId === "") problems.push("the EntitySpec's persistence id is empty");
  if (spec.serviceName === "") problems.push("the EntitySpec names no service");
  const unknownImports = (file.dependency ?? []).filter((d) => !isKnownImport(d));
  for (const name of unknownImports) {
    problems.push(
      `${fileName} imports "${name}", which the backend does not know ` + `(it knows google/protobuf/*.proto and ${entityKeyProtoName})`,
    );
  }
  if (problems.length > 0) throw new SpecError(problems.join("; "));

  const imports = file.dependency ?? [];
  const root = buildRequestTypes(file, imports);
  const packageName = file.package ?? "";
  const qualify = (name: string) => (packageName ? `${packageName}.${name}` : name);

  const wanted = spec.serviceName.replace(/^\./, "");
  const services = file.service ?? [];
  const service =
    services.find((s) => qualify(s.name ?? "") === wanted) ??
    // A bare service name is accepted when the file has a package and nothing else matches.
    services.find((s) => s.name === wanted);
  if (!service) {
    const present = services.map((s) => qualify(s.name ?? ""));
    throw new SpecError(
      `service "${spec.serviceName}" is not defined in ${fileName}; ` +
        (present.length ? `it defines ${present.join(", ")}` : "it defines no service"),
    );
  }
  const serviceName = qualify(service.name ?? "");

  const messages = messageDescriptors(file);
  const methods = new Map<string, UserMethod>();
  for (const method of service.method ?? []) {
    try {
      const userMethod = userMethodOf(serviceName, method, root, packageName, messages);
      methods.set(userMethod.name, userMethod);
    } catch (error) {
      if (error instanceof SpecError) problems.push(error.message);
      else throw error;
    }
  }
  if (problems.length > 0) throw new SpecError(problems.join("; "));
  if (methods.size === 0) logger.warn("the user's service has no methods", { service: serviceName });

  const fileDescriptors = [spec.proto, ...knownImportClosure(imports).map((known) => known.descriptor)];
  logger.info("user service discovered", {
    service: serviceName,
    persistenceId: spec.persistenceId,
    methods: [...methods.keys()],
  });
  return { name: serviceName, persistenceId: persistenceId(spec.persistenceId), methods, fileDescriptors };
}

function userMethodOf(
  serviceName: string,
  method: MethodDescriptor,
  root: protobuf.Root,
  packageName: string,
  messages: ReadonlyMap<string, MessageDescriptor>,
): UserMethod {
  const name = method.name ?? "";
  const where = `method ${serviceName}.${name || "(unnamed)"}`;
  if (!name) throw new SpecError(`${where} has no name`);
  const inputName = fullTypeName(method.input_type ?? "", packageName);
  const outputType = fullTypeName(method.output_type ?? "", packageName);
  const descriptor = messages.get(inputName);
  let type: protobuf.Type | undefined;
  try {
    type = root.lookupType(`.${inputName}`);
  } catch {
    type = undefined;
  }
  if (!type) throw new SpecError(`${where} takes ${inputName || "(no input type)"}, which the descriptor does not define`);

  const keyFields = keyFieldsOf(descriptor, where, inputName);
  const decoder = type;
  const readKey = keyReader(decoder, keyFields);
  return {
    name,
    path: `/${serviceName}/${name}`,
    inputType: inputName,
    outputType,
    clientStreaming: method.client_streaming === true,
    serverStreaming: method.server_streaming === true,
    entityIdOf(request: Uint8Array): EntityId {
      let values: ReadonlyMap<string, KeyValue>;
      try {
        checkWireFormat(decoder, request);
        values = readKey(request);
      } catch (error) {
        throw new EntityKeyError(`the request is not a valid ${inputName}: ${(error as Error).message}`);
      }
      const parts = keyFields.map((field) => {
        const value = values.get(field.name);
        return { field: field.name, text: value === undefined ? absentKeyText(field.kind) : keyPartText(field.kind, value) };
      });
      return entityId(joinEntityKey(parts));
    },
  };
}

/**
 * Reads a request's key field values, by field name; a field not on the wire is not in the map.
 * Only the key fields are read, each with protobufjs's reader method for its type (the one its
 * generated decoder calls, the last occurrence winning as there), instead of decoding the whole
 * request: routing needs the key alone. A type that has proto2 `required` fields somewhere is
 * decoded whole, so a request missing one is refused as the decoder refuses it.
 */
function keyReader(type: protobuf.Type, keyFields: readonly KeyField[]): (bytes: Uint8Array) => ReadonlyMap<string, KeyValue> {
  if (hasRequiredFields(type, new Set())) {
    return (bytes) => {
      const message = type.decode(bytes) as unknown as Record<string, KeyValue>;
      return new Map(keyFields.filter((f) => Object.hasOwn(message, f.name)).map((f) => [f.name, message[f.name] as KeyValue]));
    };
  }
  const byNumber = new Map<number, { name: string; read: (reader: protobuf.Reader) => KeyValue }>();
  for (const key of keyFields) {
    const field = type.fieldsById[key.number];
    if (!field) throw new SpecError(`key field ${type.fullName.slice(1)}.${key.name} is not in its message type`);
    field.resolve();
    const method = (field.resolvedType instanceof protobuf.Enum ? "int32" : field.type) as keyof protobuf.Reader;
    byNumber.set(key.number, { name: key.name, read: (reader) => (reader[method] as () => KeyValue).call(reader) });
  }
  return (bytes) => {
    const values = new Map<string, KeyValue>();
    const reader = protobuf.Reader.create(bytes);
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const key = byNumber.get(tag >>> 3);
      if (key) values.set(key.name, key.read(reader));
      else reader.skipType(tag & 7);
    }
    return values;
  };
}

function hasRequiredFields(type: protobuf.Type, seen: Set<protobuf.Type>): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  return type.fieldsArray.some((field) => {
    field.resolve();
    return field.required || (field.resolvedType instanceof protobuf.Type && hasRequiredFields(field.resolvedType, seen));
  });
}

/**
 * A key field absent from the bytes. proto3 writers leave out zero, false and
 * the first enum value, so for those types absence *is* that value: `0`,
 * `false`. An absent string or bytes key is empty, which joinEntityKey refuses.
 */
function absentKeyText(kind: KeyKind): string {
  switch (kind) {
    case "string":
    case "bytes":
      return "";
    case "bool":
      return "false";
    case "signed":
    case "unsigned":
    case "enum":
      return "0";
  }
}

function keyFieldsOf(descriptor: MessageDescriptor | undefined, where: string, inputName: string): KeyField[] {
  const marked = (descriptor?.field ?? []).filter((f) => f.options?.[entityKeyOption] === true);
  if (marked.length === 0) {
    throw new SpecError(
      `${where}: its input type ${inputName} has no field marked (lightbend.serverless.entity_key), ` +
        "so its requests cannot be routed to an entity",
    );
  }
  return marked.map((field) => keyFieldOf(field, where, inputName)).sort((a, b) => a.number - b.number);
}

function keyFieldOf(field: FieldDescriptor, where: string, inputName: string): KeyField {
  const name = field.name ?? "";
  const kind = keyKinds[field.type ?? 0];
  if (field.label === labelRepeated || !kind) {
    throw new SpecError(`${where}: key field ${inputName}.${name} must be a single string, integer, bool, enum or bytes value`);
  }
  return { name, number: field.number ?? 0, kind };
}

/** Every message of the file by full name (no leading dot), nested ones included. */
function messageDescriptors(file: FileDescriptor): Map<string, MessageDescriptor> {
  const byName = new Map<string, MessageDescriptor>();
  const walk = (scope: string, message: MessageDescriptor): void => {
    const name = scope ? `${scope}.${message.name ?? ""}` : (message.name ?? "");
    byName.set(name, message);
    for (const nested of message.nested_type ?? []) walk(name, nested);
  };
  for (const message of file.message_type ?? []) walk(file.package ?? "", message);
  return byName;
}

/** protoc writes `.pkg.Type`; a hand-made descriptor may write a name relative to the package. */
function fullTypeName(name: string, packageName: string): string {
  if (name.startsWith(".")) return name.slice(1);
  if (!name) return "";
  return packageName && !name.startsWith(`${packageName}.`) ? `${packageName}.${name}` : name;
}
