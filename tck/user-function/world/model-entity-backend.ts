import type { AnyPayload, StreamIn } from "../../../reference/protocol/index.js";
import type { CommandOutcome } from "../driver/driven-entity.js";
import { DrivenEntity } from "../driver/driven-entity.js";
import type { HandleStream } from "../driver/handle-stream.js";
import { grpcCodeName } from "../../kit/transcript/transcript.js";
import { describeActions, predictModelEntity, snapshotDue, type ModelPrediction } from "../../kit/subjects/model-entity-model.js";
import type { CompositeKey, ModelAction, ModelEntitySubject, ModelResponse } from "../../kit/subjects/model-entity-subject.js";
import { describeOutcome } from "../verdict/describe-outcome.js";
import type { KitContext } from "./kit-context.js";
import type { ProtocolBackend, WireCommand } from "./protocol-backend.js";
import { expectAnswerTo, expectEndsWithError, transportCodes } from "./stream-expectations.js";

export type ModelMethod = "Process" | "ProcessEmpty" | "ProcessComposite" | "ProcessStream";

interface ModelEntityRecord {
  session: DrivenEntity;
  streams: number;
  /** The state the kit's model says the entity has. */
  expectedState: string;
  /** What the kit, as the backend, has persisted: the offered snapshot and every event after it. */
  snapshot: { sequence: number; payload: AnyPayload } | undefined;
  journal: AnyPayload[];
  /**
   * The last command threw and got a Failure: the user function may still end
   * the stream (G8 allows either), and that end may arrive after the kit sent
   * the next command.
   */
  endMayFollow: boolean;
}

interface LastCommand {
  readonly entity: string;
  readonly method: ModelMethod;
  readonly actions: readonly ModelAction[];
  readonly prediction: ModelPrediction;
  readonly outcome: CommandOutcome;
}

/** The kit as the backend of TCK model entities: starts them, sends commands, judges the answers. */
export class ModelEntityBackend implements ProtocolBackend {
  readonly #entities = new Map<string, ModelEntityRecord>();
  readonly #outcomes: LastCommand[] = [];

  constructor(
    private readonly kit: KitContext,
    readonly subject: ModelEntitySubject,
  ) {}

