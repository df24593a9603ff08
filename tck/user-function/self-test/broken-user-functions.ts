import type { UserFunctionFaults } from "../../kit/doubles/instrumented-user-function/index.js";

/**
 * The self-tests' broken user functions: the raw-protocol model entity with
 * one defect each, and the behaviours (scenario name prefixes) the kit must
 * name when it fails them.
 */
export interface BrokenUserFunction {
  readonly name: string;
  readonly faults: UserFunctionFaults;
  /** Scenarios that must fail, by the catalogue id that starts their name. */
  readonly mustFail: readonly string[];
  /** Words the verdict of one of those scenarios must contain. */
  readonly verdictMentions: string;
}

export const brokenUserFunctions: readonly BrokenUserFunction[] = [
  {
    name: "does not apply its own events",
    faults: { doesNotApplyOwnEvents: true },
    mustFail: ["E4 the user function applies its own emitted events", "M1 ", "C10 M3 "],
    verdictMentions: 'reply state "a"',
  },
  {
    name: "ignores the snapshot",
    faults: { ignoresSnapshot: true },
    mustFail: ["C1 Init with a snapshot sets the state to it", "C2 ", "C10 M3 "],
    verdictMentions: 'reply state "abc"',
  },
  {
    name: "answers with wrong command ids",
    faults: { wrongCommandIds: true },
    mustFail: ["D2 each answer carries the id of the command it answers", "D3 ", "M1 ", "M2 "],
    verdictMentions: "carrying command id 2 to command 1",
  },
  {
    name: "hangs on a command",
    faults: { hangsOnCommandId: 3 },
    mustFail: ["D3 exactly one answer per command, in command order", "M1 "],
    verdictMentions: "no answer to command 3 within",
  },
  {
    name: "answers every command twice",
    faults: { answersTwice: true },
    mustFail: ["D3 exactly one answer per command, in command order", "D2 ", "M1 "],
    verdictMentions: "carrying command id 1 to command 2",
  },
  {
    name: "closes the stream instead of answering",
    faults: { closesStreamOnCommandId: 3 },
    mustFail: ["D3 exactly one answer per command, in command order", "G4 ", "M1 "],
    verdictMentions: "the stream completed without answering command 3",
  },
  {
    name: "ends its stream with UNAVAILABLE when a handler fails",
    faults: { endsStreamInsteadOfFailureWith: 14 },
    mustFail: ["G8 a handler that throws gives a Failure or ends the stream, and the entity recovers"],
    verdictMentions: "a transport condition, not the user function's verdict",
  },
  {
    name: "counts snapshot points from the start of its stream",
    faults: { snapshotPointsFromStreamStart: true },
    mustFail: [
      "C7 snapshot points count from the snapshot and replayed events",
      "F2 F3 the event that reaches a snapshot point brings the state after it",
    ],
    verdictMentions: "a snapshot (the reply's events get sequences",
  },
  {
    name: "attaches a snapshot to every reply",
    faults: { snapshotsEveryReply: true },
    mustFail: ["F1 a snapshot only rides with events", "F3 replies whose events stay between snapshot points carry none", "M1 ", "M2 "],
    verdictMentions: "no snapshot (the reply's events get sequences []",
  },
  {
    name: "runs commands for another entity and repeated command ids",
    faults: { acceptsForeignCommands: true },
    mustFail: [
      "B8 a Command for another entity than Init's ends the stream with an error",
      "B8 a command id that does not increase ends the stream with an error",
    ],
    verdictMentions: "a Reply to command 1: the user function went on instead of ending the stream",
  },
];
