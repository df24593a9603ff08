import { readFileSync } from "node:fs";
import protobuf from "protobufjs";
import descriptor from "protobufjs/ext/descriptor/index.js";
import { loadProtos } from "../../protocol/index.js";

/** The import path of the entity key extension, exactly as user protos write it. */
export const entityKeyProtoName = "lightbend/serverless/entitykey.proto";

/** A .proto file the backend knows, for resolving a user's imports and for reflection. */
export interface KnownImport {
  readonly name: string;
  /** Its encoded FileDescriptorProto. */
  readonly descriptor: Uint8Array;
  readonly dependencies: readonly string[];
}

/**
 * Whether the backend knows an import: the well-known google/protobuf files
 * protobufjs carries, and the entity key extension. Nothing else, so a user
 * proto importing its own files is refused at startup with the file named.
 */
export function isKnownImport(name: string): boolean {
  if (name === entityKeyProtoName) return true;
  if (!/^google\/protobuf\/[a-z_]+\.proto$/.test(name)) return false;
  return name in protobuf.common || shippedSource(name) !== undefined;
}

const cache = new Map<string, KnownImport>();

/** The known import `name` with everything it imports, transitively, dependencies first. */
export function knownImportClosure(names: readonly string[]): KnownImport[] {
  const seen = new Set<string>();
  const ordered: KnownImport[] = [];
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const known = knownImport(name);
    for (const dependency of known.dependencies) visit(dependency);
    ordered.push(known);
  };
  for (const name of names) visit(name);
  return ordered;
}

export function knownImport(name: string): KnownImport {
  let known = cache.get(name);
  if (!known) {
    if (!isKnownImport(name)) throw new Error(`not a known import: ${name}`);
    known = describeFile(name);
    cache.set(name, known);
  }
  return known;
}

function shippedSource(name: string): string | undefined {
  try {
    return readFileSync(new URL(`../../../node_modules/protobufjs/${name}`, import.meta.url), "utf8");
  } catch {
    return undefined;
  }
}

function describeFile(name: string): KnownImport {
  const root = loadProtos([name]);
  const source = name === entityKeyProtoName ? undefined : shippedSource(name);
  let text = source;
  let syntax = "proto3";
  let members: protobuf.ReflectionObject[];
  if (name === entityKeyProtoName || source !== undefined) {
    text ??= readFileSync(root.files.find((f) => f.endsWith(name)) ?? name, "utf8");
    syntax = /^\s*syntax\s*=\s*["'](proto[23])["']/m.exec(text)?.[1] ?? "proto2";
    members = definedIn(root, (file) => file.endsWith(name));
  } else {
    // Built into protobufjs as JSON, without a file name: its top-level names are the JSON's.
    const json = protobuf.common.get(name) as { nested?: Record<string, { nested?: Record<string, { nested?: object }> }> };
    const topLevel = Object.keys(json.nested?.["google"]?.nested?.["protobuf"]?.nested ?? {});
    members = topLevel.map((n) => root.lookup(`google.protobuf.${n}`)).filter((o): o is protobuf.ReflectionObject => o !== null);
  }
  const dependencies = [...(text ?? "").matchAll(/^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm)].map((m) => m[1] ?? "");
  const packageName = members[0]?.parent?.fullName.replace(/^\./, "") ?? "";
  const file = descriptor.FileDescriptorProto.create({ name, package: packageName, dependency: dependencies }) as Record<string, any>;
  if (syntax === "proto3") file["syntax"] = "proto3";
  for (const member of members) {
    if (member instanceof protobuf.Type) {
      const message = (member as any).toDescriptor(syntax);
      qualifyTypeNames(message, member);
      file["messageType"].push(message);
    } else if (member instanceof protobuf.Enum) {
      file["enumType"].push((member as any).toDescriptor());
    } else if (member instanceof protobuf.Field) {
      const extension = (member as any).toDescriptor(syntax);
      if (extension.extendee && !extension.extendee.startsWith(".")) extension.extendee = `.${extension.extendee}`;
      file["extension"].push(extension);
    }
  }
  const bytes = descriptor.FileDescriptorProto.encode(file as any).finish();
  return { name, descriptor: Uint8Array.from(bytes), dependencies };
}

/** Top-level definitions (messages, enums, extensions) that came from one file. */
function definedIn(root: protobuf.Root, isFile: (file: string) => boolean): protobuf.ReflectionObject[] {
  const found: protobuf.ReflectionObject[] = [];
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const member of ns.nestedArray) {
      if (member instanceof protobuf.Type || member instanceof protobuf.Enum || member instanceof protobuf.Field) {
        if (member.filename && isFile(member.filename)) found.push(member);
      } else if (member instanceof protobuf.Namespace && !(member instanceof protobuf.Service)) {
        walk(member);
      }
    }
  };
  walk(root);
  return found;
}

/**
 * protobufjs writes type references relative to their scope; protoc writes them
 * fully qualified with a leading dot, which is what reflection clients expect.
 */
function qualifyTypeNames(message: Record<string, any>, scope: protobuf.Type): void {
  const nestedTypes = message["nestedType"] as Record<string, any>[];
  for (const field of message["field"] as Record<string, any>[]) {
    const typeName = field["typeName"] as string | undefined;
    if (!typeName || typeName.startsWith(".")) continue;
    const mapEntry = nestedTypes.find((n) => n["name"] === typeName && n["options"]?.["mapEntry"]);
    if (mapEntry) {
      // protoc names a map's entry type `<Field>Entry`; protobufjs leaves off the suffix.
      mapEntry["name"] = `${typeName}Entry`;
      field["typeName"] = `${scope.fullName}.${typeName}Entry`;
      qualifyTypeNames(mapEntry, scope);
      continue;
    }
    field["typeName"] = scope.lookupTypeOrEnum(typeName).fullName;
  }
  for (const nested of nestedTypes) {
    const nestedType = scope.get(nested["name"] as string);
    if (nestedType instanceof protobuf.Type) qualifyTypeNames(nested, nestedType);
  }
}
