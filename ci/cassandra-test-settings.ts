/**
 * Settings for Cassandra store tests: a keyspace of their own per test file (so runs and files
 * never collide), aimed at whatever acquireCassandra() found, and its removal afterwards.
 */
import { Client } from "cassandra-driver";
import { type CassandraSettings, defaultCassandraSettings } from "../reference/backend/persistence/cassandra/index.js";
import { type AcquiredCassandra, uniqueKeyspace } from "./cassandra-for-tests.js";

export function cassandraTestSettings(
  cassandra: AcquiredCassandra,
  keyspacePrefix: string,
  overrides: Partial<CassandraSettings> = {},
): CassandraSettings {
  return {
    ...defaultCassandraSettings,
    contactPoints: cassandra.contactPoints,
    localDataCenter: cassandra.localDataCenter,
    ...(cassandra.credentials && { credentials: cassandra.credentials }),
    keyspace: uniqueKeyspace(keyspacePrefix),
    ...overrides,
  };
}

/** Drops the keyspaces a test file created. */
export async function dropTestKeyspaces(cassandra: AcquiredCassandra, keyspaces: readonly string[]): Promise<void> {
  if (keyspaces.length === 0) return;
  const client = new Client({
    contactPoints: [...cassandra.contactPoints],
    localDataCenter: cassandra.localDataCenter,
    ...(cassandra.credentials && { credentials: { ...cassandra.credentials } }),
  });
  try {
    for (const keyspace of keyspaces) await client.execute(`DROP KEYSPACE IF EXISTS ${keyspace}`);
  } finally {
    await client.shutdown();
  }
}
