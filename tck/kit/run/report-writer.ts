import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { finished } from "node:stream/promises";
import { CucumberHtmlStream } from "@cucumber/html-formatter";
import { JUnitXmlPrinter } from "@cucumber/junit-xml-formatter";
import type { Envelope, GherkinDocument, TestStepResult } from "@cucumber/messages";
import { NamingStrategyExampleName, NamingStrategyFeatureName, NamingStrategyLength, namingStrategy } from "@cucumber/query";
import { expectedFailureText, nowPassesText } from "./verdict-text.js";
import { createScenarioGatherer, type KitReportRun, readCatalogue, renderKitReport } from "./kit-html-report.js";
import type { ReportRequest } from "./report-request.js";
import type { ScenarioVerdict } from "./scenario-verdict.js";

/**
 * Gives every Scenario Outline example a name of its own: cucumber substitutes
 * placeholders in the name, but an outline whose name has none would give all
 * its examples one name. Such an example's name gets its values appended
 * (`… (quantity 0)`). Applied to every envelope before anything reads it, so
 * the readable run, the known-failing list and every report use the same names.
 */
export function createPickleNamer(): (envelope: Envelope) => Envelope {
  const outlines = new Map<string, string>();
  const rows = new Map<string, string>();
  const visit = (children: ReadonlyArray<{ scenario?: unknown; rule?: { children: ReadonlyArray<{ scenario?: unknown }> } }>) => {
    for (const child of children) {
      const scenario = child.scenario as GherkinScenario | undefined;
      if (scenario && scenario.examples.length > 0) {
        outlines.set(scenario.id, scenario.name);
        for (const examples of scenario.examples) {
          const header = examples.tableHeader?.cells.map((c) => c.value) ?? [];
          for (const row of examples.tableBody) rows.set(row.id, row.cells.map((c, i) => `${header[i] ?? "?"} ${c.value}`).join(", "));
        }
      }
      if (child.rule) visit(child.rule.children);
    }
  };
  return (envelope) => {
    if (envelope.gherkinDocument) visit((envelope.gherkinDocument as GherkinDocument).feature?.children ?? []);
    const pickle = envelope.pickle;
    if (!pickle || pickle.astNodeIds.length < 2) return envelope;
    const [scenarioId, rowId] = pickle.astNodeIds;
    const outline = outlines.get(scenarioId ?? "");
    const values = rows.get(rowId ?? "");
    if (outline === undefined || values === undefined || pickle.name !== outline) return envelope;
    return { ...envelope, pickle: { ...pickle, name: `${pickle.name} (${values})` } };
  };
}

interface GherkinScenario {
  id: string;
  name: string;
  examples: Array<{ tableHeader?: { cells: Array<{ value: string }> }; tableBody: Array<{ id: string; cells: Array<{ value: string }> }> }>;
}

/** Writes the reports the kit writes itself (JUnit XML, HTML) and corrects cucumber's JSON, all agreeing with the kit's verdicts. */
export interface ReportWriter {
  /** Every envelope of the run, in order; `verdict` is the kit's verdict when the envelope finishes a test case. */
  envelope(envelope: Envelope, verdict: ScenarioVerdict | undefined): void;
  /** Flushes the reports; call after the run. */
  finish(): Promise<void>;
}

/** The reports cucumber writes itself (only JSON: corrected afterwards by `finish`). */
export function cucumberFormats(reports: readonly ReportRequest[]): ReportRequest[] {
  return reports.filter((r) => r.kind === "json");
}

/**
 * The reports say what the kit's verdict says: an expected failure (a failing
 * scenario on the known-failing list) shows as skipped with its reason, and a
 * listed scenario that now passes shows as a failure ("NOW PASSES"). Cucumber's
 * raw results would say the opposite of the exit code.
 */
