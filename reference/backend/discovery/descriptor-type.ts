import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import protobuf from "protobufjs";
import { protoDir } from "../../protocol/index.js";

let type: protobuf.Type | undefined;

/**
 * `google.protobuf.FileDescriptorProto` with the entity_key extension, field
 * names as in descriptor.proto. Parsed here from the .proto texts rather than
 * loaded by import path: once @grpc/proto-loader is in the process (the
 * reflection service brings it) it registers a camelCase descriptor.proto with
 * protobufjs under that path, and every later load by path gets that instead.
 */
export function fileDescriptorType(): protobuf.Type {
  if (type) return type;
  const require = createRequire(import.meta.url);
  const descriptorProto = join(dirname(require.resolve("protobufjs/package.json")), "google/protobuf/descriptor.proto");
  const root = new protobuf.Root();
  protobuf.parse(readFileSync(descriptorProto, "utf8"), root, { keepCase: true });
  protobuf.parse(readFileSync(join(protoDir, "lightbend/serverless/entitykey.proto"), "utf8"), root, { keepCase: true });
  root.resolveAll();
  type = root.lookupType("google.protobuf.FileDescriptorProto");
  return type;
}
