import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { moduleExtension, packageRoot } from "../../../reference/protocol/index.js";
import type { SubjectName } from "../../kit/subjects/subject-name.js";
import type { TckParameters } from "../world/tck-parameters.js";
import { createFeatureRunner } from "../../kit/run/feature-runner.js";
import type { RunOptions } from "../../kit/run/run-options.js";
import { reportSettings } from "../../kit/run/report-settings.js";
import { RunRecord } from "../../kit/run/run-record.js";
import type { RunSummary } from "../../kit/run/scenario-verdict.js";

export interface UserFunctionRunOptions extends RunOptions {
  readonly target: string;
  readonly subject: SubjectName;
  readonly snapshotEvery: number;
}

/** tck/user-function/: this mode's world and steps. */
const modeDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const featuresDir = join(packageRoot(import.meta.url), "features");
/** The step definitions are .ts from source and .js in the build. */
const ext = moduleExtension(import.meta.url);

/** Feature folders per subject: the same kit certifies any language's implementation of either. */
const featurePaths: Record<SubjectName, readonly string[]> = {
  "shopping-cart": [join(featuresDir, "shopping-cart"), join(featuresDir, "protocol")],
  model: [join(featuresDir, "user-function"), join(featuresDir, "protocol")],
};

const features = createFeatureRunner([
  join(modeDir, `world/hooks${ext}`),
  join(modeDir, `world/parameter-types${ext}`),
  join(modeDir, `steps/discovery.steps${ext}`),
  join(modeDir, `steps/model-entity.steps${ext}`),
  join(modeDir, `steps/protocol.steps${ext}`),
  join(modeDir, `steps/shopping-cart.steps${ext}`),
  join(modeDir, `steps/outcome.steps${ext}`),
  join(modeDir, `steps/properties.steps${ext}`),
]);

/**
 * Runs the user-function-mode TCK against one user function and judges the
 * result with the known-failing list. Never throws for a broken user function:
 * whatever it does ends as failed scenarios.
 */
export async function runUserFunctionMode(options: UserFunctionRunOptions): Promise<RunSummary> {
  const record = new RunRecord({ out: options.out, knownFailing: options.knownFailing ?? [], listsNotRun: false });
  const parameters: TckParameters = {
    target: options.target,
    subject: options.subject,
    timeoutMs: options.timeoutMs,
    snapshotEvery: options.snapshotEvery,
    runs: options.runs,
    rerunCommand: options.rerunCommand ?? `tck user-function --target ${options.target} --subject ${options.subject}`,
    ...(options.seed === undefined ? {} : { seed: options.seed }),
  };
  record.header(
    `TCK user-function mode: subject ${options.subject} at ${options.target} (timeout ${options.timeoutMs} ms, snapshot every ${options.snapshotEvery}, ${options.runs} runs per property${options.seed === undefined ? "" : `, seed ${options.seed}`})`,
  );
  await features.run(record, {
    paths: featurePaths[options.subject],
    ...(options.tags ? { tags: options.tags } : {}),
    ...(options.reports ? { reports: options.reports } : {}),
    reportSettings: reportSettings(
      "user-function (the kit plays the backend)",
      [
        ["subject", options.subject],
        ["target", options.target],
        ["snapshot every", String(options.snapshotEvery)],
      ],
      options,
    ),
    worldParameters: parameters,
  });
  return record.finish(options.tags);
}
