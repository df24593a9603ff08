import { createProtocolInvariants, type InvariantViolation } from "../../kit/protocol/protocol-invariants.js";
import type { Transcript } from "../../kit/transcript/transcript.js";

/**
 * M2 on a user-function-mode transcript: the same invariants intercept mode
 * checks live, fed from what the kit recorded. Violations of the backend's own
 * rules would be kit bugs; they are reported all the same.
 */
export function transcriptViolations(transcript: Transcript): InvariantViolation[] {
  const invariants = createProtocolInvariants();
  const violations: InvariantViolation[] = [];
  for (const entry of transcript.entries) {
    switch (entry.kind) {
      case "opened":
        invariants.streamOpened(entry.stream);
        break;
      case "sent":
        violations.push(...invariants.toUserFunction(entry.stream, entry.message));
        break;
      case "received":
        violations.push(...invariants.toBackend(entry.stream, entry.message));
        // The kit is the backend here: it keeps a Reply's events in its journal as the Reply arrives,
        // so they are persisted whether the stream later half-closes, completes or is cancelled.
        invariants.stored(entry.stream);
        break;
      case "half-closed":
        invariants.backendClosed(entry.stream);
        break;
      case "ended":
        invariants.streamEnded(entry.stream, "completed");
        break;
      case "cancelled":
        invariants.streamEnded(entry.stream, "cancelled");
        break;
      default:
        break;
    }
  }
  return violations;
}

export function describeViolations(violations: readonly InvariantViolation[]): string {
  return violations.map((v) => `${v.item} (${v.rule}): expected ${v.expected}, got ${v.actual}`).join("; ");
}
