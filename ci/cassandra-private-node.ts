/**
 * A Cassandra node of a test's own (own ports, own data folder, small heap), started and stopped
 * through ci/cassandra.sh, for tests that must take Cassandra away (outages) and so cannot use a
 * shared node. Needs Java and Maven like the script; `privateCassandraUnavailable()` says why not.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export interface PrivateCassandra {
  readonly contactPoints: string[];
  readonly localDataCenter: string;
  /** Starts the node again after stop() (same data). */
  start(): Promise<void>;
  /** Stops the node; its data stays until remove(). */
  stop(): Promise<void>;
  /** kill -9 of the node's JVM (no flush, no drain); start() brings it back on the same data. */
  kill9(): Promise<void>;
  /** Stops the node and deletes its folder. */
  remove(): Promise<void>;
}

const scriptPath = fileURLToPath(new URL("./cassandra.sh", import.meta.url));

/** Undefined when a private node can be started here, else the reason it cannot. */
export async function privateCassandraUnavailable(): Promise<string | undefined> {
  for (const command of ["java", "mvn"]) {
    if ((await run("bash", ["-c", `command -v ${command}`], {}, () => {})) !== 0) {
      return `${command} is missing, so ci/cassandra.sh cannot start a private Cassandra node`;
    }
  }
  return undefined;
}

/**
 * `settings`: more ci/cassandra.sh settings for this node (e.g. CASSANDRA_AUTHENTICATOR,
 * CASSANDRA_CLIENT_TLS_KEYSTORE); the run folder and ports are always its own.
 */
export async function startPrivateCassandra(
  log: (line: string) => void,
  settings: Readonly<Record<string, string>> = {},
): Promise<PrivateCassandra> {
  const runDir = await mkdtemp(join(tmpdir(), "private-cassandra-"));
  const nativePort = await freePort();
  const storagePort = await freePort();
  const env = {
    ...process.env,
    ...settings,
    CASSANDRA_RUN_DIR: runDir,
    CASSANDRA_NATIVE_PORT: String(nativePort),
    CASSANDRA_STORAGE_PORT: String(storagePort),
    MAX_HEAP_SIZE: "512M",
    HEAP_NEWSIZE: "100M",
  };
  const script = async (command: string) => {
    const code = await run("bash", [scriptPath, command], env, (line) => log(`[private cassandra] ${line}`));
    if (code !== 0) throw new Error(`ci/cassandra.sh ${command} failed (exit ${code}) for the node in ${runDir}`);
  };
  await script("start");
  return {
    contactPoints: [`127.0.0.1:${nativePort}`],
    localDataCenter: "datacenter1",
    start: () => script("start"),
    stop: () => script("stop"),
    kill9: async () => {
      const pid = Number((await readFile(join(runDir, "cassandra.pid"), "utf8")).trim());
      process.kill(pid, "SIGKILL");
      // Wait until the process is gone, so start() does not see it still running.
      for (;;) {
        try {
          process.kill(pid, 0);
        } catch {
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    remove: async () => {
      await script("stop");
      await rm(runDir, { recursive: true, force: true });
      await rm(`${runDir}.lock`, { force: true });
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) log(line);
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}