  #entity(name: string): ModelEntityRecord {
    const entity = this.#entities.get(name);
    if (!entity) throw new Error(`the scenario never started entity ${JSON.stringify(name)}`);
    return entity;
  }

  get last(): LastCommand {
    const last = this.#outcomes.at(-1);
    if (!last) throw new Error("the scenario sent no command yet");
    return last;
  }

  /** Opens a stream as a backend recovering the entity: Init (snapshot), then the events after it. */
  start(name: string, history: { snapshot?: { state: string; sequence: number }; events?: readonly string[] } = {}): void {
    const snapshot = history.snapshot
      ? { sequence: history.snapshot.sequence, payload: this.subject.state(history.snapshot.state) }
      : undefined;
    const journal = (history.events ?? []).map((value) => this.subject.appended(value));
    this.#open(name, snapshot, journal, (history.snapshot?.state ?? "") + (history.events ?? []).join(""));
  }

  /** A fresh stream for an entity the kit already knows, replaying what it persisted. */
  recover(name: string): void {
    const entity = this.#entity(name);
    this.#open(name, entity.snapshot, entity.journal, entity.expectedState);
  }

  #open(name: string, snapshot: ModelEntityRecord["snapshot"], journal: AnyPayload[], expectedState: string): void {
    const previous = this.#entities.get(name);
    previous?.session.stream.cancel();
    const streams = (previous?.streams ?? 0) + 1;
    const stream = this.kit.driver().openStream(streams === 1 ? name : `${name}#${streams}`);
    const session = new DrivenEntity(stream, name, this.kit.timeoutMs);
    session.init(snapshot);
    session.replay(journal);
    this.#entities.set(name, { session, streams, expectedState, snapshot, journal: [...journal], endMayFollow: false });
  }

  /** A stream on which the kit sends whatever the scenario says, Init or not. */
  openRaw(name: string): HandleStream {
    const stream = this.kit.driver().openStream(name);
    const session = new DrivenEntity(stream, name, this.kit.timeoutMs);
    this.#entities.set(name, { session, streams: 1, expectedState: "", snapshot: undefined, journal: [], endMayFollow: false });
    return stream;
  }

  sendRaw(name: string, message: StreamIn): void {
    this.#entity(name).session.stream.send(message);
  }

  /** `timeoutMs` overrides the per-wait timeout, for the first command after a very long replay (C9). */
  async process(
    name: string,
    actions: readonly ModelAction[],
    method: ModelMethod = "Process",
    timeoutMs = this.kit.timeoutMs,
  ): Promise<CommandOutcome> {
    let entity = this.#entity(name);
    const prediction = predictModelEntity(entity.expectedState, actions);
    const payload =
      method === "ProcessComposite" ? this.subject.compositeRequest(compositeKeyOf(name), actions) : this.subject.request(name, actions);
    let outcome = await entity.session.command(method, payload, timeoutMs);
    if (entity.endMayFollow && outcome.kind === "ended" && outcome.code !== 0 && !transportCodes.has(outcome.code)) {
      // G8: the stream ended after the Failure for the throwing command (its end event came after this command
      // was sent). A backend recovers the entity and sends the command again; so does the kit.
      this.kit.driver().transcript.record({
        stream: entity.session.stream.label,
        kind: "note",
        text: "the stream ended after the Failure for a throwing handler: recovering and sending the command again",
      });
      this.recover(name);
      entity = this.#entity(name);
      outcome = await entity.session.command(method, payload, timeoutMs);
    }
    entity.endMayFollow = prediction.kind === "throw" && outcome.kind === "failure";
    this.#outcomes.push({ entity: name, method, actions, prediction, outcome });
    const what = `${method} ${describeActions(actions)} on ${JSON.stringify(name)}`;
    switch (prediction.kind) {
      case "reply":
        if (outcome.kind !== "reply") this.kit.fail(`a Reply to command ${outcome.commandId} (${what})`, this.describe(outcome));
        entity.expectedState = prediction.stateAfter;
        entity.journal.push(...outcome.reply.events);
        break;
      case "failure":
        if (outcome.kind !== "failure") {
          this.kit.fail(`a Failure for command ${outcome.commandId} (${what})`, this.describe(outcome));
        }
        break;
      case "throw":
        if (outcome.kind === "ended" && transportCodes.has(outcome.code)) {
          // As in B3/B4: a crashed or unreachable user function must not pass as "ended the stream with an error".
          this.kit.fail(
            `a Failure for command ${outcome.commandId}, or the user function ending the stream with an error (${what})`,
            `${this.describe(outcome)}: a transport condition, not the user function's verdict`,
          );
        }
        if (outcome.kind !== "failure" && !(outcome.kind === "ended" && outcome.code !== 0)) {
          this.kit.fail(`a Failure for command ${outcome.commandId}, or the stream ending with an error (${what})`, this.describe(outcome));
        }
        break;
    }
    return outcome;
  }

  // ---- the subject-independent protocol checks (ProtocolBackend) ----

  startWithEvents(name: string, events: number): void {
    this.start(name, { events: Array.from({ length: events }, (_, i) => String.fromCharCode(97 + (i % 26))) });
  }

  someEvent(): AnyPayload {
    return this.subject.appended("a");
  }

  someCommand(name: string): WireCommand {
    return { name: "Process", payload: this.subject.request(name, [{ emit: "never" }]) };
  }

  /** Bytes that claim to be a Request but end in the middle of a field. */
  undecodableCommand(): WireCommand {
    return { name: "Process", payload: { typeUrl: this.subject.request("", []).typeUrl, value: Uint8Array.from([0x12, 0x05, 0x0a]) } };
  }

  /** A command the model entity cannot run (unknown name, undecodable payload): any Failure will do. */
  async processUnrunnable(name: string, command: WireCommand): Promise<void> {
    const entity = this.#entity(name);
    const outcome = await entity.session.command(command.name, command.payload);
    const prediction: ModelPrediction = { kind: "failure", description: "", stateAfter: entity.expectedState };
    this.#outcomes.push({ entity: name, method: "Process", actions: [], prediction, outcome });
    if (outcome.kind !== "failure")
      this.kit.fail(
        `a Failure for command ${outcome.commandId} (${command.name} with ${this.subject.describe(command.payload)})`,
        this.describe(outcome),
      );
  }

  async expectStillUsable(name: string): Promise<void> {
    await this.process(name, [{ emit: "z" }]);
    this.expectReplyStateFromHistory();
  }

  replayUnknownEvent(name: string): void {
    this.#entity(name).session.replayUnknownEvent("lightbend.serverless.tck.model");
  }

  /** D2/D3: every command of the scenario got exactly its own answer. */
  expectEveryAnswerCarriedItsId(): void {
    if (this.#outcomes.length === 0) throw new Error("the scenario sent no command yet");
    for (const { outcome } of this.#outcomes) {
      if (outcome.kind !== "reply" && outcome.kind !== "failure")
        this.kit.fail(`an answer carrying command id ${outcome.commandId}`, this.describe(outcome));
    }
  }

  /** I1: many entities at once, each emitting its own name; returns each entity's final reply state. */
  async processConcurrently(names: readonly string[], times: number): Promise<Map<string, string>> {
    for (const name of names) this.start(name);
    const states = new Map<string, string>();
    await Promise.all(
      names.map(async (name) => {
        let outcome: CommandOutcome | undefined;
        for (let i = 0; i < times; i++) outcome = await this.process(name, [{ emit: name }]);
        const decoded = outcome?.kind === "reply" ? this.subject.decode<ModelResponse>("Response", outcome.reply.payload) : undefined;
        states.set(name, decoded?.ok ? decoded.value.state : "(no Response)");
      }),
    );
    return states;
  }

  describe(outcome: CommandOutcome): string {
    return describeOutcome(outcome, this.subject.describe);
  }

  /** The entity's current stream ended (after a throw): a backend opens a new one. */
  streamEnded(name: string): boolean {
    return this.#entity(name).session.stream.ended !== undefined;
  }

  // ---- judging the last command ----

  #reply() {
    const { outcome } = this.last;
    if (outcome.kind !== "reply") this.kit.fail(`a Reply to command ${outcome.commandId}`, this.describe(outcome));
    return outcome;
  }

  #response(): ModelResponse {
    const reply = this.#reply();
    const decoded = this.subject.decode<ModelResponse>("Response", reply.reply.payload);
    if (!decoded.ok) this.kit.fail(`a Response payload in the reply to command ${reply.commandId}`, decoded.why);
    return decoded.value;
  }

  expectReplyState(state: string): void {
    const response = this.#response();
    if (response.state !== state) {
      this.kit.fail(`reply state ${JSON.stringify(state)}`, `reply state ${JSON.stringify(response.state)}`);
    }
  }

  /** The reply state equals what the entity's whole history (snapshot, replayed and emitted events) gives. */
  expectReplyStateFromHistory(): void {
    this.expectReplyState(this.last.prediction.stateAfter);
  }

  expectReplyMessage(message: string): void {
    const response = this.#response();
    if (response.message !== message) {
      this.kit.fail(`reply message ${JSON.stringify(message)}`, `reply message ${JSON.stringify(response.message)}`);
    }
  }

  expectEvents(values: readonly string[]): void {
    const reply = this.#reply();
    const actual: string[] = [];
    for (const event of reply.reply.events) {
      const decoded = this.subject.decode<{ value: string }>("Appended", event);
      if (!decoded.ok)
        this.kit.fail(`events ${formatValues(values)} (Appended, in emission order)`, `an event that is not an Appended: ${decoded.why}`);
      actual.push(decoded.value.value);
    }
    if (actual.length !== values.length || actual.some((v, i) => v !== values[i])) {
      this.kit.fail(`events ${formatValues(values)} (in emission order)`, `events ${formatValues(actual)}`);
    }
  }

  expectNoSnapshot(): void {
    const reply = this.#reply();
    if (reply.reply.snapshot) {
      this.kit.fail(
        `no snapshot (the reply's events get sequences [${reply.sequences.join(", ")}], none a multiple of ${this.kit.snapshotEvery})`,
        `a snapshot ${this.subject.describe(reply.reply.snapshot)}`,
      );
    }
  }

  /** F1/F2/F3: a snapshot exactly when an event reaches a multiple of N, holding the state after all the reply's events. */
  expectSnapshotRule(): void {
    const reply = this.#reply();
    const due = snapshotDue(reply.sequences, this.kit.snapshotEvery);
    const sequences = `[${reply.sequences.join(", ")}]`;
    if (!due) return this.expectNoSnapshot();
    if (!reply.reply.snapshot) {
      this.kit.fail(
        `a snapshot (the reply's events get sequences ${sequences}; N = ${this.kit.snapshotEvery})`,
        "a reply without a snapshot",
      );
    }
    const decoded = this.subject.decode<{ value: string }>("State", reply.reply.snapshot);
    if (!decoded.ok) this.kit.fail("a State snapshot", decoded.why);
    const expected = this.last.prediction.stateAfter;
    if (decoded.value.value !== expected) {
      this.kit.fail(
        `a snapshot of the state after all the reply's events: ${JSON.stringify(expected)}`,
        `snapshot state ${JSON.stringify(decoded.value.value)}`,
      );
    }
  }

  expectFailure(description?: string): void {
    const { outcome } = this.last;
    if (outcome.kind !== "failure") {
      this.kit.fail(
        `a Failure for command ${outcome.commandId}${description === undefined ? "" : ` with ${JSON.stringify(description)}`}`,
        this.describe(outcome),
      );
    }
    if (description !== undefined && outcome.description !== description) {
      this.kit.fail(`Failure description ${JSON.stringify(description)}`, `Failure description ${JSON.stringify(outcome.description)}`);
    }
  }

  /** Every command of the scenario so far that the model says fails did fail with its description. */
  expectEveryCommandFailed(count: number, description: string): void {
    const failures = this.#outcomes.slice(-count);
    for (const { outcome } of failures) {
      if (outcome.kind !== "failure" || outcome.description !== description) {
        this.kit.fail(`a Failure ${JSON.stringify(description)} for each of the last ${count} commands`, this.describe(outcome));
      }
    }
  }

  expectEmptyPayload(): void {
    const reply = this.#reply();
    const payload = reply.reply.payload;
    if (!payload) this.kit.fail("a google.protobuf.Empty payload", "a reply without a payload");
    if (payload.typeUrl !== "type.googleapis.com/google.protobuf.Empty" || payload.value.length !== 0) {
      this.kit.fail(
        "an empty google.protobuf.Empty payload (type.googleapis.com/google.protobuf.Empty, 0 bytes)",
        `${payload.typeUrl} with ${payload.value.length} bytes`,
      );
    }
  }

  expectPayloadTypeUrl(typeUrl: string): void {
    const reply = this.#reply();
    const actual = reply.reply.payload?.typeUrl;
    if (actual !== typeUrl)
      this.kit.fail(`a reply payload of type url ${typeUrl}`, actual === undefined ? "no payload" : `type url ${actual}`);
  }

  /** D3: after the last answer, nothing more arrives. */
  async expectNoFurtherAnswer(name: string): Promise<void> {
    const extra = await this.#entity(name).session.stream.collectFor(Math.min(300, this.kit.timeoutMs));
    const message = extra.find((o) => o.kind === "message");
    if (message) this.kit.fail("exactly one answer per command", "a further message after every command was answered");
  }

  async expectSilence(name: string): Promise<void> {
    const seen = await this.#entity(name).session.stream.collectFor(Math.min(500, this.kit.timeoutMs));
    const first = seen[0];
    if (first?.kind === "message") this.kit.fail("nothing sent in response to Init or Event", "a message from the user function");
    if (first?.kind === "ended")
      this.kit.fail("the stream stays open after Init and events", `the stream ended (${grpcCodeName(first.code)}: ${first.details})`);
  }

  async expectAnswer(name: string, commandId: number): Promise<void> {
    await expectAnswerTo(this.kit, this.#entity(name).session.stream, commandId);
  }

  async expectEndsWithError(name: string): Promise<void> {
    await expectEndsWithError(this.kit, this.#entity(name).session.stream);
  }

  halfClose(name: string): void {
    this.#entity(name).session.stream.halfClose();
  }

  /** H1 (user function side): after the backend half-closes, the user function completes its side. */
  async expectCompleted(name: string): Promise<void> {
    const next = await this.#entity(name).session.stream.next(this.kit.timeoutMs);
    if (next.kind === "timeout")
      this.kit.fail("the user function completes its side of the stream", `the stream still open after ${next.waitedMs} ms`);
    if (next.kind === "message") this.kit.fail("the user function completes its side of the stream", "a message instead");
    if (next.code !== 0)
      this.kit.fail(
        "the user function completes its side of the stream (status OK)",
        `the stream ended with ${grpcCodeName(next.code)}: ${next.details}`,
      );
  }
}

/** A deterministic composite key per entity name: the user function never sees the joined key. */
function compositeKeyOf(name: string): CompositeKey {
  return { partA: name, partB: 42, partC: true, partD: 2 };
}

function formatValues(values: readonly string[]): string {
  return `[${values.map((v) => JSON.stringify(v)).join(", ")}]`;
}
