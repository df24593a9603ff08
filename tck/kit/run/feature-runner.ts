import { resolve } from "node:path";
import { Writable } from "node:stream";
import { loadConfiguration, runCucumber, type ISupportCodeLibrary } from "@cucumber/cucumber/api";
import type { KitReportRun } from "./kit-html-report.js";
import type { ReportRequest } from "./report-request.js";
import { createPickleNamer, createReportWriter, cucumberFormats } from "./report-writer.js";
import type { RunRecord } from "./run-record.js";
import type { ScenarioVerdict } from "./scenario-verdict.js";
import { createVerdictCollector } from "./verdict-collector.js";

/** One cucumber run of a mode's features. */
export interface FeatureRun {
  readonly paths: readonly string[];
  /** Cucumber tag expression selecting scenarios. */
  readonly tags?: string;
  readonly reports?: readonly ReportRequest[];
  /** The run's settings as the kit's HTML report shows them. */
  readonly reportSettings?: KitReportRun["settings"];
  readonly worldParameters: object;
}

export interface FeatureRunner {
  /** Runs the features, judging each scenario into `record`. Never throws: a run that cannot complete is a problem in the record. */
  run(record: RunRecord, run: FeatureRun): Promise<void>;
}

/**
 * Runs one mode's features through cucumber's API with the kit's own output
 * (cucumber's is discarded; its formatters still write the reports).
 */
export function createFeatureRunner(supportFiles: readonly string[]): FeatureRunner {
  // Step definitions register into one library per mode and process; later runs
  // reuse it (ESM modules load once, so a second import would register nothing).
  let supportLibrary: ISupportCodeLibrary | undefined;
  return {
    async run(record, run) {
      try {
        const { runConfiguration } = await loadConfiguration({
          file: false,
          provided: {
            paths: [...run.paths],
            import: supportLibrary ? [] : [...supportFiles],
            ...(run.tags ? { tags: run.tags } : {}),
            // JUnit and HTML are written by the kit (createReportWriter), from the envelopes corrected by its verdicts.
            format: cucumberFormats(run.reports ?? []).map((r): [string, string] => [r.kind, resolve(r.file)]),
            worldParameters: { ...run.worldParameters },
            strict: true,
            publish: false,
          },
        });
        // The verdict the collector reached on the envelope just handed to it (set on a testCaseFinished).
        let judged: ScenarioVerdict | undefined;
        const collect = createVerdictCollector(record.knownFailing, {
          verdict: (verdict) => {
            judged = verdict;
            record.verdict(verdict);
          },
          ...(record.notRun ? { notRun: record.notRun } : {}),
        });
        const name = createPickleNamer();
        const reports = createReportWriter(
          (run.reports ?? []).map((r) => ({ kind: r.kind, file: resolve(r.file) })),
          { settings: run.reportSettings ?? [] },
        );
        const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
        try {
          const result = await runCucumber(
            { ...runConfiguration, support: supportLibrary ?? runConfiguration.support },
            { cwd: process.cwd(), stdout: discard, stderr: process.stderr, env: process.env },
            (raw) => {
              const envelope = name(raw);
              judged = undefined;
              collect(envelope);
              reports.envelope(envelope, judged);
            },
          );
          supportLibrary = result.support;
        } finally {
          await reports.finish();
        }
      } catch (error) {
        record.problem(`the run could not complete: ${(error as Error).stack ?? String(error)}`);
      }
    },
  };
}
