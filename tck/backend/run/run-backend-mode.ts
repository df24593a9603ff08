import { randomBytes } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { Envelope, TestStepResultStatus as CucumberStatus } from "@cucumber/messages";
import { loadConfiguration, runCucumber, type ISupportCodeLibrary } from "@cucumber/cucumber/api";
import type { KnownFailure } from "../../run/known-failing-list.js";
import { createProgressPrinter, type Output } from "../../run/progress-printer.js";
import { judgeScenario, summarise, type RunSummary, type ScenarioVerdict } from "../../run/scenario-verdict.js";
import type { BackendLauncher } from "../driver/backend-launcher.js";
import type { BackendSettings } from "../driver/backend-settings.js";
import { BackendStage } from "../driver/backend-stage.js";
import type { BackendModeParameters } from "../world/backend-mode-parameters.js";
import { useBackendStage } from "../world/stage-registry.js";

export type ReportKind = "junit" | "json" | "html";

export interface BackendModeOptions {
  readonly launcher: BackendLauncher;
  readonly settings: BackendSettings;
  /** Cucumber tag expression selecting scenarios, e.g. `@D9 or @G5`. */
  readonly tags?: string;
  readonly timeoutMs: number;
  readonly startupTimeoutMs: number;
  /** Fixed port for the kit's user function (a backend started by hand points at it). */
  readonly userFunctionPort?: number;
  readonly seed?: number;
  readonly runs: number;
  readonly reports?: readonly { readonly kind: ReportKind; readonly file: string }[];
  readonly knownFailing?: readonly KnownFailure[];
  readonly out: Output;
  readonly rerunCommand?: string;
}

/** A scenario the run could not execute against this backend, and why. */
export interface NotRun {
  readonly name: string;
  readonly uri: string;
  readonly reason: string;
}

export interface BackendRunSummary extends RunSummary {
  readonly notRun: readonly NotRun[];
}

const tckDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const featuresDir = resolve(tckDir, "../features/backend");
const supportFiles = [
  "world/backend-hooks.ts",
  "world/backend-parameter-types.ts",
  "steps/calls.steps.ts",
  "steps/concurrency.steps.ts",
  "steps/discovery.steps.ts",
  "steps/entity-keys.steps.ts",
  "steps/misbehaviour.steps.ts",
  "steps/operations.steps.ts",
  "steps/properties.steps.ts",
  "steps/shopping-cart.steps.ts",
  "steps/storage.steps.ts",
  "steps/traffic.steps.ts",
].map((file) => join(tckDir, "backend", file));

// Step definitions register once per process (ESM modules load once); later runs reuse the library.
let supportLibrary: ISupportCodeLibrary | undefined;

type StepStatus = `${CucumberStatus}`;
const statusRank: Record<StepStatus, number> = { PASSED: 0, UNKNOWN: 1, SKIPPED: 2, PENDING: 3, UNDEFINED: 4, AMBIGUOUS: 5, FAILED: 6 };

/**
 * Runs backend mode: starts the kit's instrumented user function, starts (or
 * finds) the backend under test pointed at it, runs features/backend, and judges
 * the result with the known-failing list. A broken backend ends as failed
 * scenarios, never as an exception.
 */
export async function runBackendMode(options: BackendModeOptions): Promise<BackendRunSummary> {
  const knownFailing = options.knownFailing ?? [];
  const printer = createProgressPrinter(options.out);
  const runId = randomBytes(4).toString("hex");
  const parameters: BackendModeParameters = {
    timeoutMs: options.timeoutMs,
    runId,
    runs: options.runs,
    rerunCommand: options.rerunCommand ?? "tck backend …",
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  };
  const s = options.settings;
  printer.header(
    `TCK backend mode: ${options.launcher.description}\n` +
      `  passivation timeout ${s.passivationTimeoutMs} ms, relay timeout ${s.relayTimeoutMs} ms, relay buffer ${s.relayBuffer}; ` +
      `restartable: ${options.launcher.canRestart ? "yes" : "no"}, durable journal: ${options.launcher.durable ? "yes" : "no"}; run id ${runId}`,
  );
  const stage = new BackendStage({
    launcher: options.launcher,
    settings: options.settings,
    startupTimeoutMs: options.startupTimeoutMs,
    ...(options.userFunctionPort === undefined ? {} : { userFunctionPort: options.userFunctionPort }),
  });
  const verdicts: ScenarioVerdict[] = [];
  const notRun: NotRun[] = [];
  let problems = 0;
  try {
    await stage.open();
    options.out.write(`  the kit's user function listens on ${stage.userFunction.address}\n\n`);
    useBackendStage(stage);
    const { runConfiguration } = await loadConfiguration({
      file: false,
      provided: {
        paths: [featuresDir],
        import: supportLibrary ? [] : supportFiles,
        ...(options.tags ? { tags: options.tags } : {}),
        format: (options.reports ?? []).map((r): [string, string] => [r.kind, resolve(r.file)]),
        worldParameters: { ...parameters },
        strict: true,
        publish: false,
      },
    });
    const collect = createVerdictCollector(knownFailing, (verdict) => {
      verdicts.push(verdict);
      printer.scenario(verdict);
    }, (skipped) => {
      notRun.push(skipped);
      options.out.write(`  ○ ${skipped.name} (${skipped.uri})\n      not run: ${skipped.reason}\n`);
    });
    const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
    const result = await runCucumber(
      { ...runConfiguration, support: supportLibrary ?? runConfiguration.support },
      { cwd: process.cwd(), stdout: discard, stderr: process.stderr, env: process.env },
      (envelope) => collect(envelope),
    );
    supportLibrary = result.support;
  } catch (error) {
    problems++;
    printer.problem(`the run could not complete: ${(error as Error).stack ?? String(error)}`);
  } finally {
    useBackendStage(undefined);
    try {
      await stage.close();
    } catch (error) {
      problems++;
      printer.problem(`stopping the backend failed: ${(error as Error).message}`);
    }
  }
  if (verdicts.length === 0 && notRun.length === 0 && problems === 0) {
    problems++;
    printer.problem(`no scenario matched${options.tags ? ` the tag expression ${options.tags}` : ""}`);
  }
  const summary = { ...summarise(verdicts, knownFailing, problems), notRun };
  printSummary(options.out, summary);
  return summary;
}

