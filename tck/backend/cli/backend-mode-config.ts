import { capabilities, isCapability, type Capability } from "../world/not-run-reason.js";
import { parseArgs } from "node:util";
import {
  expectedFailureFiles,
  expectedFailureOptions,
  expectedFailureUsage,
  type ExpectedFailureFiles,
} from "../../kit/cli/expected-failure-flags.js";
import { UsageError } from "../../kit/cli/usage-error.js";
import { type ReportKind, type ReportRequest, reportKinds, reportUsage } from "../../kit/run/report-request.js";

/** Backend mode's configuration, fully resolved and validated at the edge. */
export interface BackendModeConfig extends ExpectedFailureFiles {
  readonly backend:
    | { readonly kind: "command"; readonly command: string; readonly durable: boolean }
    | { readonly kind: "target"; readonly target: string };
  readonly userFunctionPort: number | undefined;
  readonly passivationTimeoutMs: number;
  /** Capabilities the backend declares it lacks (`--lacks a,b`). */
  readonly lacks: readonly Capability[];
  readonly relayTimeoutMs: number;
  readonly relayBuffer: number;
  readonly tags?: string;
  readonly reports: readonly ReportRequest[];
  readonly timeoutMs: number;
  readonly startupTimeoutMs: number;
  readonly seed?: number;
  readonly runs: number;
}

export const backendUsage = `Usage: tck backend (--backend-command "CMD" | --target HOST:PORT) [options]

Plays the client and the user function against a backend and judges what it does.
The kit starts its own instrumented user function, then the backend pointed at it.

The backend under test:
  --backend-command CMD    a shell command that starts the backend; the kit starts, stops and
                           restarts it (SIGTERM to stop). Placeholders: {host} {port} {userFunction}
                           {passivationTimeoutMs} {relayTimeoutMs} {relayBuffer}. E.g.
                           "node --import tsx reference/backend/main.ts --port {port} --user-function
                            {userFunction} --passivation-timeout {passivationTimeoutMs}ms
                            --relay-timeout {relayTimeoutMs}ms --relay-buffer {relayBuffer}"
  --durable-journal        the command's backend keeps its journal across restarts (e.g. Cassandra):
                           H5, A7 and the restart property run
  --target HOST:PORT       a backend started by hand, pointed at the kit's user function
                           (--user-function-port) with the settings below; scenarios that need a
                           restart or another subject are reported as not run, never as passed
  --user-function-port N   where the kit's user function listens (default: 8080 with --target, else any)

Settings the backend must use (passed through the placeholders):
  --passivation-timeout MS default 400
  --relay-timeout MS       default 5000
  --relay-buffer N         default 20

Run:
  --tags EXPR              cucumber tag expression, e.g. "@D9 or @G5", "not @properties"
${reportUsage}
${expectedFailureUsage}
  --timeout MS             bound on every wait (default 10000); a call may take the relay
                           timeout plus this
  --lacks CAP,…            capabilities the backend declares it does not have: queue-bound,
                           relay-timeout, passivation-timeout; scenarios needing one are "not run"
  --startup-timeout MS     how long the backend may take to serve (default 30000)
  --seed N                 fast-check seed for the properties (default: fresh, printed on failure)
  --runs N                 fast-check runs per property (default 20)
  --help                   this text

The run ends with the line "N passed, N failed, N not run"; the exit code is 0 only when nothing failed.`;

/** Parses `tck backend` arguments, or answers "help". */
export function parseBackendModeArgs(args: readonly string[]): BackendModeConfig | "help" {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        "backend-command": { type: "string" },
        "durable-journal": { type: "boolean" },
        target: { type: "string" },
        "user-function-port": { type: "string" },
        "passivation-timeout": { type: "string" },
        "relay-timeout": { type: "string" },
        "relay-buffer": { type: "string" },
        tags: { type: "string" },
        report: { type: "string" },
        ...expectedFailureOptions,
        timeout: { type: "string" },
        "startup-timeout": { type: "string" },
        seed: { type: "string" },
        runs: { type: "string" },
        lacks: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values["help"]) return "help";
  const text = (name: string) => values[name] as string | undefined;
  const number = (name: string, fallback: number, min: number) => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const command = text("backend-command");
  const target = text("target");
  if ((command === undefined) === (target === undefined)) throw new UsageError("give exactly one of --backend-command and --target");
  if (target !== undefined && !/^[^\s:]+:\d+$|^\[[0-9a-fA-F:]+\]:\d+$/.test(target))
    throw new UsageError(`--target must be HOST:PORT, got ${JSON.stringify(target)}`);
  if (target !== undefined && values["durable-journal"])
    throw new UsageError("--durable-journal needs --backend-command (the kit must restart the backend)");
  const reports = (text("report") ?? "")
    .split(",")
    .filter((r) => r !== "")
    .map((r) => {
      const [kind, ...file] = r.split(":");
      if (!(reportKinds as readonly string[]).includes(kind ?? ""))
        throw new UsageError(`report kind must be one of ${reportKinds.join(", ")}, got ${JSON.stringify(kind)}`);
      if (file.length === 0 || file.join(":") === "") throw new UsageError(`report ${JSON.stringify(r)} needs a file: KIND:FILE`);
      return { kind: kind as ReportKind, file: file.join(":") };
    });
  const lacks = (text("lacks") ?? "")
    .split(",")
    .filter((c) => c !== "")
    .map((c) => {
      if (!isCapability(c)) throw new UsageError(`--lacks takes ${Object.keys(capabilities).join(", ")}; got ${JSON.stringify(c)}`);
      return c;
    });
  const seed = text("seed");
  const tags = text("tags");
  return {
    backend:
      command !== undefined
        ? { kind: "command", command, durable: values["durable-journal"] === true }
        : { kind: "target", target: target! },
    userFunctionPort:
      text("user-function-port") !== undefined ? number("user-function-port", 0, 1) : target !== undefined ? 8080 : undefined,
    passivationTimeoutMs: number("passivation-timeout", 400, 1),
    lacks,
    relayTimeoutMs: number("relay-timeout", 5_000, 1),
    relayBuffer: number("relay-buffer", 20, 1),
    reports,
    timeoutMs: number("timeout", 10_000, 1),
    startupTimeoutMs: number("startup-timeout", 30_000, 1),
    runs: number("runs", 20, 1),
    ...(tags === undefined ? {} : { tags }),
    ...expectedFailureFiles(values),
    ...(seed === undefined ? {} : { seed: number("seed", 0, -2147483648) }),
  };
}

/** The command line that reruns this configuration (printed with property counterexamples). */
export function backendRerunCommand(config: BackendModeConfig): string {
  const quote = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;
  const backend =
    config.backend.kind === "command"
      ? `--backend-command ${quote(config.backend.command)}${config.backend.durable ? " --durable-journal" : ""}`
      : `--target ${config.backend.target}`;
  return `npx tck backend ${backend} --passivation-timeout ${config.passivationTimeoutMs} --relay-timeout ${config.relayTimeoutMs} --relay-buffer ${config.relayBuffer}${config.lacks.length > 0 ? ` --lacks ${config.lacks.join(",")}` : ""}${config.tags ? ` --tags ${quote(config.tags)}` : ""}`;
}
