import { ServerCredentials, type Server } from "@grpc/grpc-js";

/** A test's gRPC server, bound and started. */
export interface ListeningServer {
  readonly port: number;
  /** `host:port`, for a client. */
  readonly address: string;
  /**
   * Stops listening and drains: calls still open get `graceMs` to end (tryShutdown), then are cut
   * (forceShutdown). `0` cuts them at once, synchronously. Resolves once the server is down.
   */
  close(graceMs?: number): Promise<void>;
}

export interface ListenOptions {
  /** 127.0.0.1 when absent. */
  readonly host?: string;
  /** 0 (a port the system picks) when absent. */
  readonly port?: number;
}

/** How long close() lets open calls finish before it cuts them, when not told. */
export const defaultGraceMs = 2_000;

/**
 * The port-0 setup of the tests and test doubles: binds `server` (plaintext) on `host:port`
 * and hands back where it listens and a close() that drains, bounded, so a test's teardown
 * never hangs on a call the test left open.
 */
export async function listenAndDrain(server: Server, options: ListenOptions = {}): Promise<ListeningServer> {
  const host = options.host ?? "127.0.0.1";
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port ?? 0}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    port,
    address: `${host}:${port}`,
    close: (graceMs = defaultGraceMs) => {
      if (graceMs <= 0) {
        server.forceShutdown();
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}
