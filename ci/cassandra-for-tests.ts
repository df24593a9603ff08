/**
 * Finds a real Cassandra for a test file, in this order:
 *   1. `CASSANDRA_CONTACT_POINTS` (e.g. CI started one with ci/cassandra.sh, or a developer's own);
 *   2. Testcontainers, only when a Docker engine answers a ping within a second;
 *   3. ci/cassandra.sh (a local node assembled from Maven Central) when Java and Maven are present;
 *   4. otherwise a loud skip, which is a failure instead when `CASSANDRA_REQUIRED=1` (CI).
 * Every outcome is logged so a test log always says which Cassandra ran (or why none did).
 */
import { spawn } from "node:child_process";
import { access, constants } from "node:fs/promises";
import { request } from "node:http";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "cassandra-driver";

export type CassandraSource = "env" | "testcontainers" | "script";

export interface AcquiredCassandra {
  readonly source: CassandraSource;
  readonly contactPoints: string[];
  readonly localDataCenter: string;
  /** Present when the node requires authentication (Testcontainers' image does, env may). */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** The Cassandra release the node reported. */
  readonly releaseVersion: string;
  /** Stops what this acquisition started; a node found already running is left alone. */
  stop(): Promise<void>;
}

export type CassandraAcquisition = AcquiredCassandra | { readonly skipped: string };

export interface AcquireOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Where the outcome is reported; standard error by default. */
  readonly log?: (line: string) => void;
}

const scriptPath = fileURLToPath(new URL("./cassandra.sh", import.meta.url));
const testcontainersImage = "cassandra:5.0";

export async function acquireCassandra(options: AcquireOptions = {}): Promise<CassandraAcquisition> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => process.stderr.write(line + "\n"));
  const acquired = (await fromEnv(env)) ?? (await fromTestcontainers(env, log)) ?? (await fromScript(env, log));
  if (acquired !== undefined) {
    log(
      `[cassandra] using ${acquired.source} Cassandra ${acquired.releaseVersion} at ` +
        `${acquired.contactPoints.join(",")} (dc ${acquired.localDataCenter})`,
    );
    return acquired;
  }
  const reason =
    "no Cassandra: CASSANDRA_CONTACT_POINTS is unset, no Docker engine answers, and Java or Maven " + "is missing for ci/cassandra.sh";
  if (env["CASSANDRA_REQUIRED"] === "1") {
    throw new Error(`${reason} (CASSANDRA_REQUIRED=1 makes this a failure)`);
  }
  log(`[cassandra] SKIPPING Cassandra tests: ${reason}`);
  return { skipped: reason };
}

