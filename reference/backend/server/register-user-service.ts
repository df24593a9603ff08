import type { Server, ServerDuplexStream, ServerReadableStream, ServerUnaryCall, ServerWritableStream, sendUnaryData } from "@grpc/grpc-js";
import type { UserMethod, UserService } from "../discovery/index.js";
import type { ClientGoneSignal } from "../entity/entity-protocol.js";
import { BackendError, reportCallFailure } from "../errors/index.js";
import type { Logger } from "../logger.js";
import type { CommandDispatcher } from "./command-dispatcher.js";

// Bytes in, bytes out: the backend forwards what it does not need to understand.
const identity = (bytes: Buffer): Buffer => bytes;
const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

/** Routes requests, and turns failures into statuses (logged, with an error id where the log says more). */
interface Handling {
  readonly method: UserMethod;
  readonly dispatch: CommandDispatcher;
  readonly failure: (error: unknown) => ReturnType<typeof reportCallFailure>;
}

/**
 * Aborts when the call's client has gone: grpc-js emits "cancelled" for a cancel,
 * a passed deadline or a dropped connection, and once more after a normal end:
 * that one is ignored once the call has answered (`answered()`).
 *
 * An AbortSignal in shape, not an AbortController: building one per call (an
 * EventTarget, whose listeners take options objects) was a measurable share of
 * the backend's CPU. Listeners run once, in the order added, as an AbortSignal's do.
 */
class ClientGone implements ClientGoneSignal {
  aborted = false;
  private hasAnswered = false;
  /** Made on the first listener; a streaming call's commands each listen until they settle. */
  private listeners: Set<() => void> | undefined;

  constructor(call: { on(event: "cancelled", listener: () => void): unknown; readonly cancelled: boolean }) {
    if (call.cancelled) this.aborted = true;
    else call.on("cancelled", () => this.hasAnswered || this.abort());
  }

  addEventListener(_type: "abort", listener: () => void): void {
    if (!this.aborted) (this.listeners ??= new Set()).add(listener);
  }

  removeEventListener(_type: "abort", listener: () => void): void {
    this.listeners?.delete(listener);
  }

  /** Later "cancelled" events are no news. */
  answered(): void {
    this.hasAnswered = true;
  }

  private abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const listeners = this.listeners;
    this.listeners = undefined;
    for (const listener of listeners ?? []) {
      try {
        listener();
      } catch (error) {
        // As an EventTarget does: a listener's error is reported as uncaught, the others still run.
        process.nextTick(() => {
          throw error;
        });
      }
    }
  }
}

/**
 * Serves every method of the user's service on `server` with grpc-js
 * `register` (grpc-js looks handlers up per call, so this works on a server
 * that is already listening). Paths not registered get UNIMPLEMENTED from grpc-js.
 * Returns a function that unregisters them again.
 */
export function registerUserService(server: Server, service: UserService, dispatch: CommandDispatcher, logger: Logger): () => void {
  const paths: string[] = [];
  for (const method of service.methods.values()) {
    const handling: Handling = { method, dispatch, failure: (error) => reportCallFailure(error, logger, { method: method.path }) };
    const registered = registerMethod(server, handling);
    if (!registered) throw new Error(`a handler for ${method.path} is already registered`);
    paths.push(method.path);
  }
  return () => {
    for (const path of paths) server.unregister(path);
  };
}

function registerMethod(server: Server, handling: Handling): boolean {
  const { method } = handling;
  if (!method.clientStreaming && !method.serverStreaming) {
    return server.register(method.path, unary(handling), identity, identity, "unary");
  }
  if (!method.clientStreaming) {
    return server.register(method.path, serverStreaming(handling), identity, identity, "serverStream");
  }
  if (!method.serverStreaming) {
    return server.register(method.path, clientStreaming(handling), identity, identity, "clientStream");
  }
  return server.register(method.path, bidiStreaming(handling), identity, identity, "bidi");
}

function unary({ method, dispatch, failure }: Handling) {
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    // A client that goes while its command is queued takes the command out; once sent, it completes.
    const clientGone = new ClientGone(call);
    void dispatch(method, call.request, clientGone).then(
      (reply) => (clientGone.answered(), callback(null, asBuffer(reply))),
      (error: unknown) => (clientGone.answered(), callback(failure(error))),
    );
  };
}

/** One request, one command; its reply is the one message of the response stream. */
function serverStreaming({ method, dispatch, failure }: Handling) {
  return (call: ServerWritableStream<Buffer, Buffer>): void => {
    const clientGone = new ClientGone(call);
    void dispatch(method, call.request, clientGone).then(
      (reply) => {
        clientGone.answered();
        call.write(asBuffer(reply));
        call.end();
      },
      (error: unknown) => (clientGone.answered(), call.emit("error", failure(error))),
    );
  };
}

/**
 * Each request message is a command for the entity of its own key, run in
 * arrival order; the response is the reply to the last one. The first failure
 * fails the call.
 */
function clientStreaming({ method, dispatch, failure }: Handling) {
  return (call: ServerReadableStream<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    const replies: Array<Promise<PromiseSettledResult<Uint8Array>>> = [];
    const clientGone = new ClientGone(call);
    call.on("data", (request: Buffer) => {
      replies.push(settle(dispatch(method, request, clientGone)));
    });
    call.on("end", () => {
      void Promise.all(replies).then((results) => {
        const failed = results.find((result) => result.status === "rejected");
        const last = results.at(-1);
        if (failed) callback(failure(failed.reason));
        else if (last?.status === "fulfilled") callback(null, asBuffer(last.value));
        else callback(failure(new BackendError("invalid_argument", `${method.name} received no request message`)));
      });
    });
  };
}

/**
 * Each request message is a command for the entity of its own key, started on
 * arrival; replies are written back in request order. The first failure ends
 * the call with its status.
 */
function bidiStreaming({ method, dispatch, failure }: Handling) {
  return (call: ServerDuplexStream<Buffer, Buffer>): void => {
    let written: Promise<void> = Promise.resolve();
    let failed = false;
    const clientGone = new ClientGone(call);
    call.on("data", (request: Buffer) => {
      const reply = settle(dispatch(method, request, clientGone));
      written = written.then(async () => {
        const result = await reply;
        if (failed || call.cancelled) return;
        if (result.status === "fulfilled") {
          call.write(asBuffer(result.value));
        } else {
          failed = true;
          call.emit("error", failure(result.reason));
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
