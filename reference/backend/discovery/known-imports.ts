import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import protobuf from "protobufjs";
import descriptor from "protobufjs/ext/descriptor/index.js";
import { protoDir } from "../../protocol/index.js";

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
  return protobuf.common.get(name) !== null || sourceOf(name) !== undefined;
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

const require = createRequire(import.meta.url);
const protobufjsDir = dirname(require.resolve("protobufjs/package.json"));

/** The text of a .proto the backend knows as a file (not as protobufjs built-in JSON). */
function sourceOf(name: string): string | undefined {
  const path = name === entityKeyProtoName ? join(protoDir, name) : join(protobufjsDir, name);
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Adds a known file and its imports to `root`. Texts are parsed directly, not
 * loaded by path: @grpc/proto-loader re-registers some google/protobuf paths
 * with protobufjs as camelCase JSON, which a load by path would pick up.
 */
function addFile(root: protobuf.Root, name: string, seen: Set<string>): void {
  if (seen.has(name)) return;
  seen.add(name);
  const source = sourceOf(name);
  if (source === undefined) {
    const json = protobuf.common.get(name) as protobuf.INamespace | null;
    if (json?.nested) root.addJSON(snakeCaseFields(json).nested ?? {});
    return;
  }
  const parsed = protobuf.parse(source, root, { keepCase: true });
  for (const dependency of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) addFile(root, dependency, seen);
}

/**
 * protobufjs keeps its built-in well-known types with camelCase field names
 * (`nullValue`); the .proto files, and so protoc's descriptors, say `null_value`.
 */
function snakeCaseFields(json: protobuf.INamespace): protobuf.INamespace {
  const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  /** `container` says what `node` is: a map of field definitions, of oneofs, or anything else. */
  const convert = (node: unknown, container: "fields" | "oneofs" | "other"): unknown => {
    if (Array.isArray(node)) return node.map((item) => convert(item, "other"));
    if (node === null || typeof node !== "object") return node;
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => {
        if (container === "fields") return [snake(key), value];
        if (container === "oneofs") {
          const oneof = value as { oneof?: string[] };
          return [snake(key), { ...oneof, ...(oneof.oneof ? { oneof: oneof.oneof.map(snake) } : {}) }];
        }
        return [key, convert(value, key === "fields" ? "fields" : key === "oneofs" ? "oneofs" : "other")];
      }),
    );
  };
  return convert(json, "other") as protobuf.INamespace;
}

/** The full names of a file's top-level messages, enums and extensions. */
function topLevelNames(name: string): string[] {
  // Parsed alone, without its imports, so only its own definitions are found (nothing is resolved here).
  const alone = new protobuf.Root();
  const source = sourceOf(name);
  if (source !== undefined) protobuf.parse(source, alone, { keepCase: true });
  else addFile(alone, name, new Set());
  const names: string[] = [];
  const walk = (ns: protobuf.NamespaceBase): void => {
    for (const member of ns.nestedArray) {
      if (member instanceof protobuf.Type || member instanceof protobuf.Enum || member instanceof protobuf.Field) {
        names.push(member.fullName);
      } else if (member instanceof protobuf.Namespace && !(member instanceof protobuf.Service)) {
        walk(member);
      }
    }
  };
  walk(alone);
  return names;
}

function describeFile(name: string): KnownImport {
  const root = new protobuf.Root();
  addFile(root, name, new Set());
  root.resolveAll();
  const text = sourceOf(name);
  const syntax = text === undefined ? "proto3" : (/^\s*syntax\s*=\s*["'](proto[23])["']/m.exec(text)?.[1] ?? "proto2");
  const dependencies = [...(text ?? "").matchAll(/^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm)].map((m) => m[1] ?? "");
  const members = topLevelNames(name)
    .map((fullName) => root.lookup(fullName))
    .filter((o): o is protobuf.ReflectionObject => o !== null);
  const packageName = members[0]?.parent?.fullName.replace(/^\./, "") ?? "";
  const file = descriptor.FileDescriptorProto.create({ name, package: packageName, dependency: dependencies }) as Record<string, any>;
  if (syntax === "proto3") file["syntax"] = "proto3";
  for (const member of members) {
    if (member instanceof protobuf.Type) {
      const message = (member as any).toDescriptor(syntax);
      qualifyTypeNames(message, member);
      exclusiveRangeEnds(message);
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

/**
 * protobufjs keeps extension and reserved ranges with inclusive ends and writes
 * them so; a descriptor's ends are exclusive (`extensions 1000 to max` is
 * 1000..536870912). Reflection clients refuse the inclusive form.
 */
function exclusiveRangeEnds(message: Record<string, any>): void {
  for (const range of [...(message["extensionRange"] ?? []), ...(message["reservedRange"] ?? [])] as Record<string, number>[]) {
    range["end"] = (range["end"] ?? 0) + 1;
  }
  for (const nested of (message["nestedType"] ?? []) as Record<string, any>[]) exclusiveRangeEnds(nested);
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
