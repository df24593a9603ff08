import fc from "fast-check";
import type { CommandOutcome } from "../driver/driven-entity.js";
import { snapshotDue } from "../../kit/subjects/model-entity-model.js";
import { describeOutcome } from "../verdict/describe-outcome.js";
import { ExpectationFailure } from "../verdict/expectation-failure.js";
import { transportCodes } from "../world/stream-expectations.js";
import { checkProperty, type PropertySettings, type RunContext } from "./check-property.js";
import { JournaledEntity } from "./journaled-entity.js";
import type { PropertySubject, ReplyMessage } from "./property-subject.js";
import { anyTypeUrlViolations } from "./any-type-urls.js";
import { describeViolations, transcriptViolations } from "./transcript-invariants.js";

export interface SequenceSettings extends PropertySettings {
  readonly snapshotEvery: number;
}

let entityCounter = 0;
/** Every run gets an entity the user function has never seen. */
const freshEntityId = (prefix: string) => `${prefix}-${process.pid}-${++entityCounter}-${Math.random().toString(36).slice(2, 8)}`;

function describeCommands<C>(subject: PropertySubject<unknown, C>, commands: readonly C[]): string {
  if (commands.length === 0) return "(no commands)";
  return commands.map((c, i) => `${i + 1}. ${subject.describeCommand(c)}`).join("\n");
}

/** Judging helpers shared by the three properties: every verdict carries the run's transcript. */
class RunJudge<S, C> {
  constructor(
    readonly subject: PropertySubject<S, C>,
    readonly context: RunContext,
  ) {}

  fail(expected: string, actual: string): never {
    throw new ExpectationFailure(expected, actual, this.context.driver.transcript.format(this.subject.describePayload));
  }

  /** Anything but a timely, correctly addressed answer (or a stream that ended) fails the run here. */
  answered(outcome: CommandOutcome, what: string): void {
    if (outcome.kind === "timeout") this.context.noteHang();
    const crashed = outcome.kind === "ended" && transportCodes.has(outcome.code);
    if (crashed)
      this.context.noteTransportFailure(
        `the user function crashed or became unreachable (${describeOutcome(outcome, this.subject.describePayload)})`,
      );
    if (crashed || outcome.kind === "timeout" || outcome.kind === "wrong-id" || outcome.kind === "empty-message") {
      this.fail(`an answer to command ${outcome.commandId} (${what})`, describeOutcome(outcome, this.subject.describePayload));
    }
  }

  invariantsHold(): void {
    const violations = transcriptViolations(this.context.driver.transcript);
    if (violations.length > 0) this.fail("a transcript that keeps the M2 invariants", describeViolations(violations));
    const anys = anyTypeUrlViolations(this.context.driver.transcript);
    if (anys.length > 0)
      this.fail("E8: every event and snapshot an Any with type url type.googleapis.com/<fully qualified message name>", anys.join("; "));
  }

  /** Sends the state query and reads the state its reply shows. */
  async stateOf(entity: JournaledEntity, what: string): Promise<S> {
    const wire = this.subject.toWire(entity.entityId, this.subject.stateQuery);
    const outcome = await entity.command(wire.name, wire.payload);
    this.answered(outcome, what);
    if (outcome.kind !== "reply") this.fail(`a Reply to the state query (${what})`, describeOutcome(outcome, this.subject.describePayload));
    const read = this.subject.readStateReply(outcome.reply);
    if (!read.ok) this.fail(`a reply showing the state (${what})`, read.why);
    return read.state;
  }
}

/** M1 (with F3 and G2 along the way): a model predicts every answer to a random command sequence. */
export async function checkModelPredictsEveryAnswer<S, C>(subject: PropertySubject<S, C>, settings: SequenceSettings): Promise<void> {
  await checkProperty(
    settings,
    "M1 a model predicts every answer to a random command sequence",
    fc.array(subject.command, { minLength: 1, maxLength: 25 }),
    (commands) => describeCommands(subject, commands),
    async (commands, context) => {
      const judge: RunJudge<S, C> = new RunJudge(subject, context);
      const entity = new JournaledEntity(context.driver, freshEntityId("m1"));
      entity.open();
      let state = subject.initialState;
      for (const [index, command] of commands.entries()) {
        const what = `command ${index + 1}, ${subject.describeCommand(command)}, with the state ${subject.describeState(state)}`;
        const wire = subject.toWire(entity.entityId, command);
        const outcome = await entity.command(wire.name, wire.payload);
        judge.answered(outcome, what);
        const predicted = subject.predict(state, command);
        const actual = describeOutcome(outcome, subject.describePayload);
        switch (predicted.kind) {
          case "reply": {
            if (outcome.kind !== "reply") judge.fail(`a Reply to ${what}`, actual);
            const problem = predicted.check(outcome.reply);
            if (problem) judge.fail(`${problem.expected}, in the reply to ${what}`, problem.actual);
            checkSnapshot(judge, outcome.reply, outcome.sequences, predicted.stateAfter, settings.snapshotEvery, what);
            break;
          }
          case "failure":
            if (outcome.kind !== "failure") judge.fail(`a Failure for ${what}`, actual);
            if (predicted.description !== undefined && outcome.description !== predicted.description) {
              judge.fail(`the Failure ${JSON.stringify(predicted.description)} for ${what}`, actual);
            }
            break;
          case "failure-or-end":
            if (outcome.kind === "ended" && outcome.code !== 0) entity.recover();
            else if (outcome.kind !== "failure") judge.fail(`a Failure, or the stream ending with an error, for ${what}`, actual);
            else entity.endMayFollow();
            break;
        }
        state = predicted.stateAfter;
      }
      judge.invariantsHold();
    },
  );
}

