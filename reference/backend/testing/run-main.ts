import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

/** reference/backend/main.ts as a child process, its JSON log lines collected (tests). */
const mainPath = fileURLToPath(new URL("../main.ts", import.meta.url));

export interface Running {
  readonly child: ChildProcess;
  readonly lines: Array<Record<string, unknown>>;
  readonly stdout: string[];
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

export function runMain(args: readonly string[]): Running {
  const child = spawn(process.execPath, ["--import", "tsx", mainPath, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  const lines: Array<Record<string, unknown>> = [];
  const stdout: string[] = [];
  let buffered = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ msg: line });
      }
    }
  });
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => stdout.push(chunk));
  const exited = once(child, "exit").then(([code]) => code as number | null);
  return {
    child,
    lines,
    stdout,
    exited,
    async waitForLog(msg, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = lines.find((l) => l["msg"] === msg);
        if (found) return found;
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`no "${msg}" log line; saw: ${lines.map((l) => l["msg"]).join(" | ")}`);
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
}

export async function ensureExited(running: Running): Promise<void> {
  if (running.child.exitCode === null && running.child.signalCode === null) {
    running.child.kill("SIGKILL");
    await running.exited;
  }
}
