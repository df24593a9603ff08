import * as grpc from "@grpc/grpc-js";
import {
  startInstrumentedUserFunction,
  modelServiceName,
  subjectOf,
  type InstrumentedUserFunction,
  type Subject,
  type TrafficLog,
} from "../../kit/doubles/instrumented-user-function/index.js";
import { createBackendClient, type BackendClient, type CallOutcome } from "./backend-client.js";
import type { BackendLauncher, LaunchedBackend, StorageFaults } from "./backend-launcher.js";
import type { BackendSettings } from "./backend-settings.js";
import { cartMethodPath, modelMethodPath } from "./model-requests.js";
import { checkHealth, notOffered } from "./operations-client.js";

/** A scenario needs something this run's backend cannot give (a restart, another subject). */
export class NotRunnable extends Error {
  override readonly name = "NotRunnable";
}

/** The backend would not come up. */
export class BackendStartError extends Error {
  override readonly name = "BackendStartError";
}

export interface BackendStageOptions {
  readonly launcher: BackendLauncher;
  readonly settings: BackendSettings;
  /** How long a backend may take to serve after launch. */
  readonly startupTimeoutMs: number;
  /** Where the instrumented user function listens; 0 picks a free port (needed fixed for `--target`). */
  readonly userFunctionPort?: number;
  readonly userFunctionHost?: string;
  /** Deadline of one readiness or refusal probe (--timeout; default 1 s). */
  readonly probeTimeoutMs?: number;
}

/** What the kit saw when it started a backend on a subject it must refuse. */
export interface RefusalObservation {
  readonly refused: boolean;
  /** How it ended: "exited with code 1", "serves the user service", … */
  readonly how: string;
  readonly output: string;
}

interface Incarnation {
  readonly subject: Subject;
  /** What it was launched with: the run's settings, or a scenario's (a long passivation timeout). */
  readonly settings: BackendSettings;
  readonly launched: LaunchedBackend;
  readonly client: BackendClient;
  /** Confirmed serving its subject (a backend started while the user function was down may not be yet). */
  serving: boolean;
  /** When the kit launched it: only a ready() call after this counts (0 for a backend the kit did not start). */
  readonly launchedAt: number;
}

/**
 * The backend under test and the kit's user function, shared by the scenarios of
 * a run: a backend is started for a subject and kept while scenarios use that
 * subject; it is restarted only when a scenario needs another subject or a restart.
 */
export class BackendStage {
  #uf: InstrumentedUserFunction | undefined;
  #current: Incarnation | undefined;
  /** Starting, stopping and restarting happen one at a time, whatever the scenario's concurrency. */
  #lifecycle: Promise<unknown> = Promise.resolve();

  constructor(readonly options: BackendStageOptions) {}