/** The run's last line is the one CI reads: "N passed, N failed, N not run". */
function printSummary(out: Output, s: BackendRunSummary): void {
  out.write("\n");
  if (s.expectedFailures > 0) out.write(`${s.expectedFailures} expected failure(s) from the known-failing list (not counted)\n`);
  for (const k of s.unmatchedKnownFailures) out.write(`warning: known-failing list line ${k.line} matched no scenario in this run: ${JSON.stringify(k.scenario)}\n`);
  const failed = s.verdicts.filter((v) => v.kind === "failed" || v.kind === "now-passing").map((v) => v.name);
  if (failed.length > 0) out.write(`failed scenarios:\n${failed.map((n) => `  - ${n}\n`).join("")}`);
  if (s.notRun.length > 0) out.write(`not run (never counted as passed):\n${s.notRun.map((n) => `  - ${n.name}: ${n.reason}\n`).join("")}`);
  out.write(`${s.passed} passed, ${s.failed} failed, ${s.notRun.length} not run\n`);
}

/** Follows cucumber's message stream: each finished test case becomes a verdict, or a not-run entry. */
function createVerdictCollector(knownFailing: readonly KnownFailure[], onVerdict: (v: ScenarioVerdict) => void, onNotRun: (n: NotRun) => void) {
  const pickles = new Map<string, { name: string; uri: string; tags: string[]; steps: Map<string, string> }>();
  const testCases = new Map<string, { pickleId: string; steps: Map<string, string> }>();
  const started = new Map<string, { testCaseId: string; status: StepStatus; failure?: { step: string; message: string }; notRun?: string; at: number }>();

  return (envelope: Envelope) => {
    if (envelope.pickle) {
      const p = envelope.pickle;
      pickles.set(p.id, { name: p.name, uri: p.uri, tags: p.tags.map((t) => t.name), steps: new Map(p.steps.map((s) => [s.id, s.text])) });
    }
    if (envelope.testCase) {
      const tc = envelope.testCase;
      const pickle = pickles.get(tc.pickleId);
      const steps = new Map<string, string>();
      for (const step of tc.testSteps) steps.set(step.id, step.pickleStepId ? (pickle?.steps.get(step.pickleStepId) ?? "step") : "a hook");
      testCases.set(tc.id, { pickleId: tc.pickleId, steps });
    }
    if (envelope.testCaseStarted) {
      started.set(envelope.testCaseStarted.id, { testCaseId: envelope.testCaseStarted.testCaseId, status: "PASSED", at: performance.now() });
    }
    if (envelope.attachment?.mediaType === "text/x.tck.not-run" && envelope.attachment.testCaseStartedId) {
      const run = started.get(envelope.attachment.testCaseStartedId);
      if (run) run.notRun = envelope.attachment.body.replace(/^not run: /, "");
    }
    if (envelope.testStepFinished) {
      const { testCaseStartedId, testStepId, testStepResult } = envelope.testStepFinished;
      const run = started.get(testCaseStartedId);
      if (run && statusRank[testStepResult.status] > statusRank[run.status]) {
        run.status = testStepResult.status;
        const step = testCases.get(run.testCaseId)?.steps.get(testStepId) ?? "step";
        run.failure = { step, message: testStepResult.exception?.message ?? testStepResult.message ?? testStepResult.status };
      }
    }
    if (envelope.testCaseFinished && !envelope.testCaseFinished.willBeRetried) {
      const run = started.get(envelope.testCaseFinished.testCaseStartedId);
      const testCase = run && testCases.get(run.testCaseId);
      const pickle = testCase && pickles.get(testCase.pickleId);
      if (!run || !pickle) return;
      // Skipped only ever by the kit's own decision (with a reason); any other skip is a failure.
      if (run.status === "SKIPPED" && run.notRun !== undefined) {
        onNotRun({ name: pickle.name, uri: pickle.uri, reason: run.notRun });
        return;
      }
      const passed = run.status === "PASSED";
      const known = knownFailing.find((k) => k.scenario === pickle.name);
      onVerdict({
        name: pickle.name,
        uri: pickle.uri,
        tags: pickle.tags,
        status: run.status,
        kind: judgeScenario(passed, known),
        ...(passed || !run.failure ? {} : { failure: run.failure }),
        ...(known ? { knownFailure: known } : {}),
        durationMs: performance.now() - run.at,
      });
    }
  };
}
