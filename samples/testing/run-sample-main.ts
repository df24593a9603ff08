import { type ChildProcess, spawn } from "node:child_process";
import { createEntityClient, type EntitySpec, readyOf } from "../../reference/protocol/index.js";

// A sample user function's main.ts as a child process (tests): started, waited for, stopped by signal.

export interface Started {
  readonly child: ChildProcess;
  readonly address: string;
  /** Sends the signal and resolves with the exit code and everything printed. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; output: string }>;
}

/** Runs the main.ts at `main` and waits for its "listening on" line (or its exit). */
export function runSampleMain(
  main: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<Started | { code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", main, ...args], {
    env: { ...process.env, HOST: "", PORT: "", DEBUG: "", ...env },
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`main.ts did not start within 20 s:\n${output}`));
    }, 20_000);
    const poll = setInterval(() => {
      const match = /listening on (\S+)/.exec(output);
      if (!match?.[1]) return;
      clearInterval(poll);
      clearTimeout(timeout);
      resolve({
        child,
        address: match[1],
        stop: async (signal) => {
          child.kill(signal);
          return { code: await exited, output };
        },
      });
    }, 20);
    void exited.then((code) => {
      clearInterval(poll);
      clearTimeout(timeout);
      resolve({ code, output });
    });
  });
}

/** ready() on a user function. */
export function ready(address: string): Promise<EntitySpec> {
  const client = createEntityClient(address);
  return readyOf(client, 5000).finally(() => client.close());
}
