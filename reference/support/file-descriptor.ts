import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import { FieldLabel, FieldType, fileDescriptorProtoType } from "../protocol/index.js";

/** The .proto file that defines a service: where protobufjs read it, and its name as imported. */
export interface ProtoFile {
  /** The path protobufjs loaded it from (reflection objects carry it as `filename`). */
  readonly path: string;
  /** The name other files import it by, relative to an include folder, e.g. `shoppingcart/shoppingcart.proto`. */
  readonly name: string;
}

/**
 * Encodes the complete `google.protobuf.FileDescriptorProto` of one file in a
 * resolved protobufjs Root, options included. protobufjs's own descriptor
 * extension drops custom options such as `(lightbend.serverless.entity_key)`,
 * which a backend needs to find entity keys, so the bytes are written here.
 */
export function buildFileDescriptorProto(root: protobuf.Root, file: ProtoFile): Uint8Array {
  const source = readFileSync(file.path, "utf8");
  // File-level facts protobufjs does not keep per file once several files share a Root.
  const parsed = protobuf.parse(source, { keepCase: true });
  const optionTypes = descriptorOptionTypes();
  const w = protobuf.Writer.create();

  w.uint32(tag(1, LEN)).string(file.name);
  if (parsed.package) w.uint32(tag(2, LEN)).string(parsed.package);
  for (const dependency of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) {
    w.uint32(tag(3, LEN)).string(dependency);
  }
  const topLevel = topLevelDefinitions(root, file.path);
  for (const type of topLevel.filter(isType)) writeMessage(w.uint32(tag(4, LEN)).fork(), type, optionTypes).ldelim();
  for (const e of topLevel.filter(isEnum)) writeEnum(w.uint32(tag(5, LEN)).fork(), e, optionTypes).ldelim();
  for (const service of topLevel.filter(isService)) {
    writeService(w.uint32(tag(6, LEN)).fork(), service, optionTypes).ldelim();
  }
  for (const extension of topLevel.filter(isExtension)) {
    writeField(w.uint32(tag(7, LEN)).fork(), extension, undefined, optionTypes).ldelim();
  }
  // protobufjs files options under the package namespace when they follow `package`.
  const packageNamespace = parsed.package ? parsed.root.lookup(parsed.package) : null;
  const fileOptions = { ...parsed.root.options, ...packageNamespace?.options };
  writeOptions(w, 8, fileOptions, optionTypes.file, root);
  const syntax = /^\s*syntax\s*=\s*["'](proto[23])["']/m.exec(source)?.[1];
  // protoc leaves syntax empty for proto2.
  if (syntax === "proto3") w.uint32(tag(12, LEN)).string(syntax);
  return w.finish();
}

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;
const tag = (field: number, wireType: number) => ((field << 3) | wireType) >>> 0;

interface OptionTypes {
  readonly file: protobuf.Type;
  readonly message: protobuf.Type;
  readonly field: protobuf.Type;
  readonly oneof: protobuf.Type;
  readonly enum: protobuf.Type;
  readonly enumValue: protobuf.Type;
  readonly service: protobuf.Type;
  readonly method: protobuf.Type;
}

function descriptorOptionTypes(): OptionTypes {
  const descriptorRoot = fileDescriptorProtoType().root;
  const options = (name: string) => descriptorRoot.lookupType(`google.protobuf.${name}Options`);
  return {
    file: options("File"),
    message: options("Message"),
    field: options("Field"),
    oneof: options("Oneof"),
    enum: options("Enum"),
    enumValue: options("EnumValue"),
    service: options("Service"),
    method: options("Method"),
  };
}

type Definition = protobuf.Type | protobuf.Enum | protobuf.Service | protobuf.Field;
const isType = (d: Definition): d is protobuf.Type => d instanceof protobuf.Type;
const isEnum = (d: Definition): d is protobuf.Enum => d instanceof protobuf.Enum;
const isService = (d: Definition): d is protobuf.Service => d instanceof protobuf.Service;
const isExtension = (d: Definition): d is protobuf.Field => d instanceof protobuf.Field && d.extend !== undefined;

/** Messages, enums, services and extensions declared at file level (inside packages, not inside messages). */
function topLevelDefinitions(root: protobuf.Root, path: string): Definition[] {
  const found: Definition[] = [];
  const visit = (namespace: protobuf.NamespaceBase) => {
    for (const nested of namespace.nestedArray) {
      if (nested instanceof protobuf.Type || nested instanceof protobuf.Enum || nested instanceof protobuf.Service) {
        if (nested.filename === path) found.push(nested);
      } else if (nested instanceof protobuf.Field) {
        if (nested.filename === path && nested.extend !== undefined) found.push(nested);
      } else if (nested instanceof protobuf.Namespace) {
        visit(nested);
      }
    }
  };
  visit(root);
  return found;
}

function writeMessage(w: protobuf.Writer, type: protobuf.Type, optionTypes: OptionTypes): protobuf.Writer {
  w.uint32(tag(1, LEN)).string(type.name);
  const mapEntries: { name: string; field: protobuf.MapField }[] = [];
  for (const field of type.fieldsArray) {
    let mapEntryName: string | undefined;
    if (field instanceof protobuf.MapField) {
      mapEntryName = mapEntryTypeName(field.name);
      mapEntries.push({ name: mapEntryName, field });
    }
    writeField(w.uint32(tag(2, LEN)).fork(), field, mapEntryName, optionTypes).ldelim();
  }
  for (const nested of type.nestedArray) {
    if (nested instanceof protobuf.Type) writeMessage(w.uint32(tag(3, LEN)).fork(), nested, optionTypes).ldelim();
  }
  // Maps are nested types named <Field>Entry with map_entry set, as protoc writes them.
  for (const entry of mapEntries) writeMapEntry(w.uint32(tag(3, LEN)).fork(), entry.name, entry.field).ldelim();
  for (const nested of type.nestedArray) {
    if (nested instanceof protobuf.Enum) writeEnum(w.uint32(tag(4, LEN)).fork(), nested, optionTypes).ldelim();
  }
  for (const nested of type.nestedArray) {
    if (nested instanceof protobuf.Field && nested.extend !== undefined) {
      writeField(w.uint32(tag(6, LEN)).fork(), nested, undefined, optionTypes).ldelim();
    }
  }
  writeOptions(w, 7, type.options, optionTypes.message, type);
  for (const oneof of type.oneofsArray) {
    const o = w.uint32(tag(8, LEN)).fork();
    o.uint32(tag(1, LEN)).string(oneof.name);
    writeOptions(o, 2, oneof.options, optionTypes.oneof, type);
    o.ldelim();
  }
  for (const reserved of type.reserved ?? []) {
    if (typeof reserved === "string") continue;
    // protobufjs keeps ranges inclusive; descriptors use an exclusive end.
    const r = w.uint32(tag(9, LEN)).fork();
    r.uint32(tag(1, VARINT)).int32(reserved[0] ?? 0);
    r.uint32(tag(2, VARINT)).int32((reserved[1] ?? 0) + 1);
    r.ldelim();
  }
  for (const reserved of type.reserved ?? []) {
    if (typeof reserved === "string") w.uint32(tag(10, LEN)).string(reserved);
  }
  return w;
}

function mapEntryTypeName(fieldName: string): string {
  const camel = fieldName.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return camel.charAt(0).toUpperCase() + camel.slice(1) + "Entry";
}

function writeMapEntry(w: protobuf.Writer, name: string, map: protobuf.MapField): protobuf.Writer {
  w.uint32(tag(1, LEN)).string(name);
  const key = w.uint32(tag(2, LEN)).fork();
  key.uint32(tag(1, LEN)).string("key").uint32(tag(3, VARINT)).int32(1);
  key.uint32(tag(4, VARINT)).int32(LABEL_OPTIONAL).uint32(tag(5, VARINT)).int32(scalarTypeNumber(map.keyType));
  key.uint32(tag(10, LEN)).string("key");
  key.ldelim();
  const value = w.uint32(tag(2, LEN)).fork();
  value.uint32(tag(1, LEN)).string("value").uint32(tag(3, VARINT)).int32(2);
  value.uint32(tag(4, VARINT)).int32(LABEL_OPTIONAL);
  writeFieldType(value, map.type, map.resolvedType);
  value.uint32(tag(10, LEN)).string("value");
  value.ldelim();
  // MessageOptions.map_entry = 7
  w.uint32(tag(7, LEN)).fork().uint32(tag(7, VARINT)).bool(true).ldelim();
  return w;
}

const LABEL_OPTIONAL = FieldLabel.optional;
const LABEL_REQUIRED = FieldLabel.required;
const LABEL_REPEATED = FieldLabel.repeated;
const TYPE_MESSAGE = FieldType.message;
const TYPE_ENUM = FieldType.enum;

/** protobufjs's scalar type names, by their descriptor numbers (messages, enums and groups are not scalars). */
const scalarTypes: Readonly<Record<string, number>> = Object.fromEntries(
  Object.entries(FieldType).filter(([name]) => name !== "message" && name !== "enum" && name !== "group"),
);

function scalarTypeNumber(type: string): number {
  const n = scalarTypes[type];
  if (n === undefined) throw new Error(`not a scalar protobuf type: ${type}`);
  return n;
}

function writeFieldType(w: protobuf.Writer, type: string, resolved: protobuf.Type | protobuf.Enum | null): void {
  if (resolved instanceof protobuf.Type) {
    w.uint32(tag(5, VARINT)).int32(TYPE_MESSAGE).uint32(tag(6, LEN)).string(resolved.fullName);
  } else if (resolved instanceof protobuf.Enum) {
    w.uint32(tag(5, VARINT)).int32(TYPE_ENUM).uint32(tag(6, LEN)).string(resolved.fullName);
  } else {
    w.uint32(tag(5, VARINT)).int32(scalarTypeNumber(type));
  }
}

/** Options that are fields of the descriptor itself rather than of FieldOptions. */
const fieldDescriptorOptions = new Set(["default", "json_name", "proto3_optional"]);

function writeField(
  w: protobuf.Writer,
  field: protobuf.Field,
  mapEntryName: string | undefined,
  optionTypes: OptionTypes,
): protobuf.Writer {
  w.uint32(tag(1, LEN)).string(field.name);
  if (field.extend !== undefined) {
    const extended = field.parent?.lookup(field.extend);
    const extendee = extended ? extended.fullName : field.extend.startsWith(".") ? field.extend : `.${field.extend}`;
    w.uint32(tag(2, LEN)).string(extendee);
  }
  w.uint32(tag(3, VARINT)).int32(field.id);
  const label = mapEntryName || field.repeated ? LABEL_REPEATED : field.required ? LABEL_REQUIRED : LABEL_OPTIONAL;
  w.uint32(tag(4, VARINT)).int32(label);
  if (mapEntryName !== undefined) {
    const parentName = field.parent?.fullName ?? "";
    w.uint32(tag(5, VARINT)).int32(TYPE_MESSAGE).uint32(tag(6, LEN)).string(`${parentName}.${mapEntryName}`);
  } else {
    writeFieldType(w, field.type, field.resolvedType);
  }
  const options = field.options ?? {};
  if (options["default"] !== undefined) w.uint32(tag(7, LEN)).string(String(options["default"]));
  const fieldOptions = Object.fromEntries(Object.entries(options).filter(([k]) => !fieldDescriptorOptions.has(k)));
  writeOptions(w, 8, fieldOptions, optionTypes.field, field.parent ?? field.root);
  if (field.partOf && field.parent instanceof protobuf.Type) {
    w.uint32(tag(9, VARINT)).int32(field.parent.oneofsArray.indexOf(field.partOf));
  }
  const jsonName = typeof options["json_name"] === "string" ? options["json_name"] : protocJsonName(field.name);
  w.uint32(tag(10, LEN)).string(jsonName);
  if (options["proto3_optional"] === true) w.uint32(tag(17, VARINT)).bool(true);
  return w;
}

/** The JSON name protoc records for a field: underscores dropped, the letter after each one upper-cased. */
function protocJsonName(name: string): string {
  let result = "";
  let upperNext = false;
  for (const char of name) {
    if (char === "_") upperNext = true;
    else {
      result += upperNext ? char.toUpperCase() : char;
      upperNext = false;
    }
  }
  return result;
}

function writeEnum(w: protobuf.Writer, e: protobuf.Enum, optionTypes: OptionTypes): protobuf.Writer {
  w.uint32(tag(1, LEN)).string(e.name);
  for (const [name, number] of Object.entries(e.values)) {
    const v = w.uint32(tag(2, LEN)).fork();
    v.uint32(tag(1, LEN)).string(name).uint32(tag(2, VARINT)).int32(number);
    writeOptions(v, 3, e.valuesOptions?.[name], optionTypes.enumValue, e);
    v.ldelim();
  }
  writeOptions(w, 3, e.options, optionTypes.enum, e);
  return w;
}

function writeService(w: protobuf.Writer, service: protobuf.Service, optionTypes: OptionTypes): protobuf.Writer {
  w.uint32(tag(1, LEN)).string(service.name);
  for (const method of service.methodsArray) {
    method.resolve();
    const m = w.uint32(tag(2, LEN)).fork();
    m.uint32(tag(1, LEN)).string(method.name);
    m.uint32(tag(2, LEN)).string(method.resolvedRequestType?.fullName ?? method.requestType);
    m.uint32(tag(3, LEN)).string(method.resolvedResponseType?.fullName ?? method.responseType);
    writeOptions(m, 4, method.options, optionTypes.method, service);
    if (method.requestStream) m.uint32(tag(5, VARINT)).bool(true);
    if (method.responseStream) m.uint32(tag(6, VARINT)).bool(true);
    m.ldelim();
  }
  writeOptions(w, 3, service.options, optionTypes.service, service);
  return w;
}

/**
 * Writes an options message as field `fieldNumber`, if there are options.
 * Standard options are fields of the descriptor's own XxxOptions type;
 * `(name)` options are extensions, looked up from where they are used.
 */
function writeOptions(
  w: protobuf.Writer,
  fieldNumber: number,
  options: Readonly<Record<string, unknown>> | undefined,
  optionsType: protobuf.Type,
  scope: protobuf.ReflectionObject,
): void {
  const entries = Object.entries(options ?? {}).filter(([, value]) => value !== undefined);
  if (entries.length === 0) return;
  const o = w.uint32(tag(fieldNumber, LEN)).fork();
  for (const [name, value] of entries) {
    const custom = /^\(\.?([^)]+)\)$/.exec(name);
    let field: protobuf.Field | null | undefined;
    if (custom) {
      const lookedUp = scopeLookup(scope, custom[1] ?? "");
      field = lookedUp instanceof protobuf.Field ? lookedUp : undefined;
    } else {
      field = optionsType.fields[name];
    }
    if (!field) {
      throw new Error(`cannot encode option "${name}" of ${scope.fullName || "file"}: unknown option or unsupported form`);
    }
    field.resolve();
    writeValue(o, field, value);
  }
  o.ldelim();
}

