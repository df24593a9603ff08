import * as grpc from "@grpc/grpc-js";
import { createEntityClient, type EntitySpec, readyOf, type StreamIn, type StreamOut } from "../../../../reference/protocol/index.js";

/**
 * A hand-driven backend side for the instrumented user function's own tests:
 * opens `handle` streams, sends messages, and collects what comes back.
 */
export interface ScriptedStream {
  send(message: StreamIn): void;
  /** Resolves with the next message, or rejects when the stream ends or `ms` pass first. */
  next(ms?: number): Promise<StreamOut>;
  /** Resolves with how the stream ended (a status code), rejecting after `ms`. */
  ended(ms?: number): Promise<grpc.status>;
  complete(): void;
  cancel(): void;
}

export interface ScriptedBackend {
  ready(): Promise<EntitySpec>;
  open(): ScriptedStream;
  close(): void;
}

export function connectScriptedBackend(address: string): ScriptedBackend {
  // A private subchannel pool: a fresh client must not inherit another one's connection backoff.
  const client = createEntityClient(address, {
    channel: {
      "grpc.use_local_subchannel_pool": 1,
      "grpc.max_receive_message_length": -1,
      "grpc.max_send_message_length": -1,
    },
  });
  return {
    ready: () => readyOf(client, 5000),
    open: () => {
      const call = client.handle();
      const inbox: StreamOut[] = [];
      let status: grpc.status | undefined;
      const waiters = new Set<() => void>();
      const wake = () => waiters.forEach((w) => w());
      call.on("data", (m: StreamOut) => {
        inbox.push(m);
        wake();
      });
      call.on("status", (s: grpc.StatusObject) => {
        status = s.code;
        wake();
      });
      call.on("error", () => undefined);
      const waitFor = <T>(ready: () => T | undefined, ms: number, what: string) =>
        new Promise<T>((resolve, reject) => {
          const check = () => {
            const value = ready();
            if (value === undefined) return;
            clearTimeout(timer);
            waiters.delete(check);
            resolve(value);
          };
          const timer = setTimeout(() => {
            waiters.delete(check);
            reject(new Error(`timed out waiting for ${what}`));
          }, ms);
          waiters.add(check);
          check();
        });
      return {
        send: (m) => call.write(m),
        next: (ms = 2000) =>
          waitFor(
            () => {
              if (inbox.length > 0) return inbox.shift();
              if (status !== undefined) throw new Error(`stream ended with status ${status} instead of a message`);
              return undefined;
            },
            ms,
            "a message",
          ),
        ended: (ms = 2000) => waitFor(() => status, ms, "the stream to end"),
        complete: () => call.end(),
        cancel: () => call.cancel(),
      };
    },
    close: () => client.close(),
  };
}
