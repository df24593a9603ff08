import { parseArgs } from "node:util";
import { isSubjectName, subjectNames, type SubjectName } from "../../kit/subjects/subject-name.js";
import { type ReportKind, type ReportRequest, reportKinds, reportUsage } from "../../kit/run/report-request.js";
import {
  expectedFailureFiles,
  expectedFailureOptions,
  expectedFailureUsage,
  type ExpectedFailureFiles,
} from "../../kit/cli/expected-failure-flags.js";
import { UsageError } from "../../kit/cli/usage-error.js";

/** The user-function mode's configuration, fully resolved and validated at the edge. */
export interface UserFunctionConfig extends ExpectedFailureFiles {
  readonly target: string;
  /** Absent: inferred from the service the target's `ready()` names (the preflight does it). */
  readonly subject?: SubjectName;
  readonly tags?: string;
  readonly reports: readonly ReportRequest[];
  readonly timeoutMs: number;
  readonly snapshotEvery: number;
  readonly seed?: number;
  readonly runs: number;
}

export const userFunctionUsage = `Usage: tck user-function --target HOST:PORT [options]

Plays the backend against a user function at HOST:PORT and judges what it does.

Options:
  --target HOST:PORT       the user function under test (required)
  --subject NAME           what it implements: shopping-cart or model (the TCK model entity); default:
                           the one whose service the target's ready() names
  --tags EXPR              cucumber tag expression selecting scenarios, e.g. "@A1 or @property", "not @C9";
                           "not @rule-quantity" excludes a domain rule set the seed does not state
                           (tck/COVERAGE.md lists them)
${reportUsage},
                           e.g. junit:reports/tck.xml,html:reports/tck.html
${expectedFailureUsage}
  --timeout MS             bound on every wait for the user function (default 5000)
  --snapshot-every N       the subject's snapshot interval (default 5)
  --seed N                 fast-check seed for the properties (default: a fresh one, printed on failure)
  --runs N                 fast-check runs per property (default 100)
  --help                   this text

Before any scenario, one ready() call checks that the target is a user function of the chosen
subject; if it is unreachable, not a user function, or another subject, the kit prints one line
saying what it found and exits 2.

The run ends with the line "N passed, N failed"; the exit code is 0 only when nothing failed
(1: something failed; 2: wrong command line, or a target that cannot be judged).`;

/** Parses the arguments after `user-function`; throws UsageError with a reason a person can act on. */
export function parseUserFunctionArgs(args: readonly string[]): UserFunctionConfig | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: "string" },
        subject: { type: "string" },
        tags: { type: "string" },
        report: { type: "string", multiple: true },
        ...expectedFailureOptions,
        timeout: { type: "string" },
        "snapshot-every": { type: "string" },
        seed: { type: "string" },
        runs: { type: "string" },
        help: { type: "boolean" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) return "help";
  if (!v.target) throw new UsageError("--target HOST:PORT is required");
  if (!/^[^\s:]+:\d{1,5}$/.test(v.target) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(v.target)) {
    throw new UsageError(`--target must be HOST:PORT, got ${JSON.stringify(v.target)}`);
  }
  const subject = v.subject;
  if (subject !== undefined && !isSubjectName(subject))
    throw new UsageError(`--subject must be one of ${subjectNames.join(", ")}, got ${JSON.stringify(subject)}`);
  const reports = (v.report ?? [])
    .flatMap((list) => list.split(","))
    .filter((r) => r !== "")
    .map(parseReport);
  return {
    target: v.target,
    ...(subject === undefined ? {} : { subject }),
    ...(v.tags ? { tags: v.tags } : {}),
    reports,
    ...expectedFailureFiles(v),
    timeoutMs: positiveInteger(v.timeout, "--timeout", 5000),
    snapshotEvery: positiveInteger(v["snapshot-every"], "--snapshot-every", 5),
    ...(v.seed === undefined ? {} : { seed: integer(v.seed, "--seed") }),
    runs: positiveInteger(v.runs, "--runs", 100),
  };
}

function parseReport(text: string): ReportRequest {
  const colon = text.indexOf(":");
  const kind = text.slice(0, colon);
  const file = text.slice(colon + 1);
  if (colon < 0 || file === "" || !(reportKinds as readonly string[]).includes(kind)) {
    throw new UsageError(`--report entries are KIND:FILE with KIND one of ${reportKinds.join(", ")}, got ${JSON.stringify(text)}`);
  }
  return { kind: kind as ReportKind, file };
}

function integer(text: string, flag: string): number {
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n)) throw new UsageError(`${flag} must be an integer, got ${JSON.stringify(text)}`);
  return n;
}

function positiveInteger(text: string | undefined, flag: string, fallback: number): number {
  if (text === undefined) return fallback;
  const n = integer(text, flag);
  if (n < 1) throw new UsageError(`${flag} must be at least 1, got ${n}`);
  return n;
}

/** The command that reruns this configuration (properties append tags, seed and runs). */
export function rerunCommandOf(config: UserFunctionConfig & { readonly subject: SubjectName }): string {
  return `npx tck user-function --target ${config.target} --subject ${config.subject} --timeout ${config.timeoutMs} --snapshot-every ${config.snapshotEvery}`;
}
