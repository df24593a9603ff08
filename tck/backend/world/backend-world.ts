import { randomBytes } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { World, type IWorldOptions } from "@cucumber/cucumber";
import type { StreamIn, StreamOut } from "../../../reference/protocol/index.js";
import {
  subjectOf,
  type InstrumentedUserFunction,
  type RecordedStream,
  type Subject,
} from "../../kit/doubles/instrumented-user-function/index.js";
import { TeardownStack } from "../../kit/world/teardown-stack.js";
import type { BackendClient, CallOutcome } from "../driver/backend-client.js";
import type { BackendSettings } from "../driver/backend-settings.js";
import type { BackendStage } from "../driver/backend-stage.js";
import {
  compositeRequest,
  compositeRequestWithDefaultsAbsent,
  decodeModelResponse,
  modelMethodPath,
  modelRequest,
  type CompositeKey,
  type ModelAction,
  type ModelMethod,
  type ModelResponse,
} from "../driver/model-requests.js";
import { BackendExpectationFailure } from "../verdict/backend-expectation-failure.js";
import type { BackendModeParameters } from "./backend-mode-parameters.js";
import { currentBackendStage } from "./stage-registry.js";
import type { CallRecord, StepMemory } from "./step-memory.js";
import type { Sequence } from "../../kit/run/sequence-entry.js";

export type { CallRecord };

/**
 * One backend-mode scenario: the shared stage (backend under test + the kit's
 * user function), the entities it touched, its last call, and how it fails.
 */
export class BackendWorld extends World<BackendModeParameters> {
  readonly teardown = new TeardownStack();
  /** Full entity ids this scenario used: its transcript and its invariant checks. */
  readonly touched = new Set<string>();
  /** How many streams the user function had seen when the scenario started. */
  streamsAtStart = 0;
  subject: Subject = subjectOf("model");
  /** Settings this scenario asked for instead of the run's (a long passivation timeout). */
  settingsOverride: BackendSettings | undefined;
  last: CallRecord | undefined;
  /** Calls started but not awaited yet (H6, D4, bursts). */
  inFlight: Array<Promise<CallRecord>> = [];
  /**
   * Entities whose replied events a failed journal write never stored (E7): the
   * traffic checker counts a Reply's events as acknowledged, so its history of
   * these entities is ahead of the journal and its replay-length check does not apply.
   */
  readonly unacknowledged = new Set<string>();
  /** Distinguishes this scenario's entities from another scenario's that use the same step. */
  readonly scenarioTag = randomBytes(3).toString("hex");
  /** Held answers waiting for "the calls behind it are queued", by entity id (see `queuedBehind`). */
  readonly #queuedReleases = new Map<string, () => void>();
  /** Held answers waiting for the client's next call to an entity to end, by entity id (see `afterClientCallEnds`). */
  readonly #callEndReleases = new Map<string, () => void>();
  /** What steps hand to the steps after them, typed by name (step-memory.ts). */
  readonly remembered: StepMemory = {};

  /** What an earlier step of the scenario remembered; a feature whose steps are out of order gets a clear error. */
  recall<K extends keyof StepMemory>(key: K): NonNullable<StepMemory[K]> {
    const value = this.remembered[key];
    if (value === undefined)
      throw new Error(`this step reads "${key}", which no earlier step of the scenario set: the feature's steps are out of order`);
    return value as NonNullable<StepMemory[K]>;
  }

  constructor(options: IWorldOptions<BackendModeParameters>) {
    super(options);
  }

  get stage(): BackendStage {
    return currentBackendStage();
  }

  get uf(): InstrumentedUserFunction {
    return this.stage.userFunction;
  }

  /** The settings the backend under this scenario runs with. */
  get settings(): BackendSettings {
    return this.settingsOverride ?? this.stage.settings;
  }

  get timeoutMs(): number {
    return this.parameters.timeoutMs;
  }

  /**
   * A call's deadline: the backend may take its relay timeout to answer (recovery included,
   * e.g. C9's 10,000-event replay), and the kit allows --timeout on top (issue 9, item 9).
   */
  get callDeadlineMs(): number {
    return this.stage.callDeadlineMs(this.timeoutMs);
  }

  /**
   * The full entity id for a scenario's short name: unique to this run. The suffix is
   * plain (letters, digits, a dash), so only J5's own names carry odd characters (issue 9, item 2).
   */
  entityId(name: string): string {
    const id = `${name}-${this.parameters.runId}`;
    this.touched.add(id);
    return id;
  }

