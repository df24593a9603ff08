import protobuf from "protobufjs";
import { loadProtos } from "../../protocol/index.js";
import { FieldType, labelRepeated, type EnumDescriptor, type FileDescriptor, type MessageDescriptor } from "./file-descriptor.js";
import { SpecError } from "./spec-error.js";

const scalarNames: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(FieldType)
    .filter(([name]) => name !== "group" && name !== "message" && name !== "enum")
    .map(([name, number]) => [number, name]),
);

/**
 * A protobufjs Root holding the user file's messages and enums, built from its
 * descriptor, beside the known imports it uses. It only ever *parses* requests
 * (wire check, key values): the backend forwards the bytes it received, so a
 * partial descriptor costs nothing but unchecked fields.
 */
export function buildRequestTypes(file: FileDescriptor, imports: readonly string[]): protobuf.Root {
  const root = imports.length > 0 ? loadProtos(imports) : new protobuf.Root();
  const packageName = file.package ?? "";
  const ns = packageName ? root.define(packageName) : root;
  try {
    for (const message of file.message_type ?? []) ns.add(messageType(message, 0));
    for (const e of file.enum_type ?? []) ns.add(enumType(e));
    root.resolveAll();
  } catch (error) {
    throw new SpecError(`the descriptor of ${file.name || "the user's proto"} cannot be built: ${(error as Error).message}`);
  }
  return root;
}

function messageType(message: MessageDescriptor, depth: number): protobuf.Type {
  if (depth > 64) throw new Error("message types nested too deeply");
  const type = new protobuf.Type(requireName(message.name, "message"));
  for (const field of message.field ?? []) {
    // Groups are left out: protobufjs skips their wire form as unknown fields.
    if (field.type === FieldType.group) continue;
    const typeName = scalarNames[field.type ?? 0] ?? field.type_name;
    if (!typeName) throw new Error(`field ${type.name}.${field.name} has neither a type nor a type name`);
    const rule = field.label === labelRepeated ? "repeated" : undefined;
    type.add(new protobuf.Field(requireName(field.name, "field"), field.number ?? 0, typeName, rule));
  }
  for (const nested of message.nested_type ?? []) type.add(messageType(nested, depth + 1));
  for (const e of message.enum_type ?? []) type.add(enumType(e));
  return type;
}

function enumType(descriptor: EnumDescriptor): protobuf.Enum {
  const values: Record<string, number> = {};
  for (const value of descriptor.value ?? []) values[requireName(value.name, "enum value")] = value.number ?? 0;
  // Aliases are legal in descriptors; protobufjs refuses duplicate numbers without this.
  return new protobuf.Enum(requireName(descriptor.name, "enum"), values, { allow_alias: true });
}

function requireName(name: string | undefined, what: string): string {
  if (!name) throw new Error(`a ${what} without a name`);
  return name;
}
