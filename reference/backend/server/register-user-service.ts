import type {
  Server,
  ServerDuplexStream,
  ServerReadableStream,
  ServerUnaryCall,
  ServerWritableStream,
  sendUnaryData,
} from "@grpc/grpc-js";
import type { UserMethod, UserService } from "../discovery/index.js";
import { BackendError, toServiceError } from "../errors/index.js";
import type { CommandDispatcher } from "./command-dispatcher.js";

// Bytes in, bytes out: the backend forwards what it does not need to understand.
const identity = (bytes: Buffer): Buffer => bytes;
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/**
 * Serves every method of the user's service on `server` with grpc-js
 * `register` (grpc-js looks handlers up per call, so this works on a server
 * that is already listening). Paths not registered get UNIMPLEMENTED from grpc-js.
 * Returns a function that unregisters them again.
 */
export function registerUserService(server: Server, service: UserService, dispatch: CommandDispatcher): () => void {
  const paths: string[] = [];
  for (const method of service.methods.values()) {
    const registered = registerMethod(server, method, dispatch);
    if (!registered) throw new Error(`a handler for ${method.path} is already registered`);
    paths.push(method.path);
  }
  return () => {
    for (const path of paths) server.unregister(path);
  };
}

function registerMethod(server: Server, method: UserMethod, dispatch: CommandDispatcher): boolean {
  if (!method.clientStreaming && !method.serverStreaming) {
    return server.register(method.path, unary(method, dispatch), identity, identity, "unary");
  }
  if (!method.clientStreaming) {
    return server.register(method.path, serverStreaming(method, dispatch), identity, identity, "serverStream");
  }
  if (!method.serverStreaming) {
    return server.register(method.path, clientStreaming(method, dispatch), identity, identity, "clientStream");
  }
  return server.register(method.path, bidiStreaming(method, dispatch), identity, identity, "bidi");
}

function unary(method: UserMethod, dispatch: CommandDispatcher) {
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    // A cancelled client does not cancel the command: it still completes against the entity.
    void dispatch(method, call.request).then(
      (reply) => callback(null, asBuffer(reply)),
      (error: unknown) => callback(toServiceError(error)),
    );
  };
}

/** One request, one command; its reply is the one message of the response stream. */
function serverStreaming(method: UserMethod, dispatch: CommandDispatcher) {
  return (call: ServerWritableStream<Buffer, Buffer>): void => {
    void dispatch(method, call.request).then(
      (reply) => {
        call.write(asBuffer(reply));
        call.end();
      },
      (error: unknown) => call.emit("error", toServiceError(error)),
    );
  };
}

/**
 * Each request message is a command for the entity of its own key, run in
 * arrival order; the response is the reply to the last one. The first failure
 * fails the call.
 */
function clientStreaming(method: UserMethod, dispatch: CommandDispatcher) {
  return (call: ServerReadableStream<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    const replies: Array<Promise<PromiseSettledResult<Uint8Array>>> = [];
    call.on("data", (request: Buffer) => {
      replies.push(settle(dispatch(method, request)));
    });
    call.on("end", () => {
      void Promise.all(replies).then((results) => {
        const failed = results.find((result) => result.status === "rejected");
        const last = results.at(-1);
        if (failed) callback(toServiceError(failed.reason));
        else if (last?.status === "fulfilled") callback(null, asBuffer(last.value));
        else callback(toServiceError(new BackendError("invalid_argument", `${method.name} received no request message`)));
      });
    });
  };
}

/**
 * Each request message is a command for the entity of its own key, started on
 * arrival; replies are written back in request order. The first failure ends
 * the call with its status.
 */
function bidiStreaming(method: UserMethod, dispatch: CommandDispatcher) {
  return (call: ServerDuplexStream<Buffer, Buffer>): void => {
    let written: Promise<void> = Promise.resolve();
    let failed = false;
    call.on("data", (request: Buffer) => {
      const reply = settle(dispatch(method, request));
      written = written.then(async () => {
        const result = await reply;
        if (failed || call.cancelled) return;
        if (result.status === "fulfilled") {
          call.write(asBuffer(result.value));
        } else {
          failed = true;
          call.emit("error", toServiceError(result.reason));
        }
      });
    });
    call.on("end", () => {
      void written.then(() => {
        if (!failed) call.end();
      });
    });
  };
}

function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
  return promise.then(
    (value) => ({ status: "fulfilled", value }),
    (reason: unknown) => ({ status: "rejected", reason }),
  );
}