  client(): Promise<BackendClient> {
    return this.stage.serve(this.subject, this.settings);
  }

  async call(entityId: string, path: string, request: Uint8Array, timeoutMs = this.callDeadlineMs): Promise<CallRecord> {
    const client = await this.client();
    const outcome = await client.unary(path, request, { timeoutMs });
    const record = { entityId, request, outcome };
    this.last = record;
    return record;
  }

  process(name: string, actions: readonly ModelAction[], method: ModelMethod = "Process", timeoutMs?: number): Promise<CallRecord> {
    const entityId = this.entityId(name);
    return this.call(entityId, modelMethodPath(method), modelRequest(entityId, actions), timeoutMs);
  }

  /**
   * Settles when the calls a later step sends to `entityId` are in the backend's queue (`callsQueued`),
   * or after --timeout if no step says so: a held answer that waits for it instead of a fixed time
   * judges the same on an idle and on a saturated machine.
   */
  queuedBehind(entityId: string): Promise<void> {
    return new Promise<void>((resolve) => this.#queuedReleases.set(entityId, resolve));
  }

  /**
   * The calls just sent to `entityId` have reached the backend: a probe sent after them on the same
   * connection (a call to an entity of its own, through the backend to the user function and back)
   * has been answered. HTTP/2 delivers a connection's streams in order, so the backend took the calls
   * in before the probe, and the probe's whole round trip (dispatch, the user function, the reply) is
   * more work than queueing a call: the wait scales with the machine rather than with a constant.
   * Then a held answer for `entityId` is released.
   */
  async callsQueued(entityId: string): Promise<void> {
    const release = this.#queuedReleases.get(entityId);
    if (!release) return;
    try {
      await this.probeBackend();
    } finally {
      this.#queuedReleases.delete(entityId);
      release();
    }
  }

  /**
   * Settles when the client's next call to `entityId` (sent by a step that says so, `clientCallEnded`)
   * has ended, or after --timeout if none does: an answer held past a client's deadline without a
   * fixed time.
   */
  afterClientCallEnds(entityId: string): Promise<void> {
    return new Promise<void>((resolve) => this.#callEndReleases.set(entityId, resolve));
  }

  /** The client's call to `entityId` has ended: an answer held for it (`afterClientCallEnds`) goes. */
  clientCallEnded(entityId: string): void {
    this.#callEndReleases.get(entityId)?.();
    this.#callEndReleases.delete(entityId);
  }

  /**
   * A call to an entity of the kit's own, sent after every call started so far on the same connection,
   * through the backend to the user function and back: once it has answered, the backend has taken in
   * the calls sent before it (see `callsQueued`). Not recorded as the scenario's last call.
   */
  async probeBackend(): Promise<void> {
    const client = await this.client();
    const probe = this.entityId(`probe-${this.scenarioTag}`);
    await client.unary(modelMethodPath("Process"), modelRequest(probe, []), { timeoutMs: this.callDeadlineMs });
  }

  processComposite(key: CompositeKey, actions: readonly ModelAction[]): Promise<CallRecord> {
    return this.call(key.partA, modelMethodPath("ProcessComposite"), compositeRequest(key, actions));
  }

  /** A ProcessComposite call whose number, bool and enum key fields are absent from the bytes (J3). */
  processCompositeWithDefaultsAbsent(partA: string, actions: readonly ModelAction[]): Promise<CallRecord> {
    return this.call(partA, modelMethodPath("ProcessComposite"), compositeRequestWithDefaultsAbsent(partA, actions));
  }

  /** The last call's Response, failing the scenario if it did not succeed. */
  lastResponse(): ModelResponse {
    const last = this.lastCall();
    if (!last.outcome.ok) this.fail("the call to succeed", `${last.outcome.codeName}: ${last.outcome.details}`);
    try {
      return decodeModelResponse(last.outcome.bytes);
    } catch (error) {
      return this.fail("a lightbend.serverless.tck.model.Response", `undecodable reply bytes: ${(error as Error).message}`);
    }
  }

  /** The state in a successful call's Response, failing the scenario otherwise. */
  decodeState(record: CallRecord): string {
    if (!record.outcome.ok)
      return this.fail(`the call to ${record.entityId} to succeed`, `${record.outcome.codeName}: ${record.outcome.details}`);
    return decodeModelResponse(record.outcome.bytes).state;
  }

  lastCall(): CallRecord {
    if (!this.last) throw new Error("no call was made yet");
    return this.last;
  }

  expectFailure(last: CallRecord, codeName: string): void {
    if (last.outcome.ok) this.fail(`the call to fail ${codeName}`, "it succeeded");
    if (last.outcome.codeName !== codeName) this.fail(`the call to fail ${codeName}`, `${last.outcome.codeName}: ${last.outcome.details}`);
  }

  streamsOf(name: string): RecordedStream[] {
    return this.uf.traffic.streamsOf(this.entityId(name));
  }

  latestStream(name: string): RecordedStream {
    const streams = this.streamsOf(name);
    const latest = streams.at(-1);
    if (!latest)
      return this.fail(
        `a handle stream whose Init names entity ${JSON.stringify(this.entityId(name))}`,
        `no stream began with an Init for it; ${this.streamsOfScenario()}`,
      );
    return latest;
  }

  /** The streams the user function saw during this scenario, each with how it began and ended (for verdicts). */
  streamsOfScenario(): string {
    const streams = this.uf.traffic.streams.slice(this.streamsAtStart);
    if (streams.length === 0) return "the backend opened no handle stream during this scenario";
    const shown = streams.slice(-6);
    return `streams opened during this scenario: ${shown.map((s) => describeStream(s)).join("; ")}${streams.length > shown.length ? ` (and ${streams.length - shown.length} earlier)` : ""}`;
  }

  /**
   * How an entity's latest stream recovered, against what earlier replies reached: names a lost or
   * skipped event where a wrong state string alone would not.
   */
  recoveryOf(entityId: string): string {
    const streams = this.uf.traffic.streamsOf(entityId);
    const latest = streams.at(-1);
    if (!latest) return this.streamsOfScenario();
    const described = `entity's latest stream ${describeStream(latest)}`;
    const init = latest.received[0];
    const fault = replayFault(replayedBeforeFirstCommand(latest), init?.case === "init" ? init.snapshot?.sequence : undefined);
    if (fault !== undefined) return `${described}: ${fault}`;
    if (streams.length < 2) return described;
    const reached = Math.max(0, ...streams.slice(0, -1).map(highestSequenceOn));
    const recovered = recoveredSequence(latest);
    if (recovered >= reached) return `${described}; earlier streams' replies reached sequence ${reached}`;
    return `${described}: it recovered the entity up to sequence ${recovered}, but replies on earlier streams carried events up to ${reached}, so ${recovered + 1 === reached ? `event ${reached} was` : `events ${recovered + 1} to ${reached} were`} lost or skipped`;
  }

  replayedEvents(stream: RecordedStream): Extract<StreamIn, { case: "event" }>[] {
    return stream.received.filter((m): m is Extract<StreamIn, { case: "event" }> => m.case === "event");
  }

  repliesOf(stream: RecordedStream): Extract<StreamOut, { case: "reply" }>[] {
    return stream.sent.filter((m): m is Extract<StreamOut, { case: "reply" }> => m.case === "reply");
  }

  /** Waits until `ready` holds (re-checked on every message the user function sees), or fails the scenario. */
  async eventually(ready: () => boolean, expected: string, actual: () => string, ms = this.timeoutMs): Promise<void> {
    if (ready()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        stop();
        try {
          this.fail(expected, `${actual()} after ${ms} ms`);
        } catch (error) {
          reject(error);
        }
      }, ms);
      // Passivation and stream ends produce traffic; a slow poll covers the rest.
      const poll = setInterval(check, 50);
      const unsubscribe = this.uf.traffic.onChange(check);
      function stop() {
        clearTimeout(timer);
        clearInterval(poll);
        unsubscribe();
      }
      function check() {
        let done: boolean;
        try {
          done = ready();
        } catch (error) {
          stop();
          reject(error);
          return;
        }
        if (!done) return;
        stop();
        resolve();
      }
    });
  }

  /** Waits until the backend passivated the entity's latest stream and the stream ended. */
  async passivated(name: string): Promise<RecordedStream> {
    const stream = this.latestStream(name);
    const budget = this.settings.passivationTimeoutMs + this.timeoutMs;
    await this.eventually(
      () => stream.backendCompleted && stream.ended !== undefined,
      `the backend to passivate entity ${this.entityId(name)} (complete its stream) within ${this.settings.passivationTimeoutMs} ms of idleness`,
      () =>
        `stream ${stream.streamId}: ${stream.backendCompleted ? "completed by the backend" : "not completed"}, ${stream.ended ?? "still open"}`,
      budget,
    );
    return stream;
  }

  fail(expected: string, actual: string): never {
    throw new BackendExpectationFailure(expected, actual, this.transcript(), this.stage.backendOutput());
  }

  transcript(): string {
    return this.uf.traffic.transcript([...this.touched]);
  }

  /** The same entries as `transcript`, for the report's sequence diagram. */
  transcriptSequence(): Sequence {
    return this.uf.traffic.sequence([...this.touched]);
  }
}

