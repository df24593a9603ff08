import * as grpc from "@grpc/grpc-js";

/** How one call to the backend ended, as the client saw it. */
export type CallOutcome =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly code: grpc.status; readonly codeName: string; readonly details: string };

export interface CallOptions {
  /** The call's deadline, from now. */
  readonly timeoutMs: number;
}

/**
 * A client of whatever service the backend serves, by path, with raw bytes in
 * and out: the kit encodes requests itself, so it knows exactly what it sent.
 */
export interface BackendClient {
  unary(path: string, request: Uint8Array, options: CallOptions): Promise<CallOutcome>;
  /** A client+server streaming call: sends every request, half-closes, collects the responses. */
  bidi(
    path: string,
    requests: readonly Uint8Array[],
    options: CallOptions,
  ): Promise<{ readonly responses: Uint8Array[]; readonly outcome: CallOutcome }>;
  close(): void;
}

const identity = (bytes: Buffer | Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export function statusName(code: number): string {
  return grpc.status[code] ?? `status ${code}`;
}

export function createBackendClient(target: string): BackendClient {
  const client = new grpc.Client(target, grpc.credentials.createInsecure(), {
    "grpc.max_receive_message_length": -1,
    "grpc.max_send_message_length": -1,
    // Each backend incarnation gets its own connections (no inherited backoff).
    "grpc.use_local_subchannel_pool": 1,
  });
  const failed = (error: grpc.ServiceError | grpc.StatusObject): CallOutcome => ({
    ok: false,
    code: error.code,
    codeName: statusName(error.code),
    details: error.details,
  });
  return {
    unary: (path, request, options) =>
      new Promise((resolve) => {
        client.makeUnaryRequest<Uint8Array, Buffer>(
          path,
          identity,
          identity,
          request,
          new grpc.Metadata(),
          { deadline: Date.now() + options.timeoutMs },
          (error, response) => resolve(error ? failed(error) : { ok: true, bytes: new Uint8Array(response ?? Buffer.alloc(0)) }),
        );
      }),
    bidi: (path, requests, options) =>
      new Promise((resolve) => {
        const call = client.makeBidiStreamRequest<Uint8Array, Buffer>(path, identity, identity, new grpc.Metadata(), {
          deadline: Date.now() + options.timeoutMs,
        });
        const responses: Uint8Array[] = [];
        call.on("data", (bytes: Buffer) => responses.push(new Uint8Array(bytes)));
        call.on("error", () => undefined);
        call.on("status", (status: grpc.StatusObject) =>
          resolve({ responses, outcome: status.code === grpc.status.OK ? { ok: true, bytes: new Uint8Array(0) } : failed(status) }),
        );
        for (const request of requests) call.write(request);
        call.end();
      }),
    close: () => client.close(),
  };
}
