import { status as grpcStatus } from "@grpc/grpc-js";
import type { StreamEnd } from "../../kit/protocol/protocol-invariants.js";
import type { StreamOutcome } from "../../kit/transcript/intercept-transcript.js";

/** A status as the user function's side of a call reports it. */
export interface EndStatus {
  readonly code: number;
  readonly details: string;
}

/** How a stream ended, settled once both sides are done. */
export interface SettledEnd {
  /** The backend's `end` was a half-close not yet acted on: record and forward it before the end. */
  readonly halfCloseFirst: boolean;
  readonly outcome: StreamOutcome;
  /** The gRPC status, as a line: `OK`, `CANCELLED`, `FAILED_PRECONDITION: bad stream`. */
  readonly status: string;
  /** What the protocol invariants are told (a cancel drops the last Reply's unconfirmed events). */
  readonly persistence: StreamEnd;
}

/**
 * How one intercepted `handle` stream ends, from what grpc-js reports, in whatever order it
 * reports it (sans-IO: the interceptor feeds it the events and acts on the answers).
 *
 * grpc-js emits the server call's `end` for the backend's half-close, and also, before
 * `cancelled`, when the backend cancels; it emits `cancelled` at the end of every server call,
 * also after the status went out. So a cancel is a `cancelled` that comes before the interceptor
 * forwarded the user function's status; an `end` is interpreted only after the I/O callback that
 * produced it (a cancel of the same teardown is seen by then) or at the stream's last event; and
 * the outcome is settled at that last event: the server call done and the user function's status in.
 */
export class StreamEndTracker {
  #backendEnded = false;
  #endInterpreted = false;
  #halfClosed = false;
  #cancelledByBackend = false;
  #statusForwarded = false;
  #serverDone = false;
  #upstream: EndStatus | undefined;
  #settled = false;
  #cutByInterceptor = false;

  get cancelledByBackend(): boolean {
    return this.#cancelledByBackend;
  }

  /** The server call's `end`: a half-close, or the first sign of a cancel. */
  backendEnded(): void {
    this.#backendEnded = true;
  }

  /**
   * Called once the I/O callback that produced `end` is done: true when that `end` is a half-close
   * to record and forward now (at most once; false after a cancel).
   */
  interpretEnd(): boolean {
    if (!this.#backendEnded || this.#endInterpreted || this.#settled) return false;
    this.#endInterpreted = true;
    if (this.#cancelledByBackend) return false;
    this.#halfClosed = true;
    return true;
  }

  /**
   * The server call's `cancelled`: true when it is a cancel (cancel the user function's side).
   * `byInterceptor`: the interceptor is cutting its open streams as it closes.
   */
  serverCancelled(byInterceptor = false): boolean {
    this.#serverDone = true;
    if (this.#statusForwarded || this.#cancelledByBackend) return false;
    this.#cancelledByBackend = true;
    this.#cutByInterceptor = byInterceptor;
    return true;
  }

  /** The server call's `close` (it can come before `cancelled` once a status went out). */
  serverClosed(): void {
    if (this.#statusForwarded) this.#serverDone = true;
  }

  /** The user function's status: true when it is to be forwarded to the backend (not after a cancel). */
  upstreamEnded(status: EndStatus): boolean {
    if (this.#upstream !== undefined) return false;
    this.#upstream = status;
    if (this.#cancelledByBackend) return false;
    this.#statusForwarded = true;
    return true;
  }

  /** Once both sides are done, how the stream ended (once); undefined before and after. */
  settle(): SettledEnd | undefined {
    if (this.#settled || !this.#serverDone || this.#upstream === undefined) return undefined;
    const halfCloseFirst = this.interpretEnd();
    this.#settled = true;
    const { code, details } = this.#upstream;
    const name = grpcStatus[code] ?? `code ${code}`;
    if (this.#cancelledByBackend) {
      const outcome = this.#cutByInterceptor ? "cut-by-interceptor-shutdown" : "cancelled-by-backend";
      return { halfCloseFirst, outcome, status: "CANCELLED", persistence: "cancelled" };
    }
    const outcome: StreamOutcome =
      code !== grpcStatus.OK ? "user-function-failed" : this.#halfClosed ? "completed" : "completed-by-user-function";
    return { halfCloseFirst, outcome, status: details && details !== name ? `${name}: ${details}` : name, persistence: "completed" };
  }
}