function scopeLookup(scope: protobuf.ReflectionObject, name: string): protobuf.ReflectionObject | null {
  // Namespace.lookup walks outwards to the root, which is how protoc resolves option names.
  const namespace: protobuf.NamespaceBase | null =
    scope instanceof protobuf.Namespace || scope instanceof protobuf.Root ? scope : scope.parent;
  return namespace ? namespace.lookup(name) : null;
}

function writeValue(w: protobuf.Writer, field: protobuf.Field, value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) writeValue(w, field, item);
    return;
  }
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) {
    const bytes = resolved.encode(resolved.fromObject(value as Record<string, unknown>)).finish();
    w.uint32(tag(field.id, LEN)).bytes(bytes);
    return;
  }
  if (resolved instanceof protobuf.Enum) {
    const number = typeof value === "number" ? value : resolved.values[String(value)];
    if (number === undefined) throw new Error(`option ${field.name}: ${String(value)} is not a value of ${resolved.fullName}`);
    w.uint32(tag(field.id, VARINT)).int32(number);
    return;
  }
  const v = value as number & string & boolean;
  switch (field.type) {
    case "bool":
      w.uint32(tag(field.id, VARINT)).bool(Boolean(value));
      return;
    case "int32":
      w.uint32(tag(field.id, VARINT)).int32(v);
      return;
    case "uint32":
      w.uint32(tag(field.id, VARINT)).uint32(v);
      return;
    case "sint32":
      w.uint32(tag(field.id, VARINT)).sint32(v);
      return;
    case "int64":
      w.uint32(tag(field.id, VARINT)).int64(v);
      return;
    case "uint64":
      w.uint32(tag(field.id, VARINT)).uint64(v);
      return;
    case "sint64":
      w.uint32(tag(field.id, VARINT)).sint64(v);
      return;
    case "fixed32":
      w.uint32(tag(field.id, I32)).fixed32(v);
      return;
    case "sfixed32":
      w.uint32(tag(field.id, I32)).sfixed32(v);
      return;
    case "float":
      w.uint32(tag(field.id, I32)).float(v);
      return;
    case "fixed64":
      w.uint32(tag(field.id, I64)).fixed64(v);
      return;
    case "sfixed64":
      w.uint32(tag(field.id, I64)).sfixed64(v);
      return;
    case "double":
      w.uint32(tag(field.id, I64)).double(v);
      return;
    case "string":
      w.uint32(tag(field.id, LEN)).string(String(value));
      return;
    case "bytes":
      w.uint32(tag(field.id, LEN)).bytes(value as Uint8Array | string);
      return;
    default:
      throw new Error(`option ${field.name}: unsupported type ${field.type}`);
  }
}
