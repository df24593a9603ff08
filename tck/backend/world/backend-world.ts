import { randomBytes } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { World, type IWorldOptions } from "@cucumber/cucumber";
import type { StreamIn, StreamOut } from "../../../reference/protocol/index.js";
import { subjectOf, type InstrumentedUserFunction, type RecordedStream, type Subject } from "../../instrumented-user-function/index.js";
import { TeardownStack } from "../../world/teardown-stack.js";
import type { BackendClient, CallOutcome } from "../driver/backend-client.js";
import type { BackendStage } from "../driver/backend-stage.js";
import {
  compositeRequest,
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

/** The last call a scenario made, for the Then steps that judge it. */
export interface CallRecord {
  readonly entityId: string;
  readonly request: Uint8Array;
  readonly outcome: CallOutcome;
}

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
  /** Values steps remember between them (e.g. a state before passivation). */
  readonly memory = new Map<string, unknown>();

  constructor(options: IWorldOptions<BackendModeParameters>) {
    super(options);
  }

  get stage(): BackendStage {
    return currentBackendStage();
  }

  get uf(): InstrumentedUserFunction {
    return this.stage.userFunction;
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
    return this.stage.serve(this.subject);
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

  processComposite(key: CompositeKey, actions: readonly ModelAction[]): Promise<CallRecord> {
    return this.call(key.partA, modelMethodPath("ProcessComposite"), compositeRequest(key, actions));
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
    if (!record.outcome.ok) return this.fail(`the call to ${record.entityId} to succeed`, `${record.outcome.codeName}: ${record.outcome.details}`);
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
    if (!latest) return this.fail(`a handle stream for entity ${this.entityId(name)}`, "none was opened");
    return latest;
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
    const budget = this.stage.settings.passivationTimeoutMs + this.timeoutMs;
    await this.eventually(
      () => stream.backendCompleted && stream.ended !== undefined,
      `the backend to passivate entity ${this.entityId(name)} (complete its stream) within ${this.stage.settings.passivationTimeoutMs} ms of idleness`,
      () => `stream ${stream.streamId}: ${stream.backendCompleted ? "completed by the backend" : "not completed"}, ${stream.ended ?? "still open"}`,
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
}

export const grpcStatus = grpc.status;
