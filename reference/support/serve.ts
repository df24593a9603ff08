import * as grpc from "@grpc/grpc-js";
import { entityServiceDefinition, type EntitySpec, type StreamIn, type StreamOut } from "../protocol/index.js";
import { createEntitySession } from "./entity-session.js";
import type { EventSourcedEntity } from "./event-sourced-entity.js";
import { createProtocolLog, debugEnabled } from "./protocol-log.js";
import { driveEntityStream, type EntityStream } from "./stream-driver.js";

/** A user function serving the `Entity` service. */
export interface RunningUserFunction {
  /** The host it is bound to. */
  readonly host: string;
  /** The port it listens on (the real one when 0 was asked for). */
  readonly port: number;
  /** `host:port` to connect to (a wildcard bind host is given as loopback). */
  readonly address: string;
  /** Stops accepting streams, lets each open stream finish its current message and end, then stops. */
  close(): Promise<void>;
}

/** Server TLS for the backend → user function link: PEM texts (or their bytes). */
export interface ServeTls {
  /** The certificate chain the user function presents. */
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
  /** Set: mutual TLS, a client (the backend) must present a certificate signed by one of these CAs. */
  readonly clientCa?: string | Buffer;
}

export interface ServeOptions {
  /** Default `127.0.0.1` (loopback: the backend beside it); `0.0.0.0` for all interfaces (a pod). */
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Log protocol traffic; by default when the DEBUG variable enables `stateserv-event-sourcing`. */
  readonly debug?: boolean;
  /** Where debug lines go; standard error by default. */
  readonly writeLog?: (line: string) => void;
  /** How long `close()` waits for streams to end before cutting them, in ms. Default 5000. */
  readonly shutdownGraceMs?: number;
  /** Serve over TLS (and, with `clientCa`, mutual TLS) instead of plaintext. */
  readonly tls?: ServeTls;
  /**
   * Largest message accepted from the backend, in bytes (default 16 MiB, as the backend's
   * link limit); a larger one ends its stream RESOURCE_EXHAUSTED, decided from its length prefix.
   */
  readonly maxReceiveMessageBytes?: number;
}

/** The default of `maxReceiveMessageBytes`: room for the TCK's 1 MiB events and snapshots (E6/F6). */
export const defaultMaxReceiveMessageBytes = 16 * 1024 * 1024;

export async function serve<State>(entity: EventSourcedEntity<State>, options: ServeOptions = {}): Promise<RunningUserFunction> {
  const host = options.host ?? "127.0.0.1";
  const maxReceive = options.maxReceiveMessageBytes ?? defaultMaxReceiveMessageBytes;
  if (!Number.isSafeInteger(maxReceive) || maxReceive < 1024 || maxReceive > 2 ** 31 - 1) {
    throw new Error(`maxReceiveMessageBytes must be a whole number of bytes from 1024 to ${2 ** 31 - 1}, got ${maxReceive}`);
  }
  const log = createProtocolLog(options.debug ?? debugEnabled(process.env["DEBUG"]), options.writeLog);
  const streams = new Set<EntityStream>();
  let streamCount = 0;
  let closing = false;

  // Snapshots and events can be large (the TCK sends 1-2 MiB): the default leaves room, and still bounds memory.
  const server = new grpc.Server({ "grpc.max_receive_message_length": maxReceive });
  server.addService(entityServiceDefinition, {
    handle(call: grpc.ServerDuplexStream<StreamIn, StreamOut>) {
      const number = ++streamCount;
      log.note(number, "opened");
      const stream = driveEntityStream(call, createEntitySession(entity), log, number);
      streams.add(stream);
      void stream.done.then(() => streams.delete(stream));
      if (closing) void stream.drain();
    },
    ready(_call: grpc.ServerUnaryCall<Record<string, never>, EntitySpec>, callback: grpc.sendUnaryData<EntitySpec>) {
      callback(null, entity.spec);
    },
  });

  const port = await new Promise<number>((resolve, reject) => {
    const bindHost = host.includes(":") ? `[${host}]` : host;
    server.bindAsync(`${bindHost}:${options.port ?? 8080}`, serverCredentials(options.tls), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
  const connectHost = host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  const address = connectHost.includes(":") ? `[${connectHost}]:${port}` : `${connectHost}:${port}`;

  let closed: Promise<void> | undefined;
  return {
    host,
    port,
    address,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing = true;
        // A handler that never settles must not keep close() waiting forever.
        const grace = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, options.shutdownGraceMs ?? 5000);
        void Promise.all([...streams].map((stream) => stream.drain())).then(() =>
          server.tryShutdown(() => {
            clearTimeout(grace);
            resolve();
          }),
        );
      });
      return closed;
    },
  };
}

function serverCredentials(tls: ServeTls | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  const pem = (value: string | Buffer) => (typeof value === "string" ? Buffer.from(value) : value);
  return grpc.ServerCredentials.createSsl(
    tls.clientCa === undefined ? null : pem(tls.clientCa),
    [{ cert_chain: pem(tls.cert), private_key: pem(tls.key) }],
    tls.clientCa !== undefined,
  );
}
