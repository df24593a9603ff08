import type { Envelope, TestStepResultStatus as CucumberStatus } from "@cucumber/messages";
import { findKnownFailure, type KnownFailure } from "./known-failing-list.js";
import { judgeScenario, type NotRun, type ScenarioVerdict } from "./scenario-verdict.js";

/** Step statuses as plain strings (the messages package types them as an enum). */
type StepStatus = `${CucumberStatus}`;

const statusRank: Record<StepStatus, number> = { PASSED: 0, UNKNOWN: 1, SKIPPED: 2, PENDING: 3, UNDEFINED: 4, AMBIGUOUS: 5, FAILED: 6 };

/** The attachment a Before hook leaves when the kit skips a scenario on purpose; its body is `not run: <reason>`. */
export const notRunMediaType = "text/x.tck.not-run";

/** A line a step leaves for the readable run, printed under its scenario whatever the verdict (e.g. H8's trial counts). */
export const noteMediaType = "text/x.tck.note";

/** Where the collector hands what it judged. */
export interface VerdictSink {
  verdict(verdict: ScenarioVerdict): void;
  /**
   * A scenario skipped by the kit's own decision, with its reason. Without
   * this, such a scenario is judged like any other skipped one: failed.
   */
  readonly notRun?: (notRun: NotRun) => void;
}

/**
 * Follows cucumber's message stream and turns each finished test case into a
 * verdict (the known-failing list applied), or a not-run entry.
 */
export function createVerdictCollector(knownFailing: readonly KnownFailure[], sink: VerdictSink): (envelope: Envelope) => void {
  const pickles = new Map<string, { name: string; uri: string; tags: string[]; steps: Map<string, string> }>();
  const testCases = new Map<string, { pickleId: string; steps: Map<string, string> }>();
  const started = new Map<
    string,
    { testCaseId: string; status: StepStatus; failure?: { step: string; message: string }; notRun?: string; notes?: string[]; at: number }
  >();
  const hooks = new Map<string, string>();

  return (envelope) => {
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
        steps.set(
          step.id,
          step.pickleStepId
            ? (pickle?.steps.get(step.pickleStepId) ?? "step")
            : `${hooks.get(step.hookId ?? "") ?? "hook"} (After/Before hook)`,
        );
      }
      testCases.set(tc.id, { pickleId: tc.pickleId, steps });
    }
    if (envelope.testCaseStarted) {
      started.set(envelope.testCaseStarted.id, {
        testCaseId: envelope.testCaseStarted.testCaseId,
        status: "PASSED",
        at: performance.now(),
      });
    }
    if (envelope.attachment?.mediaType === notRunMediaType && envelope.attachment.testCaseStartedId) {
      const run = started.get(envelope.attachment.testCaseStartedId);
      if (run) run.notRun = envelope.attachment.body.replace(/^not run: /, "");
    }
    if (envelope.attachment?.mediaType === noteMediaType && envelope.attachment.testCaseStartedId) {
      const run = started.get(envelope.attachment.testCaseStartedId);
      if (run) (run.notes ??= []).push(envelope.attachment.body);
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
      // Skipped only ever by the kit's own decision (with a reason); any other skip is a failure.
      if (run.status === "SKIPPED" && run.notRun !== undefined && sink.notRun) {
        sink.notRun({ name: pickle.name, uri: pickle.uri, reason: run.notRun });
        return;
      }
      const passed = run.status === "PASSED";
      const known = findKnownFailure(knownFailing, pickle.name, pickle.tags);
      sink.verdict({
        name: pickle.name,
        uri: pickle.uri,
        tags: pickle.tags,
        status: run.status,
        kind: judgeScenario(passed, known),
        ...(passed || !run.failure ? {} : { failure: run.failure }),
        ...(known ? { knownFailure: known } : {}),
        ...(run.notes ? { notes: run.notes } : {}),
        durationMs: performance.now() - run.at,
      });
    }
  };
}

function describeStatus(status: StepStatus): string {
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
