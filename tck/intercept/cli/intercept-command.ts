import { parseArgs } from "node:util";
import { FaultSpecError, faultSpecHelp, formatFaultSpec, parseFaultSpec, type FaultPlan } from "../faults/fault-spec.js";
import { describeFault } from "../faults/faults.js";
import { defaultAnswerTimeoutMs, formatTranscript, startInterceptor, type ViolationReport } from "../driver/interceptor.js";

export const interceptUsage = `Usage: tck intercept --listen HOST:PORT --target HOST:PORT [options]

Sits between a real backend and a real user function: point the backend's
user-function address at --listen; everything is forwarded unchanged to
--target. Every handle stream is recorded and checked live against the
protocol invariants (Init first, contiguous sequences, id correlation, one
answer per command within --answer-timeout, snapshot only with events,
replay of exactly the acknowledged history, Init offering the latest
acknowledged snapshot, a command that emits nothing answering the same on
every stream), and every ready() answer against A1-A3. A violation is
printed at once, first the side at fault (backend or user function) and what
it did, then the rule and the stream's transcript. On SIGINT/SIGTERM (or after --duration) a summary is printed:
streams without violations pass, streams with one fail. A run in which the
backend never called ready() or never opened a handle stream fails too (one
failure each, named on its own line): nothing was judged. The last line is
"N passed, N failed"; the exit code is 0 only when nothing failed (1 on
failures, 2 on a wrong command line or an unusable --listen/--transcripts).

Options:
  --listen HOST:PORT      where the backend connects (required)
  --target HOST:PORT      the user function (required)
  --transcripts DIR       write one JSONL transcript per stream into DIR
                          (s1.jsonl, …; DIR must be new or empty: a
                          non-empty DIR is refused, runs are never mixed)
  --answer-timeout MS     how long a command may wait for the user function's
                          answer (default ${defaultAnswerTimeoutMs}, a backend's usual
                          relay timeout; set it at or below the backend's)
  --duration MS           stop by itself after MS milliseconds
  --faults SPEC           inject faults between the two sides (below); the
                          seed and a rerun line are printed at the start and
                          in the summary, with every fault injected
  -h, --help              this text

With --faults the history the interceptor keeps is also the oracle: no
acknowledged event lost from a later replay, none replayed twice, none
replayed differently, none replayed that the user function never emitted.
A fault is never reported against the side that suffered it (a dropped
Reply ends in the backend's relay timeout: correct behaviour).

${faultSpecHelp}`;

export interface InterceptCommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Resolves when the command should stop (signals); tests pass their own. */
  readonly stopSignal?: Promise<void>;
}

/** `tck intercept`: returns the process exit code (0 when no stream broke an invariant). */
export async function runInterceptCommand(argv: readonly string[], io: InterceptCommandIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        listen: { type: "string" },
        target: { type: "string" },
        transcripts: { type: "string" },
        duration: { type: "string" },
        "answer-timeout": { type: "string" },
        faults: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.err(`tck intercept: ${(error as Error).message}\n\n${interceptUsage}`);
    return 2;
  }
  if (values.help) {
    io.out(interceptUsage);
    return 0;
  }
  const missing = (["listen", "target"] as const).filter((k) => !values[k]);
  if (missing.length > 0) {
    io.err(`tck intercept: missing --${missing.join(" and --")}\n\n${interceptUsage}`);
    return 2;
  }
  for (const key of ["listen", "target"] as const) {
    if (!/^.+:\d+$/.test(values[key]!)) {
      io.err(`tck intercept: --${key} must be HOST:PORT, got "${values[key]}"`);
      return 2;
    }
  }
  const duration = values.duration === undefined ? undefined : Number(values.duration);
  if (duration !== undefined && !(Number.isInteger(duration) && duration > 0)) {
    io.err(`tck intercept: --duration must be a positive number of milliseconds, got "${values.duration}"`);
    return 2;
  }

  const answerTimeout = values["answer-timeout"] === undefined ? defaultAnswerTimeoutMs : Number(values["answer-timeout"]);
  if (!(Number.isInteger(answerTimeout) && answerTimeout > 0)) {
    io.err(`tck intercept: --answer-timeout must be a positive number of milliseconds, got "${values["answer-timeout"]}"`);
    return 2;
  }

  let faults: FaultPlan | undefined;
  if (values.faults !== undefined) {
    try {
      faults = parseFaultSpec(values.faults);
    } catch (error) {
      if (!(error instanceof FaultSpecError)) throw error;
      io.err(`tck intercept: ${error.message}`);
      return 2;
    }
  }
  const rerun = faults
    ? `rerun: npx tck intercept --listen ${values.listen} --target ${values.target}${values.duration ? ` --duration ${values.duration}` : ""} --faults ${formatFaultSpec(faults)}`
    : undefined;

  const printViolation = (report: ViolationReport) => {
    const v = report.violation;
    const where = report.stream === "ready" ? "ready()" : `stream ${report.stream}, entity ${report.entityId ?? "?"}`;
    io.err(
      [
        `✗ ${v.side} at fault: ${v.cause}`,
        `  ${v.item} ${v.rule} (${where})`,
        `  expected: ${v.expected}`,
        `  actual:   ${v.actual}`,
        "  transcript:",
        formatTranscript(report.transcript).replace(/^/gm, "    "),
      ].join("\n"),
    );
  };

  let interceptor;
  try {
    interceptor = await startInterceptor({
      listen: values.listen!,
      target: values.target!,
      ...(values.transcripts ? { transcriptDir: values.transcripts } : {}),
      answerTimeoutMs: answerTimeout,
      onViolation: printViolation,
      ...(faults ? { faults } : {}),
    });
  } catch (error) {
    io.err(`tck intercept: ${(error as Error).message}`);
    return 2;
  }
  io.out(`tck intercept: listening on ${interceptor.address}, forwarding to ${values.target}`);
  if (faults) io.out(`tck intercept: faults ${formatFaultSpec(faults)} (seed ${faults.seed})\n${rerun}`);

  const stops: Promise<void>[] = [];
  if (io.stopSignal) stops.push(io.stopSignal);
  let timer: NodeJS.Timeout | undefined;
  if (duration !== undefined) stops.push(new Promise<void>((resolve) => (timer = setTimeout(resolve, duration))));
  await Promise.race(stops);
  if (timer) clearTimeout(timer);
  await interceptor.close();

  const summary = interceptor.summary();
  io.out(`${summary.readyCalls} ready() call(s), ${summary.streams} stream(s) intercepted, ${summary.violations.length} violation(s)`);
  if (faults) {
    const applied = interceptor.faults!.applied();
    const counts = new Map<string, number>();
    for (const f of applied) counts.set(f.kind, (counts.get(f.kind) ?? 0) + 1);
    io.out(
      `${applied.length} fault(s) injected${applied.length ? ` (${[...counts].map(([k, n]) => `${n} ${k}`).join(", ")})` : ""}, seed ${faults.seed}:`,
    );
    for (const f of applied) io.out(`  ${f.stream}: ${describeFault(f)}`);
    io.out(rerun!);
  }
  for (const failure of summary.runFailures) io.out(`✗ run failed: ${failure}`);
  const failed = summary.streamsWithViolations + summary.runFailures.length;
  io.out(`${summary.streams - summary.streamsWithViolations} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

/** A promise that resolves on the first SIGINT or SIGTERM. */
export function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
