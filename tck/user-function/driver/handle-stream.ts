import type { ClientDuplexStream, ServiceError } from "@grpc/grpc-js";
import type { StreamIn, StreamOut } from "../../../reference/protocol/index.js";
import type { Transcript } from "../../kit/transcript/transcript.js";

/** What the user function did next on a stream, as far as the kit can tell within its timeout. */
export type Observation =
  | { readonly kind: "message"; readonly message: StreamOut }
  /** The user function completed or failed its side; `code` 0 is a clean completion. */
  | { readonly kind: "ended"; readonly code: number; readonly details: string }
  | { readonly kind: "timeout"; readonly waitedMs: number };

/**
 * One `handle` call, with the kit as the backend. Every read is bounded: a
 * silent user function yields a `timeout` observation, never a hung kit.
 */
export class HandleStream {
  readonly #call: ClientDuplexStream<StreamIn, StreamOut>;
  readonly #transcript: Transcript;
  readonly #queue: Observation[] = [];
  readonly #waiters: Array<(o: Observation) => void> = [];
  #end: Observation | undefined;
  #halfClosed = false;

  constructor(
    readonly label: string,
    call: ClientDuplexStream<StreamIn, StreamOut>,
    transcript: Transcript,
  ) {
    this.#call = call;
    this.#transcript = transcript;
    transcript.record({ stream: label, kind: "opened" });
    call.on("data", (message: StreamOut) => {
      transcript.record({ stream: label, kind: "received", message });
      this.#push({ kind: "message", message });
    });
    call.on("error", (error: ServiceError) => this.#ended(error.code ?? 2, error.details ?? error.message));
    call.on("status", (status: { code: number; details: string }) => {
      if (status.code === 0) this.#ended(0, status.details);
    });
  }

  get ended(): Observation | undefined {
    return this.#end;
  }

  /** Messages that arrived but no step has looked at: answers nobody asked for. */
  get unread(): readonly StreamOut[] {
    return this.#queue.flatMap((o) => (o.kind === "message" ? [o.message] : []));
  }

  send(message: StreamIn): void {
    this.#transcript.record({ stream: this.label, kind: "sent", message });
    if (this.#end || this.#halfClosed) return;
    this.#call.write(message);
  }

  /** The next observation, waiting at most `timeoutMs`. */
  next(timeoutMs: number): Promise<Observation> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#end) return Promise.resolve(this.#end);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const index = this.#waiters.indexOf(deliver);
        if (index >= 0) this.#waiters.splice(index, 1);
        resolve({ kind: "timeout", waitedMs: timeoutMs });
      }, timeoutMs);
      const deliver = (o: Observation) => {
        clearTimeout(timer);
        resolve(o);
      };
      this.#waiters.push(deliver);
    });
  }

  /** Everything that arrives within `ms` (used to check that nothing is sent). */
  async collectFor(ms: number): Promise<Observation[]> {
    const seen: Observation[] = [];
    const until = performance.now() + ms;
    for (;;) {
      const left = until - performance.now();
      if (left <= 0) return seen;
      const o = await this.next(left);
      if (o.kind === "timeout") return seen;
      seen.push(o);
      if (o.kind === "ended") return seen;
    }
  }

  /** The backend has nothing more to send (as a passivating backend does). */
  halfClose(): void {
    if (this.#halfClosed || this.#end) return;
    this.#halfClosed = true;
    this.#transcript.record({ stream: this.label, kind: "half-closed" });
    this.#call.end();
  }

  /** Tears the call down; safe to call at any time, any number of times. */
  cancel(): void {
    if (this.#end) return;
    this.#transcript.record({ stream: this.label, kind: "cancelled" });
    this.#end = { kind: "ended", code: 1, details: "cancelled by the kit" };
    this.#call.cancel();
  }

  #push(o: Observation): void {
    const waiter = this.#waiters.shift();
    if (waiter) waiter(o);
    else this.#queue.push(o);
  }

  #ended(code: number, details: string): void {
    if (this.#end) return;
    const end: Observation = { kind: "ended", code, details };
    this.#end = end;
    this.#transcript.record({ stream: this.label, kind: "ended", code, details });
    // Later reads see the end after any messages still queued.
    for (const waiter of this.#waiters.splice(0)) waiter(end);
  }
}
