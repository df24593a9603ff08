export type CassandraConsistency = "ANY" | "ONE" | "TWO" | "THREE" | "QUORUM" | "ALL" | "LOCAL_QUORUM" | "EACH_QUORUM" | "LOCAL_ONE";

export type CassandraSerialConsistency = "SERIAL" | "LOCAL_SERIAL";

export type CassandraReplication =
  | { readonly class: "SimpleStrategy"; readonly replicationFactor: number }
  | { readonly class: "NetworkTopologyStrategy"; readonly dataCenters: Readonly<Record<string, number>> };

/**
 * Everything the Cassandra stores need, resolved and validated once at the edge: the backend's
 * command line and environment (config/parse-cassandra-settings.ts), or a test's own values.
 */
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

/** The defaults of every setting (the seed's); `--help` shows them too. */
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
