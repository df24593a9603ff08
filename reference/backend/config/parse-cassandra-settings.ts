import { readFileSync } from "node:fs";
import {
  type CassandraConsistency,
  type CassandraReplication,
  type CassandraSerialConsistency,
  type CassandraSettings,
  type CassandraTls,
  defaultCassandraSettings,
} from "../persistence/cassandra/cassandra-settings.js";
import { ConfigError } from "./config-error.js";

/** Every variable the Cassandra settings are read from; the first five also have a flag (parse-backend-config.ts). */
const cassandraVariables = [
  "CASSANDRA_CONTACT_POINTS",
  "CASSANDRA_KEYSPACE",
  "CASSANDRA_USERNAME",
  "CASSANDRA_PASSWORD",
  "CASSANDRA_LOCAL_DC",
  "CASSANDRA_REPLICATION_FACTOR",
  "CASSANDRA_REPLICATION_DATACENTERS",
  "CASSANDRA_PARTITION_SIZE",
  "CASSANDRA_JOURNAL_CONSISTENCY",
  "CASSANDRA_SERIAL_CONSISTENCY",
  "CASSANDRA_SNAPSHOT_CONSISTENCY",
  "CASSANDRA_FETCH_SIZE",
  "CASSANDRA_CREATE_SCHEMA",
  "CASSANDRA_TLS",
  "CASSANDRA_TLS_CA",
  "CASSANDRA_TLS_CERT",
  "CASSANDRA_TLS_KEY",
  "CASSANDRA_TLS_SERVER_NAME",
] as const;

export type CassandraVariable = (typeof cassandraVariables)[number];

/**
 * The text given for a variable and where it came from (its flag or its name), for messages;
 * undefined when it is not set (an empty environment variable counts as unset).
 */
export type CassandraSettingReader = (variable: CassandraVariable) => { readonly value: string; readonly source: string } | undefined;

/** Reads the variables from the environment alone. */
export function fromEnvironment(env: Readonly<Record<string, string | undefined>>): CassandraSettingReader {
  return (variable) => {
    const value = env[variable];
    return value === undefined || value === "" ? undefined : { value, source: variable };
  };
}

/** The Cassandra settings from the environment alone (tools and tests without a command line). */
export function cassandraSettingsFromEnv(env: Readonly<Record<string, string | undefined>>): CassandraSettings {
  return parseCassandraSettings(fromEnvironment(env));
}

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
 * The one parser of the Cassandra settings (names as in the seed's deployment, plus tuning; the
 * table is persistence/cassandra/README.md). Unset variables take `defaultCassandraSettings`.
 * Reads the CASSANDRA_TLS_* PEM files, so one that cannot be read is a settings error too.
 * Throws one ConfigError naming every flag or variable that is wrong.
 */
