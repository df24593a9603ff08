/**
 * Load generators: ghz (found at $(go env GOPATH)/bin/ghz or on PATH, else installed with
 * `go install github.com/bojand/ghz/cmd/ghz@latest`) or, failing that, ci/bench/node-load.ts.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import type { GeneratorChoice } from "./figures.js";
import { nodeArgs, repoRoot, run } from "./processes.js";
import { jsonRequest } from "./requests.js";

export type Method = "AddItem" | "GetCart";

export interface LoadRun {
  readonly target: string;
  readonly method: Method;
  /** Requests go round-robin over the carts `<prefix>0` .. `<prefix><carts - 1>`. */
  readonly carts: number;
  readonly prefix: string;
  readonly inflight: number;
  /** Either a duration in seconds or a number of calls. */
  readonly durationS?: number | undefined;
  readonly total?: number | undefined;
  /** Calls per second (open loop); unlimited when absent. */
  readonly rps?: number;
}

export interface LoadResult {
  /** Successful calls. */
  readonly count: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export interface Generator {
  readonly name: string;
  run(load: LoadRun): Promise<LoadResult>;
  close(): Promise<void>;
}

const ghzPackage = "github.com/bojand/ghz/cmd/ghz@latest";

async function goBin(): Promise<string | undefined> {
  try {
    const gopath = (await run("go env", "go", ["env", "GOPATH"], 30_000)).trim().split(delimiter)[0];
    return gopath ? join(gopath, "bin") : undefined;
  } catch {
    return undefined;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir && existsSync(join(dir, command))) return join(dir, command);
  }
  return undefined;
}

/** ghz's path, installing it with Go if needed; a reason when there is none. */
export async function findGhz(log: (line: string) => void): Promise<{ path: string; how: string } | { reason: string }> {
  const bin = await goBin();
  if (bin && existsSync(join(bin, "ghz"))) return { path: join(bin, "ghz"), how: `found at ${join(bin, "ghz")}` };
  const fromPath = onPath("ghz");
  if (fromPath) return { path: fromPath, how: `found on PATH at ${fromPath}` };
  if (!bin) return { reason: "ghz is not on PATH and go is not installed to `go install` it" };
  log(`bench: installing ghz: go install ${ghzPackage} (about a minute)`);
  try {
    await run("go install", "go", ["install", ghzPackage], 600_000);
  } catch (error) {
    return { reason: `go install ${ghzPackage} failed: ${(error as Error).message}` };
  }
  const installed = join(bin, "ghz");
  return existsSync(installed)
    ? { path: installed, how: `installed with go install ${ghzPackage}` }
    : { reason: `go install did not produce ${installed}` };
}

interface GhzReport {
  readonly total: number;
  readonly statusCodeDistribution?: Record<string, number>;
  readonly latencyDistribution?: readonly { percentage: number; latency: number }[] | null;
}

export async function ghzGenerator(path: string): Promise<Generator> {
  const dir = await mkdtemp(join(tmpdir(), "bench-ghz-"));
  const dataFiles = new Map<string, string>();
  const dataFile = async (method: Method, prefix: string, carts: number) => {
    const key = `${method}:${prefix}:${carts}`;
    let file = dataFiles.get(key);
    if (!file) {
      file = join(dir, `data-${dataFiles.size}.json`);
      await writeFile(file, JSON.stringify(Array.from({ length: carts }, (_, i) => jsonRequest(method, `${prefix}${i}`))));
      dataFiles.set(key, file);
    }
    return file;
  };
  let runs = 0;
  return {
    name: "ghz",
    async run(load) {
      const output = join(dir, `out-${runs++}.json`);
      const args = [
        "--insecure",
        "--proto",
        join(repoRoot, "proto/shoppingcart/shoppingcart.proto"),
        "--import-paths",
        join(repoRoot, "proto"),
        "--call",
        `com.example.shoppingcart.ShoppingCart.${load.method}`,
        // ghz sends the messages of an array round-robin, one per unary call.
        "--data-file",
        await dataFile(load.method, load.prefix, load.carts),
        "--concurrency",
        String(load.inflight),
        "--connections",
        "1",
        "--timeout",
        "60s",
        "--format",
        "json",
        "--output",
        output,
        ...(load.durationS !== undefined
          ? ["--duration", `${load.durationS}s`, "--duration-stop", "ignore"]
          : ["--total", String(load.total)]),
        ...(load.rps ? ["--rps", String(Math.max(1, Math.round(load.rps)))] : []),
        load.target,
      ];
      await run("ghz", path, args);
      const report = JSON.parse(await readFile(output, "utf8")) as GhzReport;
      await rm(output, { force: true });
      const statuses = report.statusCodeDistribution ?? {};
      const count = statuses["OK"] ?? 0;
      const errors = Object.entries(statuses).reduce((sum, [code, n]) => (code === "OK" ? sum : sum + n), 0);
      const at = (p: number) => (report.latencyDistribution ?? []).find((d) => d.percentage === p)?.latency ?? Number.NaN;
      return { count, errors, rps: count / (report.total / 1e9), p50Ms: at(50) / 1e6, p99Ms: at(99) / 1e6 };
    },
    close: () => rm(dir, { recursive: true, force: true }),
  };
}

export function nodeGenerator(): Generator {
  return {
    name: "node (ci/bench/node-load.ts)",
    async run(load) {
      const args = [
        `--target=${load.target}`,
        `--method=${load.method}`,
        `--carts=${load.carts}`,
        `--prefix=${load.prefix}`,
        `--inflight=${load.inflight}`,
        ...(load.durationS !== undefined ? [`--duration=${load.durationS}`] : [`--total=${load.total}`]),
        ...(load.rps ? [`--rps=${load.rps}`] : []),
      ];
      const out = await run("node load generator", process.execPath, nodeArgs("ci/bench/node-load.ts", args));
      return JSON.parse(out.trim().split("\n").pop() ?? "{}") as LoadResult;
    },
    close: async () => {},
  };
}

/** The generator to use, and how it was found (printed). */
export async function chooseGenerator(
  choice: GeneratorChoice,
  log: (line: string) => void,
): Promise<{ generator: Generator; how: string }> {
  if (choice === "node") return { generator: nodeGenerator(), how: "node, as asked (--generator node)" };
  const ghz = await findGhz(log);
  if ("path" in ghz) return { generator: await ghzGenerator(ghz.path), how: `ghz, ${ghz.how}` };
  if (choice === "ghz") throw new Error(`--generator ghz: ${ghz.reason}`);
  return { generator: nodeGenerator(), how: `node (ci/bench/node-load.ts), because ${ghz.reason}` };
}
