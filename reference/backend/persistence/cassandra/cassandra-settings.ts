import { readFileSync } from "node:fs";

/** Everything the Cassandra stores need, resolved and validated once at the edge. */
export type CassandraConsistency = "ANY" | "ONE" | "TWO" | "THREE" | "QUORUM" | "ALL" | "LOCAL_QUORUM" | "EACH_QUORUM" | "LOCAL_ONE";

export type CassandraSerialConsistency = "SERIAL" | "LOCAL_SERIAL";

export type CassandraReplication =
  | { readonly class: "SimpleStrategy"; readonly replicationFactor: number }
  | { readonly class: "NetworkTopologyStrategy"; readonly dataCenters: Readonly<Record<string, number>> };

export interface CassandraSettings {
  /** `host` or `host:port` (port 9042 by default). */
  readonly contactPoints: readonly string[];
  readonly localDataCenter: string;
  readonly keyspace: string;
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Used only when the keyspace is created here; an existing keyspace keeps its own. */
  readonly replication: CassandraReplication;
  /**
   * Events per journal partition. Recorded in the keyspace when the schema is created, and the
   * recorded value wins afterwards: events already written stay where they were put.
   */
  readonly partitionSize: number;
  /** Reads and writes of events, and the commit phase of the lightweight transactions that append. */
  readonly journalConsistency: CassandraConsistency;
  /** The lightweight transactions that commit appends, and the reads of the committed highest. */
  readonly serialConsistency: CassandraSerialConsistency;
  readonly snapshotConsistency: CassandraConsistency;
  /** Rows per page when replaying (events may be large: a page is held in memory). */
  readonly fetchSize: number;
  /** Create the keyspace and tables when absent (turn off where the schema is managed elsewhere). */
  readonly createSchema: boolean;
  /** TLS to every node (the driver's `sslOptions`); absent: plaintext. */
  readonly tls?: CassandraTls;
}

/** What the driver's `sslOptions` get: PEM texts read from files, and the name to check the nodes' certificates against. */
export interface CassandraTls {
  /** CAs the nodes' certificates must chain to; absent: the system's trusted CAs. */
  readonly ca?: Buffer;
  /** A client certificate and key, for nodes that require client authentication. */
  readonly client?: { readonly cert: Buffer; readonly key: Buffer };
  /** The host name every node's certificate must carry (when contact points are IP addresses). */
  readonly serverName?: string;
}

export const defaultCassandraSettings: CassandraSettings = {
  contactPoints: ["127.0.0.1"],
  localDataCenter: "datacenter1",
  keyspace: "serverless",
  replication: { class: "SimpleStrategy", replicationFactor: 1 },
  partitionSize: 5000,
  journalConsistency: "QUORUM",
  serialConsistency: "SERIAL",
  snapshotConsistency: "QUORUM",
  fetchSize: 64,
  createSchema: true,
};

const consistencies: readonly CassandraConsistency[] = [
  "ANY",
  "ONE",
  "TWO",
  "THREE",
  "QUORUM",
  "ALL",
  "LOCAL_QUORUM",
  "EACH_QUORUM",
  "LOCAL_ONE",
];
const serialConsistencies: readonly CassandraSerialConsistency[] = ["SERIAL", "LOCAL_SERIAL"];

/**
 * Settings from the environment (names as in the seed's deployment, plus tuning):
 * CASSANDRA_CONTACT_POINTS (comma separated), CASSANDRA_KEYSPACE, CASSANDRA_USERNAME,
 * CASSANDRA_PASSWORD, CASSANDRA_LOCAL_DC, CASSANDRA_REPLICATION_FACTOR,
 * CASSANDRA_REPLICATION_DATACENTERS (`dc1:3,dc2:3`, selects NetworkTopologyStrategy),
 * CASSANDRA_PARTITION_SIZE, CASSANDRA_JOURNAL_CONSISTENCY, CASSANDRA_SERIAL_CONSISTENCY,
 * CASSANDRA_SNAPSHOT_CONSISTENCY, CASSANDRA_FETCH_SIZE, CASSANDRA_CREATE_SCHEMA (true/false),
 * CASSANDRA_TLS (true/false) with CASSANDRA_TLS_CA, CASSANDRA_TLS_CERT + CASSANDRA_TLS_KEY (PEM files)
 * and CASSANDRA_TLS_SERVER_NAME.
 * Throws one error naming every variable that is wrong.
 */
