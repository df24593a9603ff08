import { typeUrlPrefix } from "../../../reference/protocol/index.js";
import type { Transcript } from "../../kit/transcript/transcript.js";

/** A fully qualified protobuf message name: dot-separated identifiers. */
const messageName = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** What is wrong with one Any's type url, or undefined when it is `type.googleapis.com/<fully qualified message name>`. */
export function typeUrlProblem(typeUrl: string): string | undefined {
  if (!typeUrl.startsWith(typeUrlPrefix)) return `type url ${JSON.stringify(typeUrl)} lacks the prefix ${typeUrlPrefix}`;
  const name = typeUrl.slice(typeUrlPrefix.length);
  if (!messageName.test(name)) return `type url ${JSON.stringify(typeUrl)} does not end in a fully qualified message name`;
  return undefined;
}

/**
 * E8 over a transcript: every event and snapshot the user function sent is an
 * Any that other languages' libraries (and tools reading the journal) can
 * unpack: type url `type.googleapis.com/<fully qualified message name>`, so
 * the same for the same message type every time. One line per problem.
 */
export function anyTypeUrlViolations(transcript: Transcript): string[] {
  // One line per distinct problem, naming every reply it appeared on.
  const problems = new Map<string, string[]>();
  const note = (what: string, typeUrl: string, where: string) => {
    const problem = typeUrlProblem(typeUrl);
    if (!problem) return;
    const key = `${what} with ${problem}`;
    problems.set(key, [...(problems.get(key) ?? []), where]);
  };
  for (const entry of transcript.entries) {
    if (entry.kind !== "received" || entry.message.case !== "reply") continue;
    const reply = entry.message;
    const where = `${entry.stream} command ${reply.commandId}`;
    for (const event of reply.events) note("an event", event.typeUrl, where);
    if (reply.snapshot) note("a snapshot", reply.snapshot.typeUrl, where);
  }
  return [...problems.entries()].map(([problem, where]) => `${problem} (on the replies to ${[...new Set(where)].join(", ")})`);
}

/** How many events and snapshots the user function sent (a scenario judging E8 must have seen some). */
export function emittedAnyCount(transcript: Transcript): number {
  let count = 0;
  for (const entry of transcript.entries) {
    if (entry.kind === "received" && entry.message.case === "reply")
      count += entry.message.events.length + (entry.message.snapshot ? 1 : 0);
  }
  return count;
}
