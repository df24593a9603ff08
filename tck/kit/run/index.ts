export { type KnownFailure, KnownFailingListError, parseKnownFailingList, readKnownFailingList } from "./known-failing-list.js";
export { createProgressPrinter, type Output, type ProgressPrinter } from "./progress-printer.js";
export { createFeatureRunner, type FeatureRun, type FeatureRunner } from "./feature-runner.js";
export type { ReportKind, ReportRequest } from "./report-request.js";
export type { RunOptions } from "./run-options.js";
export { RunRecord, type RecordedRunSummary, type RunRecordOptions } from "./run-record.js";
export { judgeScenario, type NotRun, type RunSummary, type ScenarioVerdict, summarise, type VerdictKind } from "./scenario-verdict.js";
export { createVerdictCollector, notRunMediaType, type VerdictSink } from "./verdict-collector.js";
