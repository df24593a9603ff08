import type { LogFormat, LogLevel } from "../logger.js";

export interface CassandraSettings {
  readonly contactPoints: readonly string[];
  readonly keyspace: string;
  readonly localDataCenter: string;
  /** Username and password come together or not at all. */
  readonly credentials: { readonly username: string; readonly password: string } | undefined;
}

export type JournalSettings = { readonly kind: "memory" } | ({ readonly kind: "cassandra" } & CassandraSettings);

/** The backend's settings, fully resolved and validated (durations in milliseconds). */
export interface BackendConfig {
  readonly host: string;
  readonly port: number;
  /** The user function, `host:port`. */
  readonly userFunction: string;
  readonly passivationTimeoutMs: number;
  readonly relayTimeoutMs: number;
  /** Commands queued per entity before calls fail RESOURCE_EXHAUSTED. */
  readonly relayBuffer: number;
  readonly journal: JournalSettings;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** How long shutdown waits for calls in flight. */
  readonly shutdownTimeoutMs: number;
}