export function createReportWriter(reports: readonly ReportRequest[], run: KitReportRun = { settings: [] }): ReportWriter {
  // As cucumber does for its own reports: the report's folder is made if need be.
  for (const report of reports) if (report.kind !== "json") mkdirSync(dirname(report.file), { recursive: true });
  const junit = reports.filter((r) => r.kind === "junit");
  const html = reports.filter((r) => r.kind === "cucumber-html");
  const kitHtml = reports.filter((r) => r.kind === "html");
  const gathered = kitHtml.length > 0 ? createScenarioGatherer() : undefined;
  const json = reports.filter((r) => r.kind === "json");
  const printers = junit.map((report) => {
    let xml = "";
    const printer = new JUnitXmlPrinter(
      // The pickle's own name: each Outline example carries its values (see createPickleNamer).
      {
        testNamingStrategy: namingStrategy(NamingStrategyLength.SHORT, NamingStrategyFeatureName.EXCLUDE, NamingStrategyExampleName.PICKLE),
      },
      (content) => (xml = content),
    );
    return { printer, write: () => writeFileSync(report.file, xml) };
  });
  const htmlStreams = html.map((report) => {
    const stream = new CucumberHtmlStream();
    const out = createWriteStream(report.file);
    stream.pipe(out);
    return { stream, done: finished(out) };
  });
  const emit = (envelope: Envelope) => {
    for (const { printer } of printers) printer.update(envelope);
    for (const { stream } of htmlStreams) stream.write(envelope);
  };

  const pickles = new Map<string, { uri: string; line: number | undefined }>();
  const testCases = new Map<string, string>();
  const startedCases = new Map<string, string>();
  /** Envelopes of the test case under way, held until its verdict is known. */
  let held: Envelope[] = [];
  let holding: string | undefined;
  /** Verdicts to correct cucumber's JSON with, by feature uri and scenario line. */
  const corrections = new Map<string, ScenarioVerdict>();

  return {
    envelope(envelope, verdict) {
      gathered?.envelope(envelope, verdict);
      if (envelope.pickle) pickles.set(envelope.pickle.id, { uri: envelope.pickle.uri, line: envelope.pickle.location?.line });
      if (envelope.testCase) testCases.set(envelope.testCase.id, envelope.testCase.pickleId);
      if (envelope.testCaseStarted) {
        startedCases.set(envelope.testCaseStarted.id, envelope.testCaseStarted.testCaseId);
        holding = envelope.testCaseStarted.id;
      }
      if (holding === undefined) return emit(envelope);
      held.push(envelope);
      if (!envelope.testCaseFinished || envelope.testCaseFinished.testCaseStartedId !== holding) return;
      const pickle = pickles.get(testCases.get(startedCases.get(holding) ?? "") ?? "");
      if (verdict && pickle?.line !== undefined && (verdict.kind === "expected-failure" || verdict.kind === "now-passing")) {
        corrections.set(`${pickle.uri}:${pickle.line}`, verdict);
      }
      for (const e of agreeWithVerdict(held, verdict)) emit(e);
      held = [];
      holding = undefined;
    },
    async finish() {
      for (const e of held) emit(e);
      held = [];
      for (const { write } of printers) write();
      for (const { stream } of htmlStreams) stream.end();
      await Promise.all(htmlStreams.map((h) => h.done));
      for (const report of json) if (existsSync(report.file)) correctJsonReport(report.file, corrections);
      if (gathered) {
        const page = renderKitReport(run, gathered.scenarios, readCatalogue());
        for (const report of kitHtml) writeFileSync(report.file, page);
      }
    },
  };
}

/** One test case's envelopes, their step results rewritten to say what the verdict says. */
export function agreeWithVerdict(envelopes: readonly Envelope[], verdict: ScenarioVerdict | undefined): Envelope[] {
  if (verdict?.kind === "expected-failure") {
    const reason = expectedFailureText(verdict);
    // Every skipped step carries the reason: the JUnit printer shows the last one of the most severe status.
    return envelopes.map((e) => {
      const finished = e.testStepFinished;
      const status = finished?.testStepResult.status;
      if (!finished || (status !== "FAILED" && status !== "SKIPPED")) return e;
      const original =
        status === "FAILED" ? `\n${finished.testStepResult.exception?.message ?? finished.testStepResult.message ?? ""}` : "";
      const result: TestStepResult = {
        ...finished.testStepResult,
        status: "SKIPPED" as TestStepResult["status"],
        message: reason + original,
        exception: { type: "ExpectedFailure", message: reason + original },
      };
      return { ...e, testStepFinished: { ...finished, testStepResult: result } };
    });
  }
  if (verdict?.kind === "now-passing") {
    const last = envelopes.map((e) => Boolean(e.testStepFinished)).lastIndexOf(true);
    const message = nowPassesText(verdict);
    return envelopes.map((e, i) => {
      if (i !== last || !e.testStepFinished) return e;
      const result: TestStepResult = {
        ...e.testStepFinished.testStepResult,
        status: "FAILED" as TestStepResult["status"],
        message,
        exception: { type: "NowPasses", message },
      };
      return { ...e, testStepFinished: { ...e.testStepFinished, testStepResult: result } };
    });
  }
  return [...envelopes];
}

interface JsonStep {
  result?: { status: string; error_message?: string };
}
interface JsonElement {
  line: number;
  type?: string;
  before?: JsonStep[];
  steps?: JsonStep[];
  after?: JsonStep[];
}

/** Cucumber's JSON report, corrected like the other reports: expected failures skipped with their reason, NOW PASSES failed. */
function correctJsonReport(file: string, corrections: ReadonlyMap<string, ScenarioVerdict>): void {
  if (corrections.size === 0) return;
  const features = JSON.parse(readFileSync(file, "utf8")) as Array<{ uri: string; elements?: JsonElement[] }>;
  for (const feature of features) {
    for (const element of feature.elements ?? []) {
      const verdict = corrections.get(`${feature.uri}:${element.line}`);
      if (!verdict) continue;
      const steps = [...(element.before ?? []), ...(element.steps ?? []), ...(element.after ?? [])];
      if (verdict.kind === "expected-failure") {
        for (const step of steps) {
          if (step.result?.status === "failed")
            step.result = {
              ...step.result,
              status: "skipped",
              error_message: `${expectedFailureText(verdict)}\n${step.result.error_message ?? ""}`,
            };
        }
      } else {
        const last = steps.at(-1);
        if (last) last.result = { ...(last.result ?? {}), status: "failed", error_message: nowPassesText(verdict) };
      }
    }
  }
  writeFileSync(file, JSON.stringify(features, null, 2));
}