export function parseCassandraSettings(read: CassandraSettingReader): CassandraSettings {
  // A Set: a blank variable read twice is said once.
  const problems = new Set<string>();
  /** The trimmed text, undefined when unset; set but blank is a problem. */
  const text = (variable: CassandraVariable): { value: string; source: string } | undefined => {
    const given = read(variable);
    if (given === undefined) return undefined;
    const value = given.value.trim();
    if (value === "") {
      problems.add(`${given.source} must not be empty`);
      return undefined;
    }
    return { value, source: given.source };
  };
  const value = (variable: CassandraVariable): string | undefined => text(variable)?.value;
  const positiveInteger = (variable: CassandraVariable, fallback: number): number => {
    const given = text(variable);
    if (given === undefined) return fallback;
    const parsed = Number(given.value);
    if (!/^\d+$/.test(given.value) || !Number.isSafeInteger(parsed) || parsed < 1) {
      problems.add(`${given.source} must be a positive integer, got ${JSON.stringify(given.value)}`);
      return fallback;
    }
    return parsed;
  };
  const oneOf = <T extends string>(variable: CassandraVariable, allowed: readonly T[], fallback: T): T => {
    const given = text(variable);
    if (given === undefined) return fallback;
    const upper = given.value.toUpperCase();
    if (!(allowed as readonly string[]).includes(upper)) {
      problems.add(`${given.source} must be one of ${allowed.join(", ")}, got ${JSON.stringify(upper)}`);
      return fallback;
    }
    return upper as T;
  };
  const trueOrFalse = (variable: CassandraVariable): boolean | undefined => {
    const given = text(variable);
    if (given === undefined) return undefined;
    const lower = given.value.toLowerCase();
    if (lower === "true" || lower === "false") return lower === "true";
    problems.add(`${given.source} must be true or false, got ${JSON.stringify(lower)}`);
    return undefined;
  };

  const settings: CassandraSettings = {
    contactPoints: contactPoints(),
    localDataCenter: value("CASSANDRA_LOCAL_DC") ?? defaultCassandraSettings.localDataCenter,
    keyspace: keyspace(),
    ...credentials(),
    replication: replication(),
    partitionSize: positiveInteger("CASSANDRA_PARTITION_SIZE", defaultCassandraSettings.partitionSize),
    journalConsistency: oneOf("CASSANDRA_JOURNAL_CONSISTENCY", consistencies, defaultCassandraSettings.journalConsistency),
    serialConsistency: oneOf("CASSANDRA_SERIAL_CONSISTENCY", serialConsistencies, defaultCassandraSettings.serialConsistency),
    snapshotConsistency: oneOf("CASSANDRA_SNAPSHOT_CONSISTENCY", consistencies, defaultCassandraSettings.snapshotConsistency),
    fetchSize: positiveInteger("CASSANDRA_FETCH_SIZE", defaultCassandraSettings.fetchSize),
    createSchema: trueOrFalse("CASSANDRA_CREATE_SCHEMA") ?? defaultCassandraSettings.createSchema,
    ...tls(),
  };
  if (problems.size > 0) throw new ConfigError(`invalid Cassandra settings: ${[...problems].join("; ")}`);
  return settings;

  function contactPoints(): readonly string[] {
    const given = text("CASSANDRA_CONTACT_POINTS");
    if (given === undefined) return defaultCassandraSettings.contactPoints;
    const points = given.value.split(",").map((point) => point.trim());
    const wrong = points.find((point) => !/^[^\s:[\]]+(:\d{1,5})?$/.test(point) && !/^\[[0-9a-fA-F:.]+\](:\d{1,5})?$/.test(point));
    if (wrong !== undefined) {
      const why = wrong === "" ? "an entry is empty" : `${JSON.stringify(wrong)} is not host or host:port`;
      problems.add(`${given.source}: ${JSON.stringify(given.value)} is not a comma-separated list of hosts (${why})`);
    }
    return points;
  }

  function keyspace(): string {
    const given = text("CASSANDRA_KEYSPACE");
    // The keyspace is written into CQL text, so only plain identifiers are accepted.
    if (given !== undefined && !/^[A-Za-z][A-Za-z0-9_]{0,47}$/.test(given.value)) {
      problems.add(
        `${given.source}: ${JSON.stringify(given.value)} is not a Cassandra keyspace name (a letter, then up to 47 letters, digits or _)`,
      );
    }
    return given?.value ?? defaultCassandraSettings.keyspace;
  }

  /** Taken as given (not trimmed); an empty one counts as unset. */
  function credentials(): Pick<CassandraSettings, "credentials"> {
    const username = read("CASSANDRA_USERNAME")?.value || undefined;
    const password = read("CASSANDRA_PASSWORD")?.value || undefined;
    if ((username === undefined) !== (password === undefined)) {
      problems.add("Cassandra credentials need both CASSANDRA_USERNAME and CASSANDRA_PASSWORD (or their flags), or neither");
    }
    return username !== undefined && password !== undefined ? { credentials: { username, password } } : {};
  }

  function replication(): CassandraReplication {
    const factor = positiveInteger("CASSANDRA_REPLICATION_FACTOR", 1);
    const dataCenters = text("CASSANDRA_REPLICATION_DATACENTERS");
    if (dataCenters === undefined) return { class: "SimpleStrategy", replicationFactor: factor };
    const parsed: Record<string, number> = {};
    for (const entry of dataCenters.value.split(",")) {
      const match = /^\s*([A-Za-z0-9_.-]+)\s*:\s*(\d+)\s*$/.exec(entry);
      if (!match?.[1] || !match[2] || Number(match[2]) < 1) {
        problems.add(`${dataCenters.source} entries must look like dc1:3, got ${JSON.stringify(entry)}`);
        continue;
      }
      parsed[match[1]] = Number(match[2]);
    }
    return { class: "NetworkTopologyStrategy", dataCenters: parsed };
  }

  function tls(): Pick<CassandraSettings, "tls"> {
    const enabled = trueOrFalse("CASSANDRA_TLS");
    const files = ["CASSANDRA_TLS_CA", "CASSANDRA_TLS_CERT", "CASSANDRA_TLS_KEY", "CASSANDRA_TLS_SERVER_NAME"] as const;
    if (enabled !== true) {
      for (const variable of files) {
        const given = text(variable);
        if (given !== undefined) problems.add(`${given.source} is set but CASSANDRA_TLS is not true`);
      }
      return {};
    }
    const file = (variable: CassandraVariable): Buffer | undefined => {
      const given = text(variable);
      if (given === undefined) return undefined;
      try {
        return readFileSync(given.value);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? String(error);
        problems.add(`${given.source}: cannot read ${JSON.stringify(given.value)} (${code})`);
        return undefined;
      }
    };
    const ca = file("CASSANDRA_TLS_CA");
    const cert = file("CASSANDRA_TLS_CERT");
    const key = file("CASSANDRA_TLS_KEY");
    if ((value("CASSANDRA_TLS_CERT") === undefined) !== (value("CASSANDRA_TLS_KEY") === undefined)) {
      problems.add("CASSANDRA_TLS_CERT and CASSANDRA_TLS_KEY come together: set both or neither");
    }
    const serverName = value("CASSANDRA_TLS_SERVER_NAME");
    const settings: CassandraTls = {
      ...(ca && { ca }),
      ...(cert && key && { client: { cert, key } }),
      ...(serverName !== undefined && { serverName }),
    };
    return { tls: settings };
  }
}
