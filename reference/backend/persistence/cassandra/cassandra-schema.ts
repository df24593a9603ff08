import type { Client } from "cassandra-driver";
import type { Logger } from "../../logger.js";
import type { CassandraReplication, CassandraSettings } from "./cassandra-settings.js";
import { consistencyCode } from "./consistency-code.js";
import { storageErrorFromDriver } from "./storage-error-from-driver.js";

/** Table names inside the configured keyspace. */
export const cassandraTables = {
  /** The committed history: event rows and markers, static highest per partition. */
  entries: "journal_entries",
  /** Staged rows of large or boundary-crossing appends, per attempt. */
  events: "journal_events",
  snapshots: "snapshots",
  settings: "journal_settings",
} as const;

/**
 * The CQL that creates the keyspace and tables when absent. Identity is always the
 * (persistence_id, entity_id) pair of columns, never one concatenated string.
 */
export function cassandraSchemaStatements(keyspace: string, replication: CassandraReplication): string[] {
  const t = cassandraTables;
  return [
    `CREATE KEYSPACE IF NOT EXISTS ${keyspace} WITH replication = ${replicationMap(replication)}`,
    // The committed history, bucketed by partition_nr = (sequence_nr - 1) / partition size. Every
    // row is written by an applied lightweight transaction on its partition, so every row counts:
    // an event row (type_url, payload), or a marker (staged_to set) naming the attempt whose
    // staged rows in journal_events hold events sequence_nr..staged_to (see cassandra-journal.ts).
    `CREATE TABLE IF NOT EXISTS ${keyspace}.${t.entries} (
      persistence_id text, entity_id text, partition_nr bigint,
      highest_sequence_nr bigint static,
      sequence_nr bigint, attempt_id uuid, type_url text, payload blob, staged_to bigint,
      PRIMARY KEY ((persistence_id, entity_id, partition_nr), sequence_nr)
    ) WITH CLUSTERING ORDER BY (sequence_nr ASC)`,
    // Staged rows of every large or boundary-crossing append attempt, keyed by attempt so no
    // writer can overwrite another's; only the attempt a marker names counts.
    `CREATE TABLE IF NOT EXISTS ${keyspace}.${t.events} (
      persistence_id text, entity_id text, partition_nr bigint,
      sequence_nr bigint, attempt_id uuid, type_url text, payload blob,
      PRIMARY KEY ((persistence_id, entity_id, partition_nr), sequence_nr, attempt_id)
    ) WITH CLUSTERING ORDER BY (sequence_nr ASC, attempt_id ASC)`,
    `CREATE TABLE IF NOT EXISTS ${keyspace}.${t.snapshots} (
      persistence_id text, entity_id text, sequence_nr bigint, type_url text, payload blob,
      PRIMARY KEY ((persistence_id, entity_id), sequence_nr)
    ) WITH CLUSTERING ORDER BY (sequence_nr DESC)`,
    `CREATE TABLE IF NOT EXISTS ${keyspace}.${t.settings} (name text PRIMARY KEY, value text)`,
  ];
}

function replicationMap(replication: CassandraReplication): string {
  switch (replication.class) {
    case "SimpleStrategy":
      return `{'class': 'SimpleStrategy', 'replication_factor': ${replication.replicationFactor}}`;
    case "NetworkTopologyStrategy": {
      const dataCenters = Object.entries(replication.dataCenters).map(([dc, factor]) => `'${dc}': ${factor}`);
      return `{'class': 'NetworkTopologyStrategy', ${dataCenters.join(", ")}}`;
    }
  }
}

/**
 * Creates what is absent (when allowed) and settles the journal's partition size: the first
 * writer of a keyspace records it; everyone afterwards uses the recorded one, because events
 * already stored can only be found in the partitions they were written to.
 */
export async function ensureCassandraSchema(
  client: Client,
  settings: CassandraSettings,
  logger: Logger,
): Promise<{ partitionSize: number }> {
  try {
    if (settings.createSchema) {
      for (const statement of cassandraSchemaStatements(settings.keyspace, settings.replication)) {
        await client.execute(statement);
      }
    }
    await refuseEarlierJournalFormat(client, settings.keyspace);
    const table = `${settings.keyspace}.${cassandraTables.settings}`;
    const options = {
      prepare: true,
      consistency: consistencyCode(settings.journalConsistency),
      serialConsistency: consistencyCode(settings.serialConsistency),
    };
    const result = settings.createSchema
      ? await client.execute(
          `INSERT INTO ${table} (name, value) VALUES ('partition_size', ?) IF NOT EXISTS`,
          [String(settings.partitionSize)],
          options,
        )
      : await client.execute(`SELECT value FROM ${table} WHERE name = 'partition_size'`, [], {
          ...options,
          consistency: consistencyCode(settings.serialConsistency),
        });
    const recorded: unknown = result.first()?.get("value");
    const partitionSize = typeof recorded === "string" ? Number(recorded) : settings.partitionSize;
    if (!Number.isSafeInteger(partitionSize) || partitionSize < 1) {
      throw new Error(`${table} records an invalid partition_size ${JSON.stringify(recorded)}`);
    }
    if (partitionSize !== settings.partitionSize) {
      logger.warn("journal partition size differs from the configured one; using the recorded one", {
        keyspace: settings.keyspace,
        recorded: partitionSize,
        configured: settings.partitionSize,
      });
    }
    return { partitionSize };
  } catch (error) {
    throw storageErrorFromDriver(error, `preparing keyspace ${settings.keyspace}`);
  }
}

/**
 * A keyspace written by the earlier journal format (`journal_commits` held the highest and one
 * commit record per append) is not read by this one: refuse it rather than show its entities empty.
 */
async function refuseEarlierJournalFormat(client: Client, keyspace: string): Promise<void> {
  const result = await client.execute(
    "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?",
    [keyspace, earlierCommitsTable],
    { prepare: true },
  );
  if (result.rowLength > 0) {
    throw new Error(
      `keyspace ${keyspace} holds a journal of the earlier format (table ${earlierCommitsTable}), which this version ` +
        `does not read; use a new keyspace (the earlier format is not migrated)`,
    );
  }
}

const earlierCommitsTable = "journal_commits";
