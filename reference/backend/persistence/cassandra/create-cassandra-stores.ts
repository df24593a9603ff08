import { Client, policies } from "cassandra-driver";
import type { Logger } from "../../logger.js";
import type { Journal } from "../journal.js";
import type { SnapshotStore } from "../snapshot-store.js";
import { createCassandraJournal } from "./cassandra-journal.js";
import { guardControlConnectionRefresh } from "./control-connection-guard.js";
import { ensureCassandraSchema } from "./cassandra-schema.js";
import type { CassandraSettings } from "./cassandra-settings.js";
import { createCassandraSnapshotStore } from "./cassandra-snapshot-store.js";
import { storageErrorFromDriver } from "./storage-error-from-driver.js";

export interface CassandraStores {
  readonly journal: Journal;
  readonly snapshotStore: SnapshotStore;
  /** The journal partition size in force: the one recorded in the keyspace. */
  readonly partitionSize: number;
  /** Closes both stores; the connection closes once both are closed, whichever way. */
  close(): Promise<void>;
}

/**
 * Connects, creates the schema when absent (if allowed), and returns a journal and a snapshot
 * store sharing one driver client. Fails with an `unavailable` StorageError when Cassandra
 * cannot be reached, so the caller decides whether to retry or stop.
 */
export async function createCassandraStores(settings: CassandraSettings, logger: Logger): Promise<CassandraStores> {
  const log = logger.child({ component: "cassandra", keyspace: settings.keyspace });
  const client = new Client({
    contactPoints: [...settings.contactPoints],
    localDataCenter: settings.localDataCenter,
    ...(settings.credentials && { credentials: { ...settings.credentials } }),
    // TLS to every node; the certificate is always checked (a node's or the system's CAs).
    ...(settings.tls && {
      sslOptions: {
        rejectUnauthorized: true,
        ...(settings.tls.ca && { ca: settings.tls.ca }),
        ...(settings.tls.client && { cert: settings.tls.client.cert, key: settings.tls.client.key }),
        ...(settings.tls.serverName !== undefined && { servername: settings.tls.serverName }),
      },
    }),
    // The driver's default backs off to 10 minutes; a backend should be serving again within
    // seconds of Cassandra coming back.
    policies: { reconnection: new policies.reconnection.ExponentialReconnectionPolicy(500, 10_000, false) },
  });
  guardControlConnectionRefresh(client, log);
  client.on("log", (level: string, className: string, message: string) => {
    if (level === "warning" || level === "error") log.warn(`driver: ${message}`, { driverClass: className });
  });

  // cassandra-driver 4.10 drains a host it drops from its metadata (e.g. a node seen again after
  // a restart) but leaves that host's pool able to schedule reconnections forever, and
  // client.shutdown() never reaches it: a timer that would keep the process alive. Shut such
  // hosts down for good once the client is shut down.
  const removedHosts = new Set<unknown>();
  client.on("hostRemove", (host: unknown) => removedHosts.add(host));

  let partitionSize: number;
  try {
    await client.connect();
    ({ partitionSize } = await ensureCassandraSchema(client, settings, log));
  } catch (error) {
    await client
      .shutdown()
      .then(() => shutDownRemovedHosts(removedHosts))
      .catch(() => {});
    throw storageErrorFromDriver(error, `connecting to ${settings.contactPoints.join(",")}`);
  }
  log.info("connected to Cassandra", {
    contactPoints: settings.contactPoints.join(","),
    tls: settings.tls ? (settings.tls.client ? "mutual" : "on") : "off",
    authenticated: settings.credentials !== undefined,
    localDataCenter: settings.localDataCenter,
    partitionSize,
  });

  let open = 2;
  let shutdown: Promise<void> | undefined;
  const release = async (): Promise<void> => {
    open--;
    if (open > 0) return;
    shutdown ??= client.shutdown().then(() => shutDownRemovedHosts(removedHosts));
    await shutdown;
  };

  const journal = createCassandraJournal({
    client,
    keyspace: settings.keyspace,
    partitionSize,
    consistency: settings.journalConsistency,
    serialConsistency: settings.serialConsistency,
    fetchSize: settings.fetchSize,
    logger: log,
    onClose: release,
  });
  const snapshotStore = createCassandraSnapshotStore({
    client,
    keyspace: settings.keyspace,
    consistency: settings.snapshotConsistency,
    onClose: release,
  });
  return {
    journal,
    snapshotStore,
    partitionSize,
    close: async () => {
      await Promise.all([journal.close(), snapshotStore.close()]);
    },
  };
}

/** Host.shutdown is internal to the driver: called only where present, and never fatal. */
async function shutDownRemovedHosts(hosts: ReadonlySet<unknown>): Promise<void> {
  for (const host of hosts) {
    const shutDown = (host as { shutdown?: (waitForPending: boolean) => Promise<void> }).shutdown;
    if (typeof shutDown === "function") await shutDown.call(host, false).catch(() => {});
  }
}
