/**
 * The pure parts of `npm run bench`: its arguments, medians and ratios, targets, and the one line
 * printed per figure. No I/O here (ci/bench/figures.test.ts tests it).
 */
import { parseArgs } from "node:util";

export type GeneratorChoice = "auto" | "ghz" | "node";

export interface BenchOptions {
  readonly quick: boolean;
  readonly generator: GeneratorChoice;
  readonly json: string | undefined;
  /** Seconds per load run. */
  readonly durationSeconds: number;
  /** Baseline/subject pairs per figure. */
  readonly pairs: number;
  /** Figure groups to run (all when empty): P1, P2 (needs P1), P3, P5, P6, scaling, cassandra. */
  readonly only: readonly string[];
  readonly cassandra: boolean;
  /** How the measured programs (backend, cart) run: TypeScript through tsx, or the built JavaScript in dist/. */
  readonly runtime: "tsx" | "built";
  /** Where the main backend and cart write V8 CPU profiles (`--cpu-prof-dir`), summarised at the end; none when undefined. */
  readonly profile: string | undefined;
}

export const figureGroups = ["P1", "P3", "P5", "P6", "scaling", "cassandra"] as const;

export const usage = `Usage: npm run bench -- [options]

Measures the reference backend and the sample shopping cart against baselines started in the same
run (a raw grpc-js echo server with the cart's service and types; a raw grpc-js stream; the
in-memory journal for the Cassandra figures), as interleaved repeats (baseline, subject, baseline,
subject, ...), and prints one line per figure: subject, baseline, ratio of the medians, the
repeats, the load average. Everything it starts runs on free ports and is stopped at exit.

  --quick               short runs (2 s), 1 pair, smaller sizes (replay 1,000 and 10,000 events,
                        scaling at 10,000 carts); every figure still printed
  --generator <name>    load generator: auto (default: ghz if found or installable with
                        \`go install\`, else node) | ghz | node
  --json <file>         also write every figure to this file as JSON
  --duration <seconds>  seconds per load run (default 8, quick 2)
  --pairs <n>           baseline/subject pairs per figure (default 3, quick 1)
  --only <groups>       comma-separated: ${figureGroups.join(", ")} (P1 includes P2; default all)
  --runtime <how>       how the backend and the cart run: tsx (default: their TypeScript through
                        tsx, as npm start does) | built (npm run build first, then node on dist/);
                        the baselines run the same way in both
  --profile <dir>       the backend and the cart that serve P1-P3, P6 and scaling, and the cart
                        behind P5 and the Cassandra figures, write V8 CPU profiles into <dir>
                        (node --cpu-prof); the bench prints where each spent its CPU (gRPC and
                        HTTP/2, Node internals, protobuf, this project, GC) and its busiest
                        functions; e.g. --only P1 --profile prof
  --no-cassandra        skip the Cassandra figures even when CASSANDRA_CONTACT_POINTS is set
  --help, -h            show this text

Cassandra figures run only when CASSANDRA_CONTACT_POINTS (and CASSANDRA_LOCAL_DC) name a node; they
use a keyspace of their own (bench_...), dropped at the end.`;

export class UsageError extends Error {}

export type ParsedArgs = { readonly kind: "help" } | { readonly kind: "run"; readonly options: BenchOptions };