export function cassandraSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): CassandraSettings {
  const problems: string[] = [];
  const value = (name: string): string | undefined => {
    const raw = env[name]?.trim();
    return raw === undefined || raw === "" ? undefined : raw;
  };
  const positiveInteger = (name: string, fallback: number): number => {
    const raw = value(name);
    if (raw === undefined) return fallback;
    const parsed = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(parsed) || parsed < 1) {
      problems.push(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return parsed;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = value(name)?.toUpperCase();
    if (raw === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name} must be one of ${allowed.join(", ")}, got ${JSON.stringify(raw)}`);
      return fallback;
    }
    return raw as T;
  };

  const contactPoints = (value("CASSANDRA_CONTACT_POINTS") ?? defaultCassandraSettings.contactPoints.join(","))
    .split(",")
    .map((point) => point.trim())
    .filter((point) => point !== "");
  for (const point of contactPoints) {
    if (!/^[^\s:]+(:\d{1,5})?$/.test(point) && !/^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/.test(point)) {
      problems.push(`CASSANDRA_CONTACT_POINTS has an invalid entry ${JSON.stringify(point)} (want host or host:port)`);
    }
  }
  if (contactPoints.length === 0) problems.push("CASSANDRA_CONTACT_POINTS lists no host");

  const keyspace = value("CASSANDRA_KEYSPACE") ?? defaultCassandraSettings.keyspace;
  // The keyspace is written into CQL text, so only plain identifiers are accepted.
  if (!/^[A-Za-z][A-Za-z0-9_]{0,47}$/.test(keyspace)) {
    problems.push(`CASSANDRA_KEYSPACE must be a letter then up to 47 letters, digits or _, got ${JSON.stringify(keyspace)}`);
  }

  const username = value("CASSANDRA_USERNAME");
  const password = env["CASSANDRA_PASSWORD"];
  if (username !== undefined && password === undefined) problems.push("CASSANDRA_USERNAME is set but CASSANDRA_PASSWORD is not");
  if (username === undefined && value("CASSANDRA_PASSWORD") !== undefined) {
    problems.push("CASSANDRA_PASSWORD is set but CASSANDRA_USERNAME is not");
  }

  let replication: CassandraReplication = {
    class: "SimpleStrategy",
    replicationFactor: positiveInteger("CASSANDRA_REPLICATION_FACTOR", 1),
  };
  const dataCenters = value("CASSANDRA_REPLICATION_DATACENTERS");
  if (dataCenters !== undefined) {
    const parsed: Record<string, number> = {};
    for (const entry of dataCenters.split(",")) {
      const match = /^\s*([A-Za-z0-9_.-]+)\s*:\s*(\d+)\s*$/.exec(entry);
      if (!match?.[1] || !match[2] || Number(match[2]) < 1) {
        problems.push(`CASSANDRA_REPLICATION_DATACENTERS entries must look like dc1:3, got ${JSON.stringify(entry)}`);
        continue;
      }
      parsed[match[1]] = Number(match[2]);
    }
    replication = { class: "NetworkTopologyStrategy", dataCenters: parsed };
  }

  const createSchemaRaw = value("CASSANDRA_CREATE_SCHEMA")?.toLowerCase();
  if (createSchemaRaw !== undefined && createSchemaRaw !== "true" && createSchemaRaw !== "false") {
    problems.push(`CASSANDRA_CREATE_SCHEMA must be true or false, got ${JSON.stringify(createSchemaRaw)}`);
  }

  const tls = tlsFromEnv();

  const settings: CassandraSettings = {
    contactPoints,
    localDataCenter: value("CASSANDRA_LOCAL_DC") ?? defaultCassandraSettings.localDataCenter,
    keyspace,
    ...(username !== undefined && password !== undefined && { credentials: { username, password } }),
    replication,
    partitionSize: positiveInteger("CASSANDRA_PARTITION_SIZE", defaultCassandraSettings.partitionSize),
    journalConsistency: oneOf("CASSANDRA_JOURNAL_CONSISTENCY", consistencies, defaultCassandraSettings.journalConsistency),
    serialConsistency: oneOf("CASSANDRA_SERIAL_CONSISTENCY", serialConsistencies, defaultCassandraSettings.serialConsistency),
    snapshotConsistency: oneOf("CASSANDRA_SNAPSHOT_CONSISTENCY", consistencies, defaultCassandraSettings.snapshotConsistency),
    fetchSize: positiveInteger("CASSANDRA_FETCH_SIZE", defaultCassandraSettings.fetchSize),
    createSchema: createSchemaRaw !== "false",
    ...(tls && { tls }),
  };
  if (problems.length > 0) throw new Error(`invalid Cassandra settings: ${problems.join("; ")}`);
  return settings;

  function tlsFromEnv(): CassandraTls | undefined {
    const enabled = value("CASSANDRA_TLS")?.toLowerCase();
    if (enabled !== undefined && enabled !== "true" && enabled !== "false") {
      problems.push(`CASSANDRA_TLS must be true or false, got ${JSON.stringify(enabled)}`);
    }
    const names = ["CASSANDRA_TLS_CA", "CASSANDRA_TLS_CERT", "CASSANDRA_TLS_KEY", "CASSANDRA_TLS_SERVER_NAME"] as const;
    if (enabled !== "true") {
      for (const name of names) if (value(name) !== undefined) problems.push(`${name} is set but CASSANDRA_TLS is not true`);
      return undefined;
    }
    const file = (name: string): Buffer | undefined => {
      const path = value(name);
      if (path === undefined) return undefined;
      try {
        return readFileSync(path);
      } catch (error) {
        problems.push(`${name}: cannot read ${JSON.stringify(path)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
        return undefined;
      }
    };
    const ca = file("CASSANDRA_TLS_CA");
    const cert = file("CASSANDRA_TLS_CERT");
    const key = file("CASSANDRA_TLS_KEY");
    if ((value("CASSANDRA_TLS_CERT") === undefined) !== (value("CASSANDRA_TLS_KEY") === undefined)) {
      problems.push("CASSANDRA_TLS_CERT and CASSANDRA_TLS_KEY come together: set both or neither");
    }
    const serverName = value("CASSANDRA_TLS_SERVER_NAME");
    return {
      ...(ca && { ca }),
      ...(cert && key && { client: { cert, key } }),
      ...(serverName !== undefined && { serverName }),
    };
  }
}
