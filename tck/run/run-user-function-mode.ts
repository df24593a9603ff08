import { dirname, join, resolve } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { Envelope, TestStepResultStatus as CucumberStatus } from "@cucumber/messages";
import { loadConfiguration, runCucumber, type ISupportCodeLibrary } from "@cucumber/cucumber/api";
import type { SubjectName, TckParameters } from "../world/tck-parameters.js";
import type { KnownFailure } from "./known-failing-list.js";
import { createProgressPrinter, type Output } from "./progress-printer.js";
import { judgeScenario, summarise, type RunSummary, type ScenarioVerdict } from "./scenario-verdict.js";

export type ReportKind = "junit" | "json" | "html";

export interface ReportRequest {
  readonly kind: ReportKind;
  readonly file: string;
}

export interface UserFunctionRunOptions {
  readonly target: string;
  readonly subject: SubjectName;
  /** Cucumber tag expression selecting scenarios, e.g. `@A1 or @property`. */
  readonly tags?: string;
  readonly timeoutMs: number;
  readonly snapshotEvery: number;
  readonly seed?: number;
  readonly runs: number;
  readonly reports?: readonly ReportRequest[];
  readonly knownFailing?: readonly KnownFailure[];
  /** Where the readable run goes (the CLI passes stdout). */
  readonly out: Output;
  readonly rerunCommand?: string;
}

const tckDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const featuresDir = resolve(tckDir, "../features");

/** Feature folders per subject: the same kit certifies any language's implementation of either. */
const featurePaths: Record<SubjectName, readonly string[]> = {
  "shopping-cart": [join(featuresDir, "shopping-cart")],
  model: [join(featuresDir, "user-function")],
};

const supportFiles = [
  join(tckDir, "world/hooks.ts"),
  join(tckDir, "world/parameter-types.ts"),
  join(tckDir, "steps/user-function/discovery.steps.ts"),
  join(tckDir, "steps/user-function/model-entity.steps.ts"),
  join(tckDir, "steps/user-function/shopping-cart.steps.ts"),
  join(tckDir, "steps/user-function/outcome.steps.ts"),
  join(tckDir, "steps/user-function/properties.steps.ts"),
];

// Step definitions register into one library per process; later runs reuse it (ESM modules load once).
let supportLibrary: ISupportCodeLibrary | undefined;

/** Step statuses as plain strings (the messages package types them as an enum). */
type TestStepResultStatus = `${CucumberStatus}`;

const statusRank: Record<TestStepResultStatus, number> = {
  PASSED: 0, UNKNOWN: 1, SKIPPED: 2, PENDING: 3, UNDEFINED: 4, AMBIGUOUS: 5, FAILED: 6,
};

/**
 * Runs the user-function-mode TCK against one user function and judges the
 * result with the known-failing list. Never throws for a broken user function:
 * whatever it does ends as failed scenarios.
 */
export async function runUserFunctionMode(options: UserFunctionRunOptions): Promise<RunSummary> {
  const knownFailing = options.knownFailing ?? [];
  const printer = createProgressPrinter(options.out);
  const parameters: TckParameters = {
    target: options.target,
    subject: options.subject,
    timeoutMs: options.timeoutMs,
    snapshotEvery: options.snapshotEvery,
    runs: options.runs,
    rerunCommand: options.rerunCommand ?? `tck user-function --target ${options.target} --subject ${options.subject}`,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  };
  printer.header(`TCK user-function mode: subject ${options.subject} at ${options.target} (timeout ${options.timeoutMs} ms, snapshot every ${options.snapshotEvery}, ${options.runs} runs per property${options.seed === undefined ? "" : `, seed ${options.seed}`})`);

  const verdicts: ScenarioVerdict[] = [];
  let problems = 0;
  try {
    const { runConfiguration } = await loadConfiguration({
      file: false,
      provided: {
        paths: [...featurePaths[options.subject]],
        import: supportLibrary ? [] : supportFiles,
        ...(options.tags ? { tags: options.tags } : {}),
        format: (options.reports ?? []).map((r): [string, string] => [r.kind, resolve(r.file)]),
        worldParameters: { ...parameters },
        strict: true,
        publish: false,
      },
    });
    const collector = createVerdictCollector(knownFailing, (verdict) => {
      verdicts.push(verdict);
      printer.scenario(verdict);
    });
    const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
    const result = await runCucumber(
      { ...runConfiguration, support: supportLibrary ?? runConfiguration.support },
      { cwd: process.cwd(), stdout: discard, stderr: process.stderr, env: process.env },
      (envelope) => collector(envelope),
    );
    supportLibrary = result.support;
  } catch (error) {
    problems++;
    printer.problem(`the run could not complete: ${(error as Error).stack ?? String(error)}`);
  }
  if (verdicts.length === 0 && problems === 0) {
    problems++;
    printer.problem(`no scenario matched${options.tags ? ` the tag expression ${options.tags}` : ""}`);
  }
  const summary = summarise(verdicts, knownFailing, problems);
  printer.summary(summary);
  return summary;
}

