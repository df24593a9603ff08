import type { HandleStream } from "../driver/handle-stream.js";
import { grpcCodeName } from "../../kit/transcript/transcript.js";
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
    if (next.kind === "message") {
      const m = next.message;
      const what =
        m.case === "reply"
          ? `a Reply to command ${m.commandId}`
          : m.case === "failure"
            ? `a Failure for command ${m.commandId} (${JSON.stringify(m.description)})`
            : "a message with no case set";
      kit.fail("the stream ends with an error status", `${what}: the user function went on instead of ending the stream`);
    }
    if (next.kind === "ended") {
      if (next.code === 0) kit.fail("the stream ends with an error status", "the stream completed with OK");
      if (transportCodes.has(next.code)) {
        kit.fail(
          "the user function ends the stream with an error status",
          `${grpcCodeName(next.code)} (${next.details}): a transport condition, not the user function's verdict`,
        );
      }
      return;
    }
  }
}

/** The next message on the stream is the answer (Reply or Failure) to `commandId`. */
export async function expectAnswerTo(kit: KitContext, stream: HandleStream, commandId: number): Promise<void> {
  const expected = `an answer (Reply or Failure) to command ${commandId}`;
  const next = await stream.next(kit.timeoutMs);
  if (next.kind === "timeout") kit.fail(expected, `no answer within ${next.waitedMs} ms`);
  if (next.kind === "ended") kit.fail(expected, `the stream ended (${grpcCodeName(next.code)}: ${next.details})`);
  const answered = next.message.case === undefined ? undefined : next.message.commandId;
  if (answered !== commandId)
    kit.fail(expected, answered === undefined ? "a message with no case set" : `an answer carrying command id ${answered}`);
}