export const grpcStatus = grpc.status;

const messageName = (m: StreamIn | undefined) =>
  m === undefined
    ? "nothing"
    : m.case === "init"
      ? "an Init"
      : m.case === "event"
        ? `an Event (sequence ${m.sequence})`
        : m.case === "command"
          ? `a Command (id ${m.id})`
          : "an empty message";

/** One stream in a line: its first message (Init or not), snapshot, replayed events, commands, and how it ended. */
export function describeStream(stream: RecordedStream): string {
  const [first] = stream.received;
  const parts: string[] = [];
  if (first?.case === "init") {
    parts.push(
      `Init for ${JSON.stringify(first.entityId)} ${first.snapshot ? `offering a snapshot at ${first.snapshot.sequence}` : "without a snapshot"}`,
    );
  } else {
    parts.push(`the first message on the stream was ${messageName(first)}, not Init`);
  }
  const replayed = replayedBeforeFirstCommand(stream);
  parts.push(replayed.length === 0 ? "no events replayed" : `replayed ${describeSequences(replayed)}`);
  const commands = stream.received.filter((m) => m.case === "command").length;
  parts.push(`${commands} command(s), ${stream.sent.length} answer(s)`);
  parts.push(stream.ended ?? (stream.backendCompleted ? "completed by the backend, still open" : "still open"));
  if (stream.heldOpenMs !== undefined)
    parts.push(`the user function held its side open ${stream.heldOpenMs} ms after the backend completed it`);
  return `${stream.streamId} (${parts.join(", ")})`;
}

