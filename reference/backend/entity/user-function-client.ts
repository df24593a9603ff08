import { credentials, makeGenericClientConstructor, type ClientDuplexStream } from "@grpc/grpc-js";
import { entityServiceDefinition, type StreamIn, type StreamOut } from "../../protocol/index.js";

/** Opens one `handle` stream to the user function. */
export type OpenEntityStream = () => ClientDuplexStream<StreamIn, StreamOut>;

export interface UserFunctionClient {
  readonly openStream: OpenEntityStream;
  close(): void;
}

const EntityClient = makeGenericClientConstructor(entityServiceDefinition, "Entity");

/**
 * A client for the user function's `Entity` service at `address` (`host:port`). A message
 * either way over `maxMessageBytes` ends its stream RESOURCE_EXHAUSTED (grpc-js checks a
 * message's length before reading it, so memory stays bounded by the limit).
 */
export function createUserFunctionClient(address: string, maxMessageBytes: number): UserFunctionClient {
  // A reply carries the response, its events and maybe a snapshot: it may well pass grpc-js's 4 MiB default.
  const client = new EntityClient(address, credentials.createInsecure(), {
    "grpc.max_receive_message_length": maxMessageBytes,
    "grpc.max_send_message_length": maxMessageBytes,
  });
  return {
    openStream: () => client["handle"]!() as ClientDuplexStream<StreamIn, StreamOut>,
    close: () => client.close(),
  };
}
