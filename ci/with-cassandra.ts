// Runs a command (the test suites) with one Cassandra for the whole run: acquired once here, as
// acquireCassandra() picks it (CASSANDRA_CONTACT_POINTS, Testcontainers, ci/cassandra.sh), handed
// to the command through CASSANDRA_* variables, and stopped afterwards if it was started here.
//   node --import tsx ci/with-cassandra.ts npm run test:unit
import { spawn } from "node:child_process";
import { acquireCassandra } from "./cassandra-for-tests.js";

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === undefined) {
    process.stderr.write("usage: with-cassandra.ts COMMAND [ARGS…]\n");
    return 2;
  }
  let acquisition;
  try {
    acquisition = await acquireCassandra();
  } catch (error) {
    process.stderr.write(`[cassandra] ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const env = { ...process.env };
  if (!("skipped" in acquisition)) {
    env["CASSANDRA_CONTACT_POINTS"] = acquisition.contactPoints.join(",");
    env["CASSANDRA_LOCAL_DC"] = acquisition.localDataCenter;
    if (acquisition.credentials) {
      env["CASSANDRA_USERNAME"] = acquisition.credentials.username;
      env["CASSANDRA_PASSWORD"] = acquisition.credentials.password;
    }
  }
  try {
    const child = spawn(command, args, { stdio: "inherit", env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    return await new Promise<number>((resolve, reject) => {
      child.on("error", reject);
      child.on("exit", (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    });
  } finally {
    if (!("skipped" in acquisition)) await acquisition.stop();
  }
}

process.exitCode = await main(process.argv.slice(2));
