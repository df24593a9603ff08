import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { BackendObserver } from "../backend.js";
import type { EntityObserver } from "../entity/entity-observer.js";

/** Latency buckets in seconds: 0.5 ms to 10 s (an in-memory command to a slow journal or relay timeout). */
const latencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Events replayed by one recovery. */
const replayBuckets = [0, 1, 5, 10, 50, 100, 500, 1000, 5000, 10000, 50000];

/**
 * The backend's Prometheus metrics (prom-client, a registry of its own, not the global one).
 * Names follow the Prometheus conventions: `backend_` prefix, base units (seconds), `_total` on
 * counters; the README lists them.
 */
export interface BackendMetrics extends BackendObserver {
  readonly registry: Registry;
  readonly entity: EntityObserver;
  /** Where `backend_active_entities` reads its value at each scrape. */
  activeEntitiesFrom(read: () => number): void;
  /** The text exposition of every metric. */
  scrape(): Promise<string>;
  readonly contentType: string;
}

export interface BackendMetricsOptions {
  /** Adds prom-client's process and Node.js metrics (`process_*`, `nodejs_*`); true by default. */
  readonly processMetrics?: boolean;
}

export function createBackendMetrics(options: BackendMetricsOptions = {}): BackendMetrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];

  let readActive: () => number = () => 0;
  new Gauge({
    name: "backend_active_entities",
    help: "Entities with an open session (taking commands).",
    registers,
    collect() {
      this.set(readActive());
    },
  });
  const passivations = new Counter({
    name: "backend_passivations_total",
    help: "Idle entities passivated (their stream completed).",
    registers,
  });
  const recoveries = new Counter({
    name: "backend_recoveries_total",
    help: "Entity recoveries completed (snapshot and events sent, commands flowing).",
    registers,
  });
  const recoveriesFromSnapshot = new Counter({
    name: "backend_recoveries_from_snapshot_total",
    help: "Entity recoveries that started from a snapshot.",
    registers,
  });
  const replayed = new Histogram({
    name: "backend_recovery_replayed_events",
    help: "Events replayed from the journal by one recovery (after the snapshot, if any).",
    buckets: replayBuckets,
    registers,
  });
  const recoveryDuration = new Histogram({
    name: "backend_recovery_duration_seconds",
    help: "Time from an entity's first command to its recovery completing.",
    buckets: latencyBuckets,
    registers,
  });
  const commands = new Counter({
    name: "backend_commands_total",
    help: "Client requests run as commands, by user method and gRPC status code.",
    labelNames: ["method", "code"] as const,
    registers,
  });
  const commandDuration = new Histogram({
    name: "backend_command_duration_seconds",
    help: "Time from a request's arrival to its reply or failure, by user method.",
    labelNames: ["method"] as const,
    buckets: latencyBuckets,
    registers,
  });
  const storeDuration = {
    journal: new Histogram({
      name: "backend_journal_operation_duration_seconds",
      help: "Journal operations (append, replay: one page read, highest_sequence_number), by operation and outcome (ok, error).",
      labelNames: ["operation", "outcome"] as const,
      buckets: latencyBuckets,
      registers,
    }),
    snapshot: new Histogram({
      name: "backend_snapshot_store_operation_duration_seconds",
      help: "Snapshot store operations (load, save), by operation and outcome (ok, error).",
      labelNames: ["operation", "outcome"] as const,
      buckets: latencyBuckets,
      registers,
    }),
  };
  const queued = new Gauge({
    name: "backend_queued_commands",
    help: "Commands waiting in entity queues (behind the one in flight, or for their entity to recover).",
    registers,
  });
  const restarts = new Counter({
    name: "backend_user_function_stream_restarts_total",
    help: "Entity streams to the user function torn down by a failure (stream failed, protocol violation, relay timeout, journal failure); the next command opens a new one.",
    registers,
  });
  const openFailures = new Counter({
    name: "backend_user_function_stream_open_failures_total",
    help: "Entity streams that ended UNAVAILABLE or UNIMPLEMENTED before the user function said anything.",
    registers,
  });

  return {
    registry,
    contentType: registry.contentType,
    activeEntitiesFrom(read) {
      readActive = read;
    },
    scrape: () => registry.metrics(),
    entity: {
      recovered(report) {
        recoveries.inc();
        if (report.snapshotSequenceNumber !== undefined) recoveriesFromSnapshot.inc();
        replayed.observe(report.eventsReplayed);
        recoveryDuration.observe(report.durationMs / 1000);
      },
      passivated: () => passivations.inc(),
      streamRestarted: () => restarts.inc(),
      queueDepthChanged: (delta) => queued.inc(delta),
      streamOpenOutcome: (ok) => {
        if (!ok) openFailures.inc();
      },
    },
    commandFinished(method, code, durationMs) {
      commands.inc({ method, code });
      commandDuration.observe({ method }, durationMs / 1000);
    },
    storeOperation(store, operation, ok, durationMs) {
      storeDuration[store].observe({ operation, outcome: ok ? "ok" : "error" }, durationMs / 1000);
    },
  };
}