function positiveInteger(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`--${flag} must be a positive integer, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** The bench's arguments; a wrong one throws UsageError (the caller prints it and exits 2). */
export function parseBenchArgs(argv: readonly string[]): ParsedArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        quick: { type: "boolean", default: false },
        generator: { type: "string", default: "auto" },
        json: { type: "string" },
        duration: { type: "string" },
        pairs: { type: "string" },
        only: { type: "string" },
        "no-cassandra": { type: "boolean", default: false },
        runtime: { type: "string", default: "tsx" },
        profile: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: "help" };
  const generator = values.generator;
  if (generator !== "auto" && generator !== "ghz" && generator !== "node") {
    throw new UsageError(`--generator must be auto, ghz or node, got ${JSON.stringify(generator)}`);
  }
  const runtime = values.runtime;
  if (runtime !== "tsx" && runtime !== "built") throw new UsageError(`--runtime must be tsx or built, got ${JSON.stringify(runtime)}`);
  if (values.profile !== undefined && values.profile.trim() === "") throw new UsageError("--profile needs a folder");
  if (values.json !== undefined && values.json.trim() === "") throw new UsageError("--json needs a file name");
  const only = (values.only ?? "")
    .split(",")
    .map((group) => group.trim())
    .filter(Boolean);
  for (const group of only) {
    if (!(figureGroups as readonly string[]).includes(group)) {
      throw new UsageError(`--only: unknown group ${JSON.stringify(group)} (known: ${figureGroups.join(", ")})`);
    }
  }
  const quick = values.quick;
  return {
    kind: "run",
    options: {
      quick,
      generator,
      json: values.json,
      durationSeconds: positiveInteger("duration", values.duration, quick ? 2 : 8),
      pairs: positiveInteger("pairs", values.pairs, quick ? 1 : 3),
      only,
      cassandra: !values["no-cassandra"],
      runtime,
      profile: values.profile,
    },
  };
}

/** Median of the values (mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return Number.NaN;
  const sorted = [...finite].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** subject ÷ baseline; NaN when either is missing or the baseline is 0. */
export function ratio(subject: number, baseline: number): number {
  if (!Number.isFinite(subject) || !Number.isFinite(baseline) || baseline === 0) return Number.NaN;
  return subject / baseline;
}

export interface Target {
  /** What the target bounds: the ratio to the baseline, or the subject's own value. */
  readonly of: "ratio" | "subject";
  readonly op: ">=" | "<=";
  readonly value: number;
}

export interface Figure {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly baselineName: string;
  /** Subject values, one per repeat. */
  readonly subject: readonly number[];
  /** Baseline values, one per repeat; empty when the figure has no baseline. */
  readonly baseline: readonly number[];
  readonly target?: Target;
  /** 1, 5 and 15 minute load averages when the figure's last repeat ended. */
  readonly load: readonly number[];
  readonly note?: string;
  /** Set when the figure was not measured: why. */
  readonly skipped?: string;
}

export interface FigureResult extends Figure {
  readonly subjectMedian: number;
  readonly baselineMedian: number;
  readonly ratio: number;
  /** undefined when there is no target or nothing to compare. */
  readonly met: boolean | undefined;
}

export function evaluate(figure: Figure): FigureResult {
  const subjectMedian = median(figure.subject);
  const baselineMedian = median(figure.baseline);
  const r = ratio(subjectMedian, baselineMedian);
  let met: boolean | undefined;
  if (figure.target && !figure.skipped) {
    const compared = figure.target.of === "ratio" ? r : subjectMedian;
    if (Number.isFinite(compared)) met = figure.target.op === ">=" ? compared >= figure.target.value : compared <= figure.target.value;
  }
  return { ...figure, subjectMedian, baselineMedian, ratio: r, met };
}

/** 3 significant digits below 100, whole numbers with thousands separators above. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return "n/a";
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return Math.round(value).toLocaleString("en-US");
  if (magnitude === 0) return "0";
  return Number(value.toPrecision(3)).toString();
}

export function formatTarget(target: Target): string {
  return `${target.of === "ratio" ? "ratio" : "value"} ${target.op === ">=" ? "≥" : "≤"} ${formatNumber(target.value)}`;
}

/** The figure's one line: id, subject, baseline, ratio, target, the repeats, the load average. */
export function formatFigure(result: FigureResult): string {
  const head = `${result.id.padEnd(14)} ${result.title}`;
  if (result.skipped) return `${head}: skipped (${result.skipped})`;
  const unit = result.unit ? ` ${result.unit}` : "";
  const list = (values: readonly number[]) => `[${values.map(formatNumber).join(", ")}]`;
  const parts = [`subject ${formatNumber(result.subjectMedian)}${unit}`];
  if (result.baseline.length > 0) {
    parts.push(`baseline (${result.baselineName}) ${formatNumber(result.baselineMedian)}${unit}`, `ratio ${formatNumber(result.ratio)}`);
  } else {
    parts.push(`no baseline (${result.baselineName})`);
  }
  if (result.target) {
    const verdict = result.met === undefined ? "n/a" : result.met ? "met" : "NOT met";
    parts.push(`target ${formatTarget(result.target)}: ${verdict}`);
  }
  parts.push(`repeats subject ${list(result.subject)}${result.baseline.length > 0 ? ` baseline ${list(result.baseline)}` : ""}`);
  parts.push(`load ${result.load.map((l) => l.toFixed(2)).join(" ")}`);
  return `${head}: ${parts.join(" | ")}${result.note ? ` (${result.note})` : ""}`;
}

/** Percentile (0..100) of unsorted values, nearest rank; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}
