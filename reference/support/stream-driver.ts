import * as grpc from "@grpc/grpc-js";
import type { StreamIn, StreamOut } from "../protocol/index.js";
import type { EntitySession, SessionStep } from "./entity-session.js";
import type { ProtocolLog } from "./protocol-log.js";
import type { ViolationCode } from "./protocol-violation.js";

/** A running `handle` stream, as its server sees it. */
export interface EntityStream {
  /** Finishes the message being processed, then ends the stream (OK status); later messages are ignored. */
  drain(): Promise<void>;
  /** Settles when the stream is over, however it ended. */
  readonly done: Promise<void>;
}

const statusOf: Record<ViolationCode, grpc.status> = {
  "failed-precondition": grpc.status.FAILED_PRECONDITION,
  "invalid-argument": grpc.status.INVALID_ARGUMENT,
  internal: grpc.status.INTERNAL,
};

/**
 * Connects one grpc-js duplex call to a session: inbound messages go to the
 * session strictly one after another, its answers go out in the same order,
 * a violation ends the call with an error status.
 */
export function driveEntityStream(
  call: grpc.ServerDuplexStream<StreamIn, StreamOut>,
  session: EntitySession,
  log: ProtocolLog,
  streamNumber: number,
): EntityStream {
  let finished = false;
  let draining = false;
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  // Every message's processing hangs off this chain, so there is never a floating promise.
  let tail: Promise<void> = Promise.resolve();

  const finish = (status?: { code: grpc.status; details: string }) => {
    if (finished) return;
    finished = true;
    if (status) {
      log.note(streamNumber, `ends with ${grpc.status[status.code]}: ${status.details}`);
      call.emit("error", status);
    } else {
      log.note(streamNumber, "ends");
      call.end();
    }
    resolveDone();
  };

  /** Work enqueued and not yet done: while there is some, a new message waits its turn. */
  let queued = 0;

  const internalError = (error: unknown) =>
    finish({ code: grpc.status.INTERNAL, details: `user function error: ${(error as Error).message ?? String(error)}` });

  const act = (step: SessionStep) => {
    if (finished) return;
    if (step.kind === "violation") {
      finish({ code: statusOf[step.violation.code], details: step.violation.message });
      return;
    }
    for (const out of step.send) {
      log.outbound(streamNumber, out);
      call.write(out);
    }
  };

  const process = async (message: StreamIn) => {
    if (finished) return;
    log.inbound(streamNumber, message);
    act(await session.receive(message));
  };

  const enqueue = (work: () => Promise<void>) => {
    queued++;
    tail = tail
      .then(work)
      .catch(internalError)
      .then(() => void queued--);
  };

  call.on("data", (message: StreamIn) => {
    if (draining) return;
    // Nothing ahead of it and no waiting needed (Init, every replayed Event): processed at once,
    // with no promise per message, in the same order as the queue would.
    if (queued === 0 && !finished) {
      try {
        const step = session.receiveNow(message);
        if (step) {
          log.inbound(streamNumber, message);
          act(step);
          return;
        }
      } catch (error) {
        internalError(error);
        return;
      }
    }
    enqueue(() => process(message));
  });
  // The backend half-closed: answer what is queued, then complete our side.
  call.on("end", () => enqueue(async () => finish()));
  const abandon = () => {
    if (finished) return;
    finished = true;
    log.note(streamNumber, "cancelled by the backend");
    resolveDone();
  };
  call.on("cancelled", abandon);
  call.on("error", abandon);
  call.on("close", abandon);

  return {
    done,
    drain() {
      draining = true;
      enqueue(async () => finish());
      return done;
    },
  };
}