/** Follows cucumber's message stream and turns each finished test case into a verdict. */
function createVerdictCollector(knownFailing: readonly KnownFailure[], onVerdict: (v: ScenarioVerdict) => void) {
  const pickles = new Map<string, { name: string; uri: string; tags: string[]; steps: Map<string, string> }>();
  const testCases = new Map<string, { pickleId: string; steps: Map<string, string> }>();
  const started = new Map<string, { testCaseId: string; status: TestStepResultStatus; failure?: { step: string; message: string }; at: number }>();
  const hooks = new Map<string, string>();

  return (envelope: Envelope) => {
    if (envelope.hook) hooks.set(envelope.hook.id, envelope.hook.name ?? "hook");
    if (envelope.pickle) {
      const p = envelope.pickle;
      pickles.set(p.id, { name: p.name, uri: p.uri, tags: p.tags.map((t) => t.name), steps: new Map(p.steps.map((s) => [s.id, s.text])) });
    }
    if (envelope.testCase) {
      const tc = envelope.testCase;
      const pickle = pickles.get(tc.pickleId);
      const steps = new Map<string, string>();
      for (const step of tc.testSteps) {
        steps.set(step.id, step.pickleStepId ? (pickle?.steps.get(step.pickleStepId) ?? "step") : `${hooks.get(step.hookId ?? "") ?? "hook"} (After/Before hook)`);
      }
      testCases.set(tc.id, { pickleId: tc.pickleId, steps });
    }
    if (envelope.testCaseStarted) {
      started.set(envelope.testCaseStarted.id, { testCaseId: envelope.testCaseStarted.testCaseId, status: "PASSED", at: performance.now() });
    }
    if (envelope.testStepFinished) {
      const { testCaseStartedId, testStepId, testStepResult } = envelope.testStepFinished;
      const run = started.get(testCaseStartedId);
      if (run && statusRank[testStepResult.status] > statusRank[run.status]) {
        run.status = testStepResult.status;
        const step = testCases.get(run.testCaseId)?.steps.get(testStepId) ?? "step";
        const message = testStepResult.exception?.message ?? testStepResult.message ?? describeStatus(testStepResult.status);
        run.failure = { step, message };
      }
    }
    if (envelope.testCaseFinished && !envelope.testCaseFinished.willBeRetried) {
      const run = started.get(envelope.testCaseFinished.testCaseStartedId);
      const testCase = run && testCases.get(run.testCaseId);
      const pickle = testCase && pickles.get(testCase.pickleId);
      if (!run || !pickle) return;
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

function describeStatus(status: TestStepResultStatus): string {
  switch (status) {
    case "UNDEFINED":
      return "the step has no definition in the kit (a kit bug)";
    case "AMBIGUOUS":
      return "the step matches several definitions (a kit bug)";
    case "SKIPPED":
      return "skipped after an earlier step failed";
    case "PENDING":
      return "the step is pending";
    default:
      return status;
  }
}
