export {
  type CassandraConsistency,
  type CassandraReplication,
  type CassandraSerialConsistency,
  type CassandraSettings,
  type CassandraTls,
  defaultCassandraSettings,
} from "./cassandra-settings.js";
export { type CassandraStores, createCassandraStores } from "./create-cassandra-stores.js";
export { type CassandraJournalOptions, createCassandraJournal } from "./cassandra-journal.js";
export { type CassandraSnapshotStoreOptions, createCassandraSnapshotStore } from "./cassandra-snapshot-store.js";
export { cassandraSchemaStatements, cassandraTables, ensureCassandraSchema } from "./cassandra-schema.js";
export { storageErrorFromDriver } from "./storage-error-from-driver.js";
