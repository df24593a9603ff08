import {
  credentials as grpcCredentials,
  makeGenericClientConstructor,
  type CallOptions,
  type ChannelCredentials,
  type Client,
  type ClientDuplexStream,
  type ClientOptions,
  type ClientUnaryCall,
  type Metadata,
  type ServiceError,
} from "@grpc/grpc-js";
import type { EntitySpec, StreamIn, StreamOut } from "./codec.js";
import { entityServiceDefinition } from "./entity-service.js";

type ReadyCallback = (error: ServiceError | null, spec?: EntitySpec) => void;

/** A grpc-js client of the `Entity` service, typed with the protocol's messages (what a backend calls). */
export interface EntityClient extends Client {
  ready(request: Record<string, never>, callback: ReadyCallback): ClientUnaryCall;
  ready(request: Record<string, never>, options: CallOptions, callback: ReadyCallback): ClientUnaryCall;
  ready(request: Record<string, never>, metadata: Metadata, options: CallOptions, callback: ReadyCallback): ClientUnaryCall;
  handle(options?: CallOptions): ClientDuplexStream<StreamIn, StreamOut>;
  handle(metadata: Metadata, options?: CallOptions): ClientDuplexStream<StreamIn, StreamOut>;
}

const EntityClientConstructor = makeGenericClientConstructor(entityServiceDefinition, "Entity");

export interface EntityClientOptions {
  /** Plaintext when absent. */
  readonly credentials?: ChannelCredentials;
  /** grpc-js channel options (message size limits, a private subchannel pool, …). */
  readonly channel?: ClientOptions;
}

/** The one place an `Entity` client is built: every backend side (the reference backend, the kit, the tests) goes through it. */
export function createEntityClient(address: string, options: EntityClientOptions = {}): EntityClient {
  return new EntityClientConstructor(
    address,
    options.credentials ?? grpcCredentials.createInsecure(),
    options.channel,
  ) as unknown as EntityClient;
}

/** `ready()` as a promise, bounded by `deadlineMs` when given. */
export function readyOf(client: EntityClient, deadlineMs?: number): Promise<EntitySpec> {
  const options: CallOptions = deadlineMs === undefined ? {} : { deadline: Date.now() + deadlineMs };
  return new Promise((resolve, reject) =>
    client.ready({}, options, (error, spec) =>
      error ? reject(error) : spec ? resolve(spec) : reject(new Error("ready() gave no EntitySpec")),
    ),
  );
}
