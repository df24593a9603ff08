import { createEntityClient, type EntityClient } from "../../../reference/protocol/index.js";
import { HandleStream } from "./handle-stream.js";
import { Transcript } from "../../kit/transcript/transcript.js";
import type { ReadyResult } from "../../kit/protocol/ready-result.js";

export type { ReadyResult };

export interface UserFunctionDriverOptions {
  /** `host:port` of the user function under test. */
  readonly target: string;
  /** Bound on every wait for the user function. */
  readonly timeoutMs: number;
  readonly transcript?: Transcript;
}

/**
 * The kit playing the backend against one user function: discovery through
 * `ready()`, entities through `handle` streams, everything recorded.
 */
export interface UserFunctionDriver {
  readonly transcript: Transcript;
  readonly timeoutMs: number;
  ready(): Promise<ReadyResult>;
  openStream(label: string): HandleStream;
  /** Every stream opened so far, in order. */
  readonly streams: readonly HandleStream[];
  /** Cancels every stream still open and closes the channel. */
  close(): void;
}

export function createUserFunctionDriver(options: UserFunctionDriverOptions): UserFunctionDriver {
  return new UserFunctionDriverImpl(options);
}

class UserFunctionDriverImpl implements UserFunctionDriver {
  readonly transcript: Transcript;
  readonly timeoutMs: number;
  readonly #client: EntityClient;
  readonly #streams: HandleStream[] = [];

  get streams(): readonly HandleStream[] {
    return this.#streams;
  }

  constructor(options: UserFunctionDriverOptions) {
    this.transcript = options.transcript ?? new Transcript();
    this.timeoutMs = options.timeoutMs;
    // Unlimited like the backend: a user function's big replies must not be cut off by the 4 MiB default.
    this.#client = createEntityClient(options.target, {
      channel: { "grpc.max_receive_message_length": -1, "grpc.max_send_message_length": -1 },
    });
  }

  ready(): Promise<ReadyResult> {
    return new Promise((resolve) => {
      this.#client.ready({}, { deadline: Date.now() + this.timeoutMs }, (error, spec) => {
        if (error || !spec) {
          const code = error?.code ?? 2;
          const details = error?.details ?? "no EntitySpec";
          this.transcript.record({ stream: "ready", kind: "ready-failed", code, details });
          resolve({ ok: false, code, details });
        } else {
          this.transcript.record({ stream: "ready", kind: "ready", spec });
          resolve({ ok: true, spec });
        }
      });
    });
  }

  openStream(label: string): HandleStream {
    const call = this.#client.handle();
    const stream = new HandleStream(label, call, this.transcript);
    this.#streams.push(stream);
    return stream;
  }

  close(): void {
    for (const stream of this.#streams.splice(0)) stream.cancel();
    this.#client.close();
  }
}
