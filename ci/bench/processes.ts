/**
 * The processes the bench starts: spawned with piped output, remembered, and always ended at exit
 * (normal end, an error, SIGINT or SIGTERM). Children started with an IPC channel also preload
 * ci/bench/probe.mjs, which ends them when the bench's side of the channel closes.
 */
import { type ChildProcess, spawn, type SpawnOptions } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Client, credentials } from "@grpc/grpc-js";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

const running = new Set<ChildProcess>();

export function killAll(signal: NodeJS.Signals = "SIGKILL"): void {
  for (const child of running) {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

let installed = false;
/** Ends every child at exit; SIGINT/SIGTERM end the bench (status 130/143) after ending them. */
export function installCleanup(onSignal: () => void = () => {}): void {
  if (installed) return;
  installed = true;
  process.on("exit", () => killAll("SIGKILL"));
  for (const [signal, code] of [
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const) {
    process.on(signal, () => {
      onSignal();
      process.stderr.write(`\nbench: ${signal}, stopping what it started\n`);
      killAll("SIGKILL");
      process.exit(code);
    });
  }
}

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves with the first output line matching `pattern`; rejects if the child exits first or `timeoutMs` passes. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** The last lines of output (for error messages). */
  tail(): string;
  /** Heap after GC (children with `ipc`: probe.mjs). */
  heap(): Promise<NodeJS.MemoryUsage>;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly ipc?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/** Spawns `command args` in the repository root and tracks it. */
export function start(name: string, command: string, args: readonly string[], options: StartOptions = {}): Child {
  const spawnOptions: SpawnOptions = {
    cwd: repoRoot,
    env: options.env ?? process.env,
    stdio: options.ipc ? ["ignore", "pipe", "pipe", "ipc"] : ["ignore", "pipe", "pipe"],
  };
  const child = spawn(command, [...args], spawnOptions);
  running.add(child);
  const lines: string[] = [];
  const waiters = new Set<{ pattern: RegExp; resolve: (m: RegExpMatchArray) => void }>();
  let exited: string | undefined;
  const exitListeners = new Set<(why: string) => void>();
  const onLine = (line: string) => {
    lines.push(line);
    if (lines.length > 40) lines.shift();
    for (const waiter of waiters) {
      const match = line.match(waiter.pattern);
      if (match) {
        waiters.delete(waiter);
        waiter.resolve(match);
      }
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let pending = "";
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      pending += chunk;
      let newline: number;
      while ((newline = pending.indexOf("\n")) >= 0) {
        onLine(pending.slice(0, newline));
        pending = pending.slice(newline + 1);
      }
    });
  }
  const closed = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      running.delete(child);
      exited = `exited (${signal ?? code})`;
      for (const listener of exitListeners) listener(exited);
      resolve();
    }),
  );
  child.once("error", (error) => {
    running.delete(child);
    exited = `could not start: ${error.message}`;
    for (const listener of exitListeners) listener(exited);
  });
  const tail = () => lines.slice(-15).join("\n");
  return {
    name,
    process: child,
    pid: child.pid ?? -1,
    tail,
    waitForLine(pattern, timeoutMs = 60_000) {
      const seen = lines.map((line) => line.match(pattern)).find((m) => m !== null);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const fail = (why: string) => {
          clearTimeout(timer);
          waiters.delete(waiter);
          exitListeners.delete(fail);
          reject(new Error(`${name} ${why} before printing ${pattern}; its last lines:\n${tail()}`));
        };
        const waiter = {
          pattern,
          resolve: (match: RegExpMatchArray) => {
            clearTimeout(timer);
            exitListeners.delete(fail);
            resolve(match);
          },
        };
        // A guard against a child that hangs, not a synchronisation: the line is the event.
        const timer = setTimeout(() => fail(`did not answer within ${timeoutMs} ms`), timeoutMs);
        if (exited) return fail(exited);
        waiters.add(waiter);
        exitListeners.add(fail);
      });
    },
    heap() {
      return new Promise((resolve, reject) => {
        if (!child.send) return reject(new Error(`${name} has no IPC channel`));
        const onMessage = (message: { type?: string; memory?: NodeJS.MemoryUsage; gc?: boolean }) => {
          if (message?.type !== "heap" || !message.memory) return;
          child.off("message", onMessage);
          if (!message.gc) return reject(new Error(`${name} runs without --expose-gc`));
          resolve(message.memory);
        };
        child.on("message", onMessage);
        child.send({ type: "heap" });
      });
    },
    async stop() {
      if (exited) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** Runs a command to its end; resolves with its standard output (rejects on a non-zero status). */
export async function run(name: string, command: string, args: readonly string[], timeoutMs = 600_000): Promise<string> {
  const child = start(name, command, args);
  let stdout = "";
  child.process.stdout?.on("data", (chunk: string) => (stdout += chunk));
  const status = await new Promise<number | string>((resolve) => {
    const timer = setTimeout(() => child.process.kill("SIGKILL"), timeoutMs);
    child.process.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? code ?? -1);
    });
    child.process.once("error", (error) => {
      clearTimeout(timer);
      resolve(error.message);
    });
  });
  if (status !== 0) throw new Error(`${name} failed (${status}); its last lines:\n${child.tail()}`);
  return stdout;
}

/**
 * Node's arguments for a script of this repository: through tsx, or with `built` the JavaScript that
 * `npm run build` wrote for it in dist/ (no tsx loaded). The probe is plain JavaScript so it loads
 * either way.
 */
export function nodeArgs(script: string, args: readonly string[], probe = false, built = false): string[] {
  const program = built ? ["dist/" + script.replace(/\.ts$/, ".js")] : ["--import", "tsx", script];
  return [...(probe ? ["--expose-gc", "--import", "./ci/bench/probe.mjs"] : []), ...program, ...args];
}

/** CPU time (user + system) of a process so far, in µs; NaN where /proc is missing. */
export function cpuMicros(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After "pid (comm) ": state is field 0, utime 11, stime 12 (clock ticks).
    return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / clockTicks;
  } catch {
    return Number.NaN;
  }
}
// Linux's USER_HZ is 100 on every architecture Node runs on (sysconf(_SC_CLK_TCK)).
const clockTicks = 100;

/** Resolves once the gRPC health service at `target` says SERVING (Watch: an event, not a poll). */
export function waitForServing(target: string, timeoutMs = 60_000): Promise<void> {
  const client = new Client(target, credentials.createInsecure());
  const raw = (buffer: Buffer): Buffer => buffer;
  return new Promise<void>((resolve, reject) => {
    const call = client.makeServerStreamRequest("/grpc.health.v1.Health/Watch", raw, raw, Buffer.alloc(0));
    const done = (error?: Error) => {
      clearTimeout(timer);
      call.removeAllListeners();
      call.on("error", () => {});
      call.cancel();
      client.close();
      if (error) reject(error);
      else resolve();
    };
    const timer = setTimeout(() => done(new Error(`${target} not SERVING within ${timeoutMs} ms`)), timeoutMs);
    // HealthCheckResponse {status = 1}: SERVING is 1.
    call.on("data", (message: Buffer) => {
      if (message.length >= 2 && message[0] === 0x08 && message[1] === 1) done();
    });
    call.on("error", (error: Error) => done(error));
  });
}