/** A keyspace name no other test run uses (Cassandra allows 48 characters of [a-z0-9_]). */
export function uniqueKeyspace(prefix: string): string {
  const suffix = `${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  return `${prefix
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 32)}_${suffix}`.slice(0, 48);
}

async function fromEnv(env: NodeJS.ProcessEnv): Promise<AcquiredCassandra | undefined> {
  const configured = env["CASSANDRA_CONTACT_POINTS"]?.trim();
  if (!configured) return undefined;
  const contactPoints = configured
    .split(",")
    .map((point) => point.trim())
    .filter(Boolean);
  const localDataCenter = env["CASSANDRA_LOCAL_DC"] || "datacenter1";
  const username = env["CASSANDRA_USERNAME"];
  const password = env["CASSANDRA_PASSWORD"];
  const credentials = username !== undefined && password !== undefined ? { username, password } : undefined;
  // Configured explicitly, so a node that does not answer is an error, never a skip.
  const releaseVersion = await releaseVersionOf(contactPoints, localDataCenter, credentials).catch((error: unknown) => {
    throw new Error(`CASSANDRA_CONTACT_POINTS=${configured} is set but CQL does not answer: ${messageOf(error)}`);
  });
  return {
    source: "env",
    contactPoints,
    localDataCenter,
    ...(credentials && { credentials }),
    releaseVersion,
    stop: async () => {},
  };
}

async function fromTestcontainers(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<AcquiredCassandra | undefined> {
  if (!(await dockerAnswers(env))) return undefined;
  log(`[cassandra] a Docker engine answers; starting ${testcontainersImage} with Testcontainers…`);
  // Loaded only here: Testcontainers is heavy and useless without a Docker engine.
  const { CassandraContainer } = await import("@testcontainers/cassandra");
  const container = await new CassandraContainer(testcontainersImage).start();
  const contactPoints = [container.getContactPoint()];
  const localDataCenter = container.getDatacenter();
  const credentials = { username: container.getUsername(), password: container.getPassword() };
  try {
    const releaseVersion = await releaseVersionOf(contactPoints, localDataCenter, credentials);
    return {
      source: "testcontainers",
      contactPoints,
      localDataCenter,
      credentials,
      releaseVersion,
      stop: async () => {
        await container.stop();
      },
    };
  } catch (error) {
    await container.stop();
    throw error;
  }
}

async function fromScript(env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<AcquiredCassandra | undefined> {
  const javaHome = env["CASSANDRA_JAVA_HOME"] || env["JAVA_HOME"];
  const hasJava = (javaHome !== undefined && (await isExecutable(join(javaHome, "bin", "java")))) || (await onPath("java", env));
  if (!hasJava || !(await onPath("mvn", env))) return undefined;

  const alreadyRunning = (await runScript(["status"], env, () => {})) === 0;
  if (!alreadyRunning) {
    log("[cassandra] starting a local node with ci/cassandra.sh start…");
    const code = await runScript(["start"], env, log);
    if (code !== 0) throw new Error(`ci/cassandra.sh start failed (exit ${code}); see its output above`);
  }
  const port = env["CASSANDRA_NATIVE_PORT"] || "9042";
  const contactPoints = [`127.0.0.1:${port}`];
  const localDataCenter = "datacenter1";
  const releaseVersion = await releaseVersionOf(contactPoints, localDataCenter, undefined);
  return {
    source: "script",
    contactPoints,
    localDataCenter,
    releaseVersion,
    stop: async () => {
      if (alreadyRunning) return;
      const code = await runScript(["stop"], env, log);
      if (code !== 0) throw new Error(`ci/cassandra.sh stop failed (exit ${code})`);
    },
  };
}

/** True when a Docker engine answers `/_ping` within a second (DOCKER_HOST or the default socket). */
async function dockerAnswers(env: NodeJS.ProcessEnv): Promise<boolean> {
  const dockerHost = env["DOCKER_HOST"];
  let target: { socketPath: string } | { host: string; port: number };
  if (dockerHost === undefined || dockerHost.startsWith("unix://")) {
    const socketPath = dockerHost?.slice("unix://".length) ?? "/var/run/docker.sock";
    if (!(await exists(socketPath))) return false;
    target = { socketPath };
  } else if (dockerHost.startsWith("tcp://")) {
    const url = new URL(dockerHost.replace(/^tcp:/, "http:"));
    target = { host: url.hostname, port: Number(url.port || 2375) };
  } else {
    return false;
  }
  return new Promise<boolean>((resolve) => {
    const req = request({ ...target, path: "/_ping", method: "GET", timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("timeout", () => req.destroy(new Error("docker ping timed out")));
    req.on("error", () => resolve(false));
    req.end();
  });
}

async function releaseVersionOf(
  contactPoints: string[],
  localDataCenter: string,
  credentials: { username: string; password: string } | undefined,
): Promise<string> {
  const client = new Client({
    contactPoints,
    localDataCenter,
    ...(credentials && { credentials }),
    socketOptions: { connectTimeout: 5000, readTimeout: 10000 },
  });
  try {
    const result = await client.execute("SELECT release_version FROM system.local");
    return String(result.first()?.get("release_version"));
  } finally {
    await client.shutdown();
  }
}

function runScript(args: string[], env: NodeJS.ProcessEnv, log: (line: string) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", [scriptPath, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) log(`[cassandra] ${line}`);
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

async function onPath(command: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  for (const dir of (env["PATH"] ?? "").split(delimiter)) {
    if (dir && (await isExecutable(join(dir, command)))) return true;
  }
  return false;
}

async function isExecutable(path: string): Promise<boolean> {
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
