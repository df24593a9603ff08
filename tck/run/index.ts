export { type KnownFailure, KnownFailingListError, parseKnownFailingList, readKnownFailingList } from "./known-failing-list.js";
export { createProgressPrinter, type Output, type ProgressPrinter } from "./progress-printer.js";
export { type ReportKind, type ReportRequest, runUserFunctionMode, type UserFunctionRunOptions } from "./run-user-function-mode.js";
export { judgeScenario, type RunSummary, type ScenarioVerdict, summarise, type VerdictKind } from "./scenario-verdict.js";
