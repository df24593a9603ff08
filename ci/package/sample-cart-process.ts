// Starts a sample cart as a process of its own for the tests of the kit as users get it (the packed
// tarball, the single executable) and resolves with its address once it prints "listening on".
import { type ChildProcess, spawn } from "node:child_process";

export interface StartedCart {
  readonly process: ChildProcess;
  readonly address: string;
}

export async function startSampleCart(args: readonly string[], cwd?: string): Promise<StartedCart> {
  const child = spawn(process.execPath, [...args, "--port", "0"], { cwd, stdio: ["ignore", "pipe", "inherit"] });
  const address = await new Promise<string>((resolve, reject) => {
    let seen = "";
    child.stdout.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = /listening on (\S+)/.exec(seen);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`the sample cart (${args.join(" ")}) exited (${code}) before listening:\n${seen}`)));
  });
  return { process: child, address };
}
