import type { ServiceDefinition } from "@grpc/grpc-js";
import {
  decodeEntitySpec,
  decodeStreamIn,
  decodeStreamOut,
  encodeEntitySpec,
  encodeStreamIn,
  encodeStreamOut,
  type EntitySpec,
  type StreamIn,
  type StreamOut,
} from "./codec.js";

export const entityServiceName = "lightbend.serverless.Entity";
export const handlePath = `/${entityServiceName}/handle`;
export const readyPath = `/${entityServiceName}/ready`;

const empty = new Uint8Array(0);

/**
 * The `Entity` service for grpc-js, typed with the protocol's unions. A user
 * function serves it; a backend (or the TCK playing one) calls it.
 */
export const entityServiceDefinition = {
  handle: {
    path: handlePath,
    requestStream: true,
    responseStream: true,
    requestSerialize: (message: StreamIn) => Buffer.from(encodeStreamIn(message)),
    requestDeserialize: (bytes: Buffer) => decodeStreamIn(bytes),
    responseSerialize: (message: StreamOut) => Buffer.from(encodeStreamOut(message)),
    responseDeserialize: (bytes: Buffer) => decodeStreamOut(bytes),
    originalName: "handle",
  },
  ready: {
    path: readyPath,
    requestStream: false,
    responseStream: false,
    // google.protobuf.Empty: no fields, any bytes accepted.
    requestSerialize: (_: Record<string, never>) => Buffer.from(empty),
    requestDeserialize: (_: Buffer) => ({}) as Record<string, never>,
    responseSerialize: (spec: EntitySpec) => Buffer.from(encodeEntitySpec(spec)),
    responseDeserialize: (bytes: Buffer) => decodeEntitySpec(bytes),
    originalName: "ready",
  },
} satisfies ServiceDefinition;
