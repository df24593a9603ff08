/**
 * Waits until a Cassandra node answers a real CQL query (not merely an open port) and prints its
 * release version. Used by ci/cassandra.sh; exits 1 when the deadline passes or the watched
 * process dies first, so a failed start is reported at once instead of after the full timeout.
 *
 *   node --import tsx ci/cassandra/wait-for-cql.ts --host 127.0.0.1 --port 9042 --timeout 180 [--pid 1234]
 *       [--tls] [--username cassandra]   (password from CASSANDRA_WAIT_PASSWORD)
 *
 * --tls speaks TLS without checking the node's certificate: this only asks whether the node is up.
 * With --username the login is retried like any other failure, so this also waits for the default
 * role PasswordAuthenticator creates a few seconds after the node starts.
 */
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { Client } from "cassandra-driver";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "9042" },
    timeout: { type: "string", default: "180" },
    pid: { type: "string" },
    "local-dc": { type: "string", default: "datacenter1" },
    tls: { type: "boolean", default: false },
    username: { type: "string" },
  },
});

const deadline = Date.now() + Number(values.timeout) * 1000;
const watchedPid = values.pid === undefined ? undefined : Number(values.pid);

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function queryReleaseVersion(): Promise<string> {
  const client = new Client({
    contactPoints: [`${values.host}:${values.port}`],
    localDataCenter: values["local-dc"],
    socketOptions: { connectTimeout: 2000, readTimeout: 5000 },
    ...(values.tls && { sslOptions: { rejectUnauthorized: false } }),
    ...(values.username !== undefined && {
      credentials: { username: values.username, password: process.env.CASSANDRA_WAIT_PASSWORD ?? "" },
    }),
  });
  try {
    const result = await client.execute("SELECT release_version FROM system.local");
    return String(result.first()?.get("release_version"));
  } finally {
    await client.shutdown();
  }
}

let lastError = "";
for (;;) {
  if (watchedPid !== undefined && !processAlive(watchedPid)) {
    console.error(`cassandra process ${watchedPid} exited before CQL answered (last error: ${lastError})`);
    process.exit(1);
  }
  try {
    const version = await queryReleaseVersion();
    console.log(version);
    process.exit(0);
  } catch (error) {
    lastError = error instanceof Error ? error.message : String(error);
  }
  if (Date.now() > deadline) {
    console.error(`CQL did not answer on ${values.host}:${values.port} within ${values.timeout}s: ${lastError}`);
    process.exit(1);
  }
  await sleep(1000);
}
