import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, isAbsolute, join } from "node:path";
import protobuf from "protobufjs";
import { packageRoot } from "./package-root.js";

/**
 * The project's `proto/` folder (protocol, entity key, samples and TCK protos), beside its
 * package.json: from source, from the build and from an installed package alike.
 */
export const protoDir: string = join(packageRoot(import.meta.url), "proto");

const require = createRequire(import.meta.url);
/** protobufjs ships descriptor.proto (not among its built-in "common" files). */
const protobufjsDir = dirname(require.resolve("protobufjs/package.json"));
const descriptorProto = "google/protobuf/descriptor.proto";

export interface LoadProtosOptions {
  /** Folders to resolve imports against, tried in order after `protoDir`. */
  readonly includeDirs?: readonly string[];
}

/**
 * Loads .proto files into one protobufjs Root, keeping field names as written
 * (snake_case stays snake_case, so key field names match the descriptor).
 * Imports resolve against the given include folders, then `proto/`, then the
 * well-known types protobufjs carries.
 */
export function loadProtos(files: readonly string[], options: LoadProtosOptions = {}): protobuf.Root {
  const includeDirs = [...(options.includeDirs ?? []), protoDir];
  const root = new protobuf.Root();
  // descriptor.proto is parsed from its text here, never taken from protobufjs's
  // shared "common" registry: @grpc/proto-loader registers a camelCase copy there
  // once loaded, which would turn field names like `type_name` into `typeName`.
  protobuf.parse(readFileSync(join(protobufjsDir, descriptorProto), "utf8"), root, { keepCase: true });
  root.files.push(descriptorProto);
  root.resolvePath = (origin: string, target: string): string | null => {
    if (isAbsolute(target)) return target;
    if (target === descriptorProto) return descriptorProto;
    if (target.startsWith("google/protobuf/")) {
      const shipped = join(protobufjsDir, target);
      if (existsSync(shipped)) return shipped;
      // any, empty, duration, … are protobufjs built-ins: resolved by name.
      if (target in protobuf.common) return target;
    }
    for (const dir of includeDirs) {
      const candidate = join(dir, target);
      if (existsSync(candidate)) return candidate;
    }
    if (origin) {
      const sibling = join(dirname(origin), target);
      if (existsSync(sibling)) return sibling;
    }
    return target;
  };
  root.loadSync([...files], { keepCase: true });
  root.resolveAll();
  return root;
}

let protocolRoot: protobuf.Root | undefined;

/** The protocol and entity key protos, loaded once. */
export function protocolProtos(): protobuf.Root {
  protocolRoot ??= loadProtos([
    "lightbend/serverless/protocol.proto",
    "lightbend/serverless/entitykey.proto",
    "google/protobuf/descriptor.proto",
  ]);
  return protocolRoot;
}
