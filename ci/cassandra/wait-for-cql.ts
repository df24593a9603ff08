/**
 * Waits until a Cassandra node answers a real CQL query (not merely an open port) and prints its
 * release version. Used by ci/cassandra.sh; exits 1 when the deadline passes or the watched
 * process dies first, so a failed start is reported at once instead of after the full timeout.
 *
 *   node --import tsx ci/cassandra/wait-for-cql.ts --host 127.0.0.1 --port 9042 --timeout 180 [--pid 1234]
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
