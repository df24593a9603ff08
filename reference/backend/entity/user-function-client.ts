import { credentials, makeGenericClientConstructor, type ClientDuplexStream } from "@grpc/grpc-js";
import { entityServiceDefinition, type StreamIn, type StreamOut } from "../../protocol/index.js";

/** Opens one `handle` stream to the user function. */
export type OpenEntityStream = () => ClientDuplexStream<StreamIn, StreamOut>;

export interface UserFunctionClient {
  readonly openStream: OpenEntityStream;
  close(): void;
}

const EntityClient = makeGenericClientConstructor(entityServiceDefinition, "Entity");

/** A client for the user function's `Entity` service at `address` (`host:port`). */
export function createUserFunctionClient(address: string): UserFunctionClient {
  // A reply carries the response, its events and maybe a snapshot: it may well pass grpc-js's 4 MiB default.
  const client = new EntityClient(address, credentials.createInsecure(), {
    "grpc.max_receive_message_length": -1,
    "grpc.max_send_message_length": -1,
  });
  return {
    openStream: () => client["handle"]!() as ClientDuplexStream<StreamIn, StreamOut>,
    close: () => client.close(),
  };
}
