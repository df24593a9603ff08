import type { Capability } from "../world/not-run-reason.js";
import { randomBytes } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { moduleExtension, packageRoot } from "../../../reference/protocol/index.js";
import { createFeatureRunner } from "../../kit/run/feature-runner.js";
import { PreflightError } from "../../kit/run/preflight-error.js";
import type { RunOptions } from "../../kit/run/run-options.js";
import { reportSettings } from "../../kit/run/report-settings.js";
import { RunRecord, type RecordedRunSummary } from "../../kit/run/run-record.js";
import type { BackendLauncher } from "../driver/backend-launcher.js";
import type { BackendSettings } from "../driver/backend-settings.js";
import { BackendStage, BackendStartError } from "../driver/backend-stage.js";
import { subjectOf } from "../../kit/doubles/instrumented-user-function/index.js";
import { backendStartPreflightError } from "./preflight-backend.js";
import type { BackendModeParameters } from "../world/backend-mode-parameters.js";
import { useBackendStage } from "../world/stage-registry.js";

export interface BackendModeOptions extends RunOptions {
  readonly launcher: BackendLauncher;
  readonly settings: BackendSettings;
  readonly startupTimeoutMs: number;
  /** Capabilities the backend declares it lacks. */
  readonly lacks?: readonly Capability[];
  /** Fixed port for the kit's user function (a backend started by hand points at it). */
  readonly userFunctionPort?: number;
}

/** The run's summary; scenarios needing what this backend cannot give (a restart, another subject) are listed as not run. */
export type BackendRunSummary = RecordedRunSummary;

const tckDir = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const featuresDir = join(packageRoot(import.meta.url), "features/backend");
/** The step definitions are .ts from source and .js in the build. */
const ext = moduleExtension(import.meta.url);
const features = createFeatureRunner(
  [
    "world/backend-hooks",
    "world/backend-parameter-types",
    "steps/calls.steps",
    "steps/concurrency.steps",
    "steps/crash.steps",
    "steps/discovery.steps",
    "steps/entity-keys.steps",
    "steps/misbehaviour.steps",
    "steps/operations.steps",
    "steps/properties.steps",
    "steps/shopping-cart.steps",
    "steps/storage.steps",
    "steps/traffic.steps",
  ].map((file) => join(tckDir, "backend", file + ext)),
);

/**
 * Runs backend mode: starts the kit's instrumented user function, starts (or
 * finds) the backend under test pointed at it, runs features/backend, and judges
 * the result with the known-failing list. A broken backend ends as failed
 * scenarios, never as an exception.
 */
export async function runBackendMode(options: BackendModeOptions): Promise<BackendRunSummary> {
  const record = new RunRecord({ out: options.out, knownFailing: options.knownFailing ?? [], listsNotRun: true });
  const runId = randomBytes(4).toString("hex");
  const parameters: BackendModeParameters = {
    timeoutMs: options.timeoutMs,
    runId,
    runs: options.runs,
    rerunCommand: options.rerunCommand ?? "tck backend …",
    ...(options.lacks && options.lacks.length > 0 ? { lacks: options.lacks } : {}),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  };
  const s = options.settings;
  record.header(
    `TCK backend mode: ${options.launcher.description}\n` +
      `  passivation timeout ${s.passivationTimeoutMs} ms, relay timeout ${s.relayTimeoutMs} ms, relay buffer ${s.relayBuffer}; ` +
      `restartable: ${options.launcher.canRestart ? "yes" : "no"}, durable journal: ${options.launcher.durable ? "yes" : "no"}; run id ${runId}`,
  );
  const stage = new BackendStage({
    launcher: options.launcher,
    settings: options.settings,
    startupTimeoutMs: options.startupTimeoutMs,
    probeTimeoutMs: options.timeoutMs,
    ...(options.userFunctionPort === undefined ? {} : { userFunctionPort: options.userFunctionPort }),
  });
  try {
    await stage.open();
    options.out.write(`  the kit's user function listens on ${stage.userFunction.address}\n\n`);
    // Preflight: the first start, on the subject most scenarios use. A backend that never serves would
    // fail every scenario with the same reason; it ends the run with that reason once instead (exit 2).
    // Not with --tags: the scenarios chosen may each start the backend on another spec (A3, A6), which
    // is all a backend written for them needs to serve.
    if (!options.tags) {
      try {
        await stage.serve(subjectOf("model"));
      } catch (error) {
        if (error instanceof BackendStartError) throw backendStartPreflightError(error);
        throw error;
      }
    }
    useBackendStage(stage);
    await features.run(record, {
      paths: [featuresDir],
      ...(options.tags ? { tags: options.tags } : {}),
      ...(options.reports ? { reports: options.reports } : {}),
      reportSettings: reportSettings(
        "backend (the kit plays the client and the user function)",
        [
          ["backend", options.launcher.description],
          [
            "settings",
            `passivation timeout ${s.passivationTimeoutMs} ms, relay timeout ${s.relayTimeoutMs} ms, relay buffer ${s.relayBuffer}`,
          ],
          ["restartable", options.launcher.canRestart ? "yes" : "no"],
          ["durable journal", options.launcher.durable ? "yes" : "no"],
          ["run id", runId],
        ],
        options,
      ),
      worldParameters: parameters,
    });
  } catch (error) {
    if (error instanceof PreflightError) throw error;
    record.problem(`the run could not complete: ${(error as Error).stack ?? String(error)}`);
  } finally {
    useBackendStage(undefined);
    try {
      await stage.close();
    } catch (error) {
      record.problem(`stopping the backend failed: ${(error as Error).message}`);
    }
  }
  return record.finish(options.tags);
}
