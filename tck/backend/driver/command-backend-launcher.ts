import { spawn } from "node:child_process";
import { freePort } from "../../kit/doubles/instrumented-user-function/free-port.js";
import type { BackendLauncher, LaunchedBackend, LaunchRequest } from "./backend-launcher.js";

export interface CommandBackendLauncherOptions {
  /** A shell command with placeholders, see `commandPlaceholders`. */
  readonly command: string;
  readonly host?: string;
  /** The backend's journal survives a restart (e.g. Cassandra). */
  readonly durable?: boolean;
  /** How long `stop()` waits after SIGTERM before SIGKILL. */
  readonly stopGraceMs?: number;
  /** Extra environment for the backend process. */
  readonly env?: Readonly<Record<string, string>>;
}

export const commandPlaceholders = [
  "{host}",
  "{port}",
  "{userFunction}",
  "{passivationTimeoutMs}",
  "{relayTimeoutMs}",
  "{relayBuffer}",
] as const;

/** Replaces every placeholder; unknown `{words}` are left alone (shell syntax may use braces). */
export function expandCommand(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** Process groups the kit started and has not yet seen exit (issue 9, item 5). */
const liveGroups = new Set<number>();
let exitHooksInstalled = false;

/**
 * The kit owns what it starts: when the kit's process exits, or is told to stop
 * by SIGTERM or SIGINT, every backend process group it launched is killed too.
 */
function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const killAll = (signal: NodeJS.Signals) => {
    for (const pgid of liveGroups) {
      try {
        process.kill(-pgid, signal);
      } catch {
        // Already gone.
      }
    }
  };
  process.on("exit", () => killAll("SIGKILL"));
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    const onSignal = () => {
      killAll("SIGKILL");
      liveGroups.clear();
      // Then die of the same signal, as the kit would have without this hook.
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Starts the backend under test with a shell command, in its own process group so stopping reaches every child. */
export function createCommandBackendLauncher(options: CommandBackendLauncherOptions): BackendLauncher {
  const host = options.host ?? "127.0.0.1";
  return {
    description: options.command,
    canRestart: true,
    durable: options.durable ?? false,
    async launch(request: LaunchRequest): Promise<LaunchedBackend> {
      const port = await freePort(host);
      const command = expandCommand(options.command, {
        host,
        port,
        userFunction: request.userFunction,
        passivationTimeoutMs: request.settings.passivationTimeoutMs,
        relayTimeoutMs: request.settings.relayTimeoutMs,
        relayBuffer: request.settings.relayBuffer,
      });
      // Hooks first: a SIGINT that lands between the spawn and the hooks would otherwise kill the
      // kit by default action and orphan the group. Once a handler exists, node runs it only after
      // this synchronous block, by which time the group is in liveGroups.
      installExitHooks();
      const child = spawn("sh", ["-c", command], {
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, ...options.env },
      });
      if (child.pid !== undefined) liveGroups.add(child.pid);
      let output = `$ ${command}\n`;
      // Keep the tail only: a chatty backend must not grow the kit's memory without bound.
      const append = (chunk: Buffer) => {
        output = (output + chunk.toString("utf8")).slice(-200_000);
      };
      child.stdout.on("data", append);
      child.stderr.on("data", append);
      const exited = new Promise<string>((resolve) => {
        child.once("exit", (code, signal) => resolve(signal ? `killed by ${signal}` : `exited with code ${code}`));
        child.once("error", (error) => resolve(`could not start: ${error.message}`));
      });
      let running = true;
      void exited.then(() => {
        running = false;
        if (child.pid !== undefined) liveGroups.delete(child.pid);
      });
      const signalGroup = (signal: NodeJS.Signals) => {
        if (!running || child.pid === undefined) return;
        try {
          process.kill(-child.pid, signal);
        } catch {
          // Already gone.
        }
      };
      return {
        target: `${host}:${port}`,
        output: () => output,
        exited,
        async stop() {
          signalGroup("SIGTERM");
          let timer: NodeJS.Timeout | undefined;
          const forced = new Promise<void>((resolve) => {
            timer = setTimeout(() => {
              signalGroup("SIGKILL");
              resolve();
            }, options.stopGraceMs ?? 15_000);
          });
          await Promise.race([exited, forced]);
          clearTimeout(timer);
          await exited;
        },
        async kill() {
          signalGroup("SIGKILL");
          await exited;
        },
      };
    },
  };
}
