export { CommandFailure } from "./command-failure.js";
export type {
  Behavior,
  CommandContext,
  CommandHandler,
  EventHandler,
  EventSourcedEntityOptions,
  ProtoObject,
  SnapshotFormat,
} from "./entity-definition.js";
export { type EntitySession, type SessionStep, createEntitySession } from "./entity-session.js";
export { type DecodedEvent, type EntityMethod, type EventSourcedEntity, createEventSourcedEntity } from "./event-sourced-entity.js";
export { type ProtoFile, buildFileDescriptorProto } from "./file-descriptor.js";
export { type ProtocolLog, createProtocolLog, debugEnabled, debugNamespace } from "./protocol-log.js";
export { ProtocolViolation, type ViolationCode } from "./protocol-violation.js";
export { type RunningUserFunction, type ServeOptions, type ServeTls, defaultMaxReceiveMessageBytes, serve } from "./serve.js";
export { type ListenOptions, listenOptionsFrom } from "./listen-options.js";
