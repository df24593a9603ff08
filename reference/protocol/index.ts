export {
  type AnyPayload,
  type EntitySpec,
  type SnapshotOffer,
  type StreamIn,
  type StreamOut,
  ProtocolDecodeError,
  decodeEntitySpec,
  decodeStreamIn,
  decodeStreamOut,
  encodeEntitySpec,
  encodeStreamIn,
  encodeStreamOut,
  fileDescriptorProtoType,
  typeNameOf,
  typeUrlOf,
  typeUrlPrefix,
} from "./codec.js";
export { createEntityClient, type EntityClient, type EntityClientOptions, readyOf } from "./entity-client.js";
export { entityServiceDefinition, entityServiceName, handlePath, readyPath } from "./entity-service.js";
export { moduleExtension, packageRoot } from "./package-root.js";
export { type LoadProtosOptions, loadProtos, protoDir, protocolProtos } from "./proto-root.js";
export { FieldLabel, FieldType } from "./field-descriptor-type.js";