function replayedBeforeFirstCommand(stream: RecordedStream): number[] {
  const firstCommand = stream.received.findIndex((m) => m.case === "command");
  return (firstCommand < 0 ? stream.received : stream.received.slice(0, firstCommand)).flatMap((m) =>
    m.case === "event" ? [m.sequence] : [],
  );
}

/** A replay that breaks C4 on its own terms (start after the snapshot offered, contiguous), named; undefined if none does. */
export function replayFault(sequences: readonly number[], snapshot: number | undefined): string | undefined {
  const first = sequences[0];
  if (first === undefined) return undefined;
  if (snapshot !== undefined && first <= snapshot) return `replay started at ${first} although a snapshot at ${snapshot} was offered`;
  if (snapshot === undefined && first !== 1) return `replay started at ${first} although no snapshot was offered (the first event is 1)`;
  if (snapshot !== undefined && first !== snapshot + 1)
    return `replay started at ${first}, skipping the events after the snapshot at ${snapshot}`;
  if (sequences.some((s, i) => i > 0 && s !== sequences[i - 1]! + 1))
    return `the replay is not contiguous (${describeSequences(sequences)})`;
  return undefined;
}

/** "events 1 to 3", "events 2, 4 to 5": contiguous runs, so a gap or a wrong start shows. */
export function describeSequences(sequences: readonly number[]): string {
  const runs: string[] = [];
  let start = sequences[0];
  for (let i = 0; i < sequences.length; i++) {
    const here = sequences[i]!;
    const next = sequences[i + 1];
    if (next !== here + 1) {
      runs.push(start === here ? `${here}` : `${start} to ${here}`);
      start = next;
    }
  }
  return `event${sequences.length === 1 ? "" : "s"} ${runs.join(", ")}`;
}

/** The sequence a stream recovered its entity to before its first command: the snapshot offered, then the events replayed. */
function recoveredSequence(stream: RecordedStream): number {
  let recovered = 0;
  for (const m of stream.received) {
    if (m.case === "command") break;
    if (m.case === "init" && m.snapshot) recovered = m.snapshot.sequence;
    if (m.case === "event") recovered = m.sequence;
  }
  return recovered;
}

/** The highest sequence number a stream's history reached: its snapshot or last replayed event, plus its replies' events. */
function highestSequenceOn(stream: RecordedStream): number {
  let highest = 0;
  for (const m of stream.received) {
    if (m.case === "init" && m.snapshot) highest = m.snapshot.sequence;
    if (m.case === "event") highest = m.sequence;
  }
  for (const m of stream.sent) if (m.case === "reply") highest += m.events.length;
  return highest;
}