  get #probeTimeoutMs(): number {
    return this.options.probeTimeoutMs ?? 1000;
  }

  get canRestart(): boolean {
    return this.options.launcher.canRestart;
  }

  get durable(): boolean {
    return this.options.launcher.durable;
  }

  /** Storage faults on demand, when the launcher offers them. */
  get storageFaults(): StorageFaults | undefined {
    return this.options.launcher.storageFaults;
  }

  get settings(): BackendSettings {
    return this.options.settings;
  }

  /** How long a client waits for a call: the relay timeout (the backend's bound, recovery included) plus `timeoutMs`. */
  callDeadlineMs(timeoutMs: number): number {
    return this.options.settings.relayTimeoutMs + timeoutMs;
  }

  get userFunction(): InstrumentedUserFunction {
    if (!this.#uf) throw new Error("the backend stage is not open");
    return this.#uf;
  }

  get subject(): Subject | undefined {
    return this.#current?.subject;
  }

  async open(): Promise<void> {
    this.#uf ??= await startInstrumentedUserFunction({
      port: this.options.userFunctionPort ?? 0,
      ...(this.options.userFunctionHost === undefined ? {} : { host: this.options.userFunctionHost }),
    });
  }

  /** A client of the backend serving `subject` with `settings`, starting or restarting it as needed. */
  serve(subject: Subject, settings: BackendSettings = this.options.settings): Promise<BackendClient> {
    return this.#serialised(() => this.#serve(subject, settings));
  }

  #serialised<T>(operation: () => Promise<T>): Promise<T> {
    const next = this.#lifecycle.then(operation, operation);
    this.#lifecycle = next.catch(() => undefined);
    return next;
  }

  async #serve(subject: Subject, settings: BackendSettings): Promise<BackendClient> {
    const current = this.#current;
    if (current && sameSubject(current.subject, subject) && sameSettings(current.settings, settings)) {
      if (!current.serving) await this.#awaitServing(current, this.options.startupTimeoutMs);
      return current.client;
    }
    if (!this.options.launcher.canRestart && (current || !sameSubject(subject, subjectOf("model")))) {
      throw new NotRunnable(
        `needs the backend started on subject ${subject.name} (persistence id ${JSON.stringify(subject.spec.persistenceId)}); the kit cannot restart a backend it did not start`,
      );
    }
    if (!this.options.launcher.canRestart && !sameSettings(settings, this.options.settings)) {
      throw new NotRunnable("needs the backend started with other settings; the kit cannot restart a backend it did not start");
    }
    await this.stopBackend();
    return this.#start(subject, settings);
  }

  /**
   * After a failed scenario: a backend the kit started that never came to serve (A5, L2
   * failing half-way) is stopped, so the next scenario starts a fresh one instead of
   * waiting on it (issue 9, item 9: no cascade).
   */
  discardIfNotServing(): Promise<void> {
    return this.#serialised(async () => {
      if (this.options.launcher.canRestart && this.#current && !this.#current.serving) await this.stopBackend();
    });
  }

  /** Stops and starts the backend on the same subject (H5, H6). */
  restart(): Promise<BackendClient> {
    return this.#serialised(() => this.#restart());
  }

  async #restart(): Promise<BackendClient> {
    if (!this.options.launcher.canRestart) throw new NotRunnable("needs a backend the kit can restart (use --backend-command)");
    const subject = this.#current?.subject ?? subjectOf("model");
    const settings = this.#current?.settings ?? this.options.settings;
    await this.stopBackend();
    return this.#start(subject, settings);
  }

  /**
   * Kills the backend with kill -9 (its process group) and starts it again on the same subject and
   * settings (H8): whatever it had not made durable is gone. Only for a backend the kit started as a process.
   */
  crashAndRestart(): Promise<BackendClient> {
    return this.#serialised(async () => {
      const current = this.#current;
      if (!this.options.launcher.canRestart || !current?.launched.kill)
        throw new NotRunnable("needs a backend the kit started as a process, so it can kill -9 it (use --backend-command)");
      this.#current = undefined;
      current.client.close();
      await current.launched.kill();
      if (!this.options.launcher.durable) this.userFunction.traffic.forgetHistory();
      return this.#start(current.subject, current.settings);
    });
  }

  /** Stops the backend gracefully; the next `serve` starts a new one. */
  async stopBackend(): Promise<void> {
    const current = this.#current;
    if (!current) return;
    this.#current = undefined;
    current.client.close();
    await current.launched.stop();
    // A volatile journal forgot everything: so must the checker's view of acknowledged history.
    if (!this.options.launcher.durable) this.userFunction.traffic.forgetHistory();
  }

  /**
   * Starts the backend while the user function is down, then keeps it (A5). Down but
   * observed: the user function listens and refuses every ready() UNAVAILABLE, so the kit
   * sees each attempt; it stays so until a step brings it up.
   */
  async startWhileUserFunctionDown(subject: Subject): Promise<{ client: BackendClient; launched: LaunchedBackend; launchedAt: number }> {
    if (!this.options.launcher.canRestart) throw new NotRunnable("needs a backend the kit can start while its user function is down");
    await this.stopBackend();
    await this.userFunction.goDownRefusingReady();
    this.userFunction.serve(subject);
    const launchedAt = this.#launchTime();
    const launched = await this.options.launcher.launch({ userFunction: this.userFunction.address, settings: this.options.settings });
    const client = createBackendClient(launched.target);
    this.#current = { subject, settings: this.options.settings, launched, client, serving: false, launchedAt };
    return { client, launched, launchedAt };
  }

  /** The current backend's client, serving or not (A5 calls it before it serves). */
  async currentClient(): Promise<BackendClient> {
    if (!this.#current) throw new Error("no backend is running");
    return this.#current.client;
  }

  /** Waits until the current backend serves its subject. */
  async awaitServing(): Promise<void> {
    const current = this.#current;
    if (!current) throw new Error("no backend is running");
    await this.#awaitServing(current, this.options.startupTimeoutMs);
  }

  /**
   * Starts a backend on a subject it must refuse, and reports what it did (A3, A6). A clear
   * refusal is an exit, or a backend that keeps running, has asked ready() for the spec,
   * says NOT_SERVING on health (or, without health, UNIMPLEMENTED for every method) and
   * printed `words`. A backend that never answers is not refusing (issue 9, item 7): after
   * --startup-timeout it is reported as giving no clear refusal. Whenever one of the
   * subject's methods is answered, or a handle stream opens, the spec is being served.
   */
  async launchExpectingRefusal(subject: Subject, words: string): Promise<RefusalObservation> {
    if (!this.options.launcher.canRestart) throw new NotRunnable("needs a backend the kit can start on a malformed spec");
    await this.stopBackend();
    const uf = this.userFunction;
    if (!uf.isUp) await uf.comeUp();
    uf.serve(subject);
    const waitMs = this.options.startupTimeoutMs;
    const launchedAt = Date.now();
    const streamsBefore = uf.traffic.streams.length;
    const launched = await this.options.launcher.launch({ userFunction: uf.address, settings: this.options.settings });
    const client = createBackendClient(launched.target);
    let exited: string | undefined;
    const exit = launched.exited.then((how) => (exited = how));
    const observed = (refused: boolean, how: string): RefusalObservation => ({ refused, how, output: launched.output() });
    try {
      const deadline = launchedAt + waitMs;
      let last = "no answer yet";
      while (exited === undefined) {
        const left = deadline - Date.now();
        if (left <= 0) break;
        const opened = uf.traffic.streams.slice(streamsBefore);
        if (opened.length > 0)
          return observed(
            false,
            `it serves the spec: it opened a handle stream (${opened[0]!.entityId === undefined ? "no Init yet" : `entity ${JSON.stringify(opened[0]!.entityId)}`})`,
          );
        const probeMs = Math.min(this.#probeTimeoutMs, left);
        const answers = await probeMethods(client, subject, probeMs);
        const served = answers.filter((a) => a.served);
        if (served.length > 0)
          return observed(false, `it serves the spec: ${served.map((a) => `${a.method} (answered ${a.answer})`).join(", ")}`);
        if (exited !== undefined) break;
        const health = await checkHealth(client, probeMs);
        last = `health ${health === notOffered ? "not offered" : health}; ${answers.map((a) => `${a.method}: ${a.answer}`).join(", ")}`;
        const saysNotServing = health === "NOT_SERVING" || (health === notOffered && answers.every((a) => a.answer === "UNIMPLEMENTED"));
        const askedForSpec = uf.traffic.readyCalls.some((t) => t >= launchedAt);
        if (saysNotServing && askedForSpec && loosely(launched.output()).includes(loosely(words))) {
          return observed(true, `it keeps running without serving (${last})`);
        }
        // No event says "the port answers now": probe again after a pause, or at once on exit.
        await Promise.race([exit, sleep(100)]);
      }
      if (exited !== undefined) return observed(true, exited);
      return observed(
        false,
        `no clear refusal within ${waitMs} ms (--startup-timeout): it neither exited nor said NOT_SERVING with a message naming the problem (last probe: ${last}); not answering is not refusing`,
      );
    } finally {
      client.close();
      await launched.stop();
    }
  }

  async close(): Promise<void> {
    await this.stopBackend();
    await this.#uf?.close();
    this.#uf = undefined;
  }

  /** What the current backend printed, for verdicts. */
  backendOutput(): string {
    return this.#current?.launched.output() ?? "(no backend running)";
  }

  async #start(subject: Subject, settings: BackendSettings): Promise<BackendClient> {
    const uf = this.userFunction;
    if (!uf.isUp) await uf.comeUp();
    uf.serve(subject);
    const launchedAt = this.#launchTime();
    const launched = await this.options.launcher.launch({ userFunction: uf.address, settings });
    const incarnation: Incarnation = {
      subject,
      settings,
      launched,
      client: createBackendClient(launched.target),
      serving: false,
      launchedAt,
    };
    this.#current = incarnation;
    try {
      await this.#awaitServing(incarnation, this.options.startupTimeoutMs);
    } catch (error) {
      // The next scenario starts afresh instead of reusing a backend that never served.
      await this.stopBackend();
      throw error;
    }
    return incarnation.client;
  }

  /** A backend the kit did not start may have called ready() before its first scenario. */
  #launchTime(): number {
    return this.options.launcher.canRestart ? Date.now() : 0;
  }

  /**
   * Readiness depends on nothing under test (issue 9, item 1): the backend has
   * called ready() on the kit's user function since it was launched, and then
   * its port answers the subject's method with any gRPC status but UNIMPLEMENTED.
   */
  async #awaitServing(incarnation: Incarnation, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let exited: string | undefined;
    const exit = incarnation.launched.exited.then((how) => (exited = how));
    const traffic = this.userFunction.traffic;
    const readyCalled = () => traffic.readyCalls.some((t) => t >= incarnation.launchedAt);
    let last = "no answer yet";
    while (Date.now() < deadline) {
      if (exited !== undefined) {
        throw new BackendStartError(`the backend stopped before serving (${exited}); its output:\n${incarnation.launched.output()}`);
      }
      if (!readyCalled()) {
        last = "the backend has not called ready() on the kit's user function yet";
        // An event: the ready() call (or the backend's exit), bounded by what is left of the window.
        await untilTraffic(traffic, readyCalled, deadline - Date.now(), exit);
        continue;
      }
      const outcome = await probe(
        incarnation.client,
        incarnation.subject,
        Math.max(1, Math.min(this.#probeTimeoutMs, deadline - Date.now())),
      );
      if (isGrpcAnswer(outcome)) {
        incarnation.serving = true;
        return;
      }
      last = `ready() was called, but its port gives no gRPC answer (${outcome.ok ? "OK" : `${outcome.codeName}: ${outcome.details}`})`;
      // No event says "the port answers now": probe again after a pause.
      await Promise.race([exit, sleep(Math.min(100, Math.max(0, deadline - Date.now())))]);
    }
    throw new BackendStartError(
      `the backend did not serve ${incarnation.subject.spec.serviceName} within ${timeoutMs} ms (--startup-timeout; last probe: ${last}); its output:\n${incarnation.launched.output()}`,
    );
  }
}

