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

export interface ServeOptions {
  /** Default `0.0.0.0` (all interfaces, as the seed's library bound). */
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** Log protocol traffic; by default when the DEBUG variable enables `stateserv-event-sourcing`. */
  readonly debug?: boolean;
  /** Where debug lines go; standard error by default. */
  readonly writeLog?: (line: string) => void;
  /** How long `close()` waits for streams to end before cutting them, in ms. Default 5000. */
  readonly shutdownGraceMs?: number;
}

export async function serve<State>(entity: EventSourcedEntity<State>, options: ServeOptions = {}): Promise<RunningUserFunction> {
  const host = options.host ?? "0.0.0.0";
  const log = createProtocolLog(options.debug ?? debugEnabled(process.env["DEBUG"]), options.writeLog);
  const streams = new Set<EntityStream>();
  let streamCount = 0;
  let closing = false;

  // Snapshots and events can be large (the TCK sends several MiB); the backend is trusted, so no receive limit.
  const server = new grpc.Server({ "grpc.max_receive_message_length": -1 });
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
    server.bindAsync(`${bindHost}:${options.port ?? 8080}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
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