function checkSnapshot<S, C>(
  judge: RunJudge<S, C>,
  reply: ReplyMessage,
  sequences: readonly number[],
  stateAfter: S,
  every: number,
  what: string,
): void {
  const due = snapshotDue(sequences, every);
  const where = `the reply to ${what} (event sequences [${sequences.join(", ")}], N = ${every})`;
  if (due && !reply.snapshot) judge.fail(`a snapshot on ${where}`, "no snapshot");
  if (!due && reply.snapshot) judge.fail(`no snapshot on ${where}`, `a snapshot ${judge.subject.describePayload(reply.snapshot)}`);
  if (reply.snapshot) {
    const snapshot = judge.subject.decodeSnapshot(reply.snapshot);
    if (!snapshot.ok) judge.fail(`a decodable snapshot on ${where}`, snapshot.why);
    if (!judge.subject.sameState(snapshot.state, stateAfter)) {
      judge.fail(
        `a snapshot of ${judge.subject.describeState(stateAfter)} on ${where}`,
        `a snapshot of ${judge.subject.describeState(snapshot.state)}`,
      );
    }
  }
}

/** Drives commands as a backend would, recovering streams that end; no model judgement. */
async function drive<S, C>(judge: RunJudge<S, C>, entity: JournaledEntity, commands: readonly C[], passivateAfter?: number): Promise<void> {
  for (const [index, command] of commands.entries()) {
    const wire = judge.subject.toWire(entity.entityId, command);
    const outcome = await entity.command(wire.name, wire.payload);
    judge.answered(outcome, `command ${index + 1}, ${judge.subject.describeCommand(command)}`);
    if (outcome.kind === "ended") entity.recover();
    if (passivateAfter === index) entity.passivate();
  }
}

/** C10 / M3: live state = state from a full replay = state from any snapshot plus the tail. */
export async function checkReplayEquivalence<S, C>(subject: PropertySubject<S, C>, settings: SequenceSettings): Promise<void> {
  const input = fc.record({ commands: fc.array(subject.command, { minLength: 1, maxLength: 25 }), snapshotPoint: fc.nat() });
  await checkProperty(
    settings,
    "C10/M3 live state equals a full replay and any snapshot plus the tail",
    input,
    ({ commands, snapshotPoint }) =>
      `${describeCommands(subject, commands)}\nsnapshot point: ${snapshotPoint} (modulo the number of events + 1)`,
    async ({ commands, snapshotPoint }, context) => {
      const judge: RunJudge<S, C> = new RunJudge(subject, context);
      const entity = new JournaledEntity(context.driver, freshEntityId("m3"));
      entity.open();
      await drive(judge, entity, commands);
      const live = await judge.stateOf(entity, "live, after the commands");

      const compare = (state: S, how: string) => {
        if (!subject.sameState(state, live)) {
          judge.fail(`${how} gives the live state ${subject.describeState(live)}`, `${how} gives ${subject.describeState(state)}`);
        }
      };
      entity.open();
      compare(await judge.stateOf(entity, "after a full replay"), `a full replay of ${entity.journal.length} events`);

      // A snapshot the kit builds at a random point (or the user function's own, where it stored one).
      const events = entity.journal.length;
      const at = snapshotPoint % (events + 1);
      let folded = subject.initialState;
      for (const event of entity.journal.slice(0, at)) {
        const next = subject.applyEvent(folded, event);
        if (!next.ok) judge.fail("events the subject's model can fold", next.why);
        folded = next.state;
      }
      if (at > 0) {
        const payload = entity.snapshots.get(at) ?? subject.snapshotOf(folded);
        entity.open({ sequence: at, payload });
        compare(await judge.stateOf(entity, `from a snapshot at ${at}`), `a snapshot at sequence ${at} plus ${events - at} events`);
      }
      // Every snapshot the user function emitted, each plus its tail.
      for (const [sequence, payload] of [...entity.snapshots.entries()].slice(-3)) {
        entity.open({ sequence, payload });
        compare(
          await judge.stateOf(entity, `from its own snapshot at ${sequence}`),
          `its own snapshot at sequence ${sequence} plus ${events - sequence} events`,
        );
      }
      judge.invariantsHold();
    },
  );
}

/** M2: whatever the commands and passivations, the recorded transcript keeps the protocol invariants. */
export async function checkTranscriptInvariants<S, C>(subject: PropertySubject<S, C>, settings: SequenceSettings): Promise<void> {
  const input = fc.record({ commands: fc.array(subject.command, { minLength: 1, maxLength: 25 }), passivateAfter: fc.nat({ max: 30 }) });
  await checkProperty(
    settings,
    "M2 every recorded transcript keeps the protocol invariants",
    input,
    ({ commands, passivateAfter }) => `${describeCommands(subject, commands)}\npassivation after command ${passivateAfter + 1}`,
    async ({ commands, passivateAfter }, context) => {
      const judge: RunJudge<S, C> = new RunJudge(subject, context);
      const entity = new JournaledEntity(context.driver, freshEntityId("m2"));
      entity.open();
      await drive(judge, entity, commands, passivateAfter);
      await judge.stateOf(entity, "at the end");
      judge.invariantsHold();
    },
  );
}