/**
 * The subject's own method, without a key. A backend with an empty-key check answers
 * INVALID_ARGUMENT; one without may pass it to the user function (entity id "",
 * which no scenario uses). Either way it is an answer from a backend that serves.
 */
function probe(client: BackendClient, subject: Subject, timeoutMs: number): Promise<CallOutcome> {
  const path = subject.entity === "cart" ? cartMethodPath("GetCart") : modelMethodPath("Process");
  return client.unary(path, new Uint8Array(0), { timeoutMs });
}

/**
 * Any status the backend sent counts, except UNIMPLEMENTED (its port is open but the
 * user service is not registered yet); UNAVAILABLE (nothing listening, or the connection
 * dropped) and DEADLINE_EXCEEDED come from the kit's own client.
 */
function isGrpcAnswer(outcome: CallOutcome): boolean {
  return outcome.ok || ![grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.UNIMPLEMENTED].includes(outcome.code);
}

/**
 * Every unary method of a subject the backend must refuse, sent without a key: any status
 * the backend itself sends, but UNIMPLEMENTED or UNAVAILABLE, means the method is served.
 */
async function probeMethods(
  client: BackendClient,
  subject: Subject,
  timeoutMs: number,
): Promise<Array<{ method: string; answer: string; served: boolean }>> {
  const methods = [...subject.inputTypes.keys()].filter((m) => m !== "ProcessStream");
  const services = [...new Set([modelServiceName, subject.spec.serviceName])];
  const probes = services.flatMap((service) => methods.map((method) => ({ service, method })));
  return Promise.all(
    probes.map(async ({ service, method }) => {
      const outcome = await client.unary(`/${service}/${method}`, new Uint8Array(0), { timeoutMs });
      const answer = outcome.ok ? "OK" : outcome.codeName;
      const served =
        outcome.ok || ![grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.UNIMPLEMENTED].includes(outcome.code);
      return { method: services.length > 1 ? `${service}/${method}` : method, answer, served };
    }),
  );
}

function sameSettings(a: BackendSettings, b: BackendSettings): boolean {
  return a.passivationTimeoutMs === b.passivationTimeoutMs && a.relayTimeoutMs === b.relayTimeoutMs && a.relayBuffer === b.relayBuffer;
}

/** Words compared loosely: case, spaces, dashes and underscores do not matter ("persistence id" ~ "persistence_id"). */
export const loosely = (text: string) => text.toLowerCase().replace(/[\s_-]+/g, "");

function sameSubject(a: Subject, b: Subject): boolean {
  return a.name === b.name && a.spec.persistenceId === b.spec.persistenceId;
}

/** Resolves once `ready()` holds after a change in the user function's traffic, once `also` settles, or after `ms`. */
function untilTraffic(traffic: TrafficLog, ready: () => boolean, ms: number, also: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, Math.max(0, ms));
    const unsubscribe = traffic.onChange(() => {
      if (ready()) done();
    });
    void also.then(done, done);
    if (ready()) done();
    function done() {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    }
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
