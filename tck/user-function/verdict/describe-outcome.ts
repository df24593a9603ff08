import type { AnyPayload } from "../../../reference/protocol/index.js";
import type { CommandOutcome } from "../driver/driven-entity.js";
import { formatOut, grpcCodeName, type PayloadDescriber } from "../../kit/transcript/transcript.js";

/** The "actual" half of a verdict: what the user function did with a command. */
export function describeOutcome(outcome: CommandOutcome, describe: PayloadDescriber): string {
  const any = (p: AnyPayload | undefined) => (p ? describe(p) : "none");
  switch (outcome.kind) {
    case "reply":
      return formatOut(outcome.reply, any);
    case "failure":
      return `Failure for ${outcome.commandId}: ${JSON.stringify(outcome.description)}`;
    case "wrong-id":
      return `an answer carrying command id ${outcome.message.commandId} to command ${outcome.commandId} (${formatOut(outcome.message, any)})`;
    case "empty-message":
      return `an EntityStreamOut with no message set, to command ${outcome.commandId}`;
    case "ended":
      return outcome.code === 0
        ? `the stream completed without answering command ${outcome.commandId}`
        : `the stream ended with ${grpcCodeName(outcome.code)} (${outcome.details}) without answering command ${outcome.commandId}`;
    case "timeout":
      return `no answer to command ${outcome.commandId} within ${outcome.waitedMs} ms (the user function hangs)`;
  }
}
