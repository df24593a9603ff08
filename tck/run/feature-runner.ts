import { resolve } from "node:path";
import { Writable } from "node:stream";
import { loadConfiguration, runCucumber, type ISupportCodeLibrary } from "@cucumber/cucumber/api";
import type { ReportRequest } from "./report-request.js";
import type { RunRecord } from "./run-record.js";
import { createVerdictCollector } from "./verdict-collector.js";

/** One cucumber run of a mode's features. */
export interface FeatureRun {
  readonly paths: readonly string[];
  /** Cucumber tag expression selecting scenarios. */
  readonly tags?: string;
  readonly reports?: readonly ReportRequest[];
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
            format: (run.reports ?? []).map((r): [string, string] => [r.kind, resolve(r.file)]),
            worldParameters: { ...run.worldParameters },
            strict: true,
            publish: false,
          },
        });
        const collect = createVerdictCollector(record.knownFailing, record);
        const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
        const result = await runCucumber(
          { ...runConfiguration, support: supportLibrary ?? runConfiguration.support },
          { cwd: process.cwd(), stdout: discard, stderr: process.stderr, env: process.env },
          (envelope) => collect(envelope),
        );
        supportLibrary = result.support;
      } catch (error) {
        record.problem(`the run could not complete: ${(error as Error).stack ?? String(error)}`);
      }
    },
  };
}
