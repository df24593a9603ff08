import type { HandleStream } from "../drivers/user-function/handle-stream.js";
import { grpcCodeName } from "../drivers/user-function/transcript.js";
import type { KitContext } from "./kit-context.js";

/**
 * Statuses grpc-js makes up on the client side (connection refused, cancelled,
 * deadline): a down user function must not pass a "refuses the stream" check.
 */
export const transportCodes: ReadonlySet<number> = new Set([1, 4, 14]);

/** B3/B4/B5/C8: the user function ends the stream with an error status of its own. */
export async function expectEndsWithError(kit: KitContext, stream: HandleStream): Promise<void> {
  for (;;) {
    const next = await stream.next(kit.timeoutMs);
    if (next.kind === "timeout") kit.fail("the stream ends with an error status", `the stream still open after ${next.waitedMs} ms`);
    if (next.kind === "message") kit.fail("the stream ends with an error status", "a message instead");
    if (next.kind === "ended") {
      if (next.code === 0) kit.fail("the stream ends with an error status", "the stream completed with OK");
      if (transportCodes.has(next.code)) {
        kit.fail("the user function ends the stream with an error status", `${grpcCodeName(next.code)} (${next.details}): a transport condition, not the user function's verdict`);
      }
      return;
    }
  }
}
