import type { LogFormat, LogLevel } from "../logger.js";
import type { CassandraSettings } from "../persistence/cassandra/cassandra-settings.js";

/** The Cassandra journal carries its settings whole: what create-cassandra-stores needs, nothing left to read. */
export type JournalSettings = { readonly kind: "memory" } | { readonly kind: "cassandra"; readonly cassandra: CassandraSettings };

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
  /**
   * Read the journal's head before each command on a cached entity and recover it first if another
   * replica wrote past it: needed when several backends share the journal (one extra read per command).
   */
  readonly freshnessCheck: boolean;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** How long shutdown waits for calls in flight. */
  readonly shutdownTimeoutMs: number;
  readonly limits: BackendLimits;
  /** Passivation and recovery lines at info, at most this many per second (0: none). */
  readonly lifecycleLogLinesPerSecond: number;
  /** How long the user function may be unreachable before health says NOT_SERVING. */
  readonly userFunctionUnhealthyAfterMs: number;
  /** How long the journal may fail writes (and probes) before health says NOT_SERVING; 0: at the first failure. */
  readonly journalUnhealthyAfterMs: number;
  /** The admin HTTP server (GET /metrics, PUT /log-level); undefined: not started. */
  readonly admin: { readonly host: string; readonly port: number } | undefined;
  /** Server TLS for clients (PEM files); undefined: plaintext. */
  readonly tls: ServerTlsFiles | undefined;
  /** TLS to the user function (PEM files); undefined: plaintext. */
  readonly userFunctionTls: UserFunctionTlsFiles | undefined;
}

/** The backend's certificate and key; with `clientCaPath`, clients must present a certificate it signed. */
export interface ServerTlsFiles {
  readonly certPath: string;
  readonly keyPath: string;
  readonly clientCaPath: string | undefined;
}

/** The CA the user function's certificate must chain to; with a cert and key, mutual TLS. */
export interface UserFunctionTlsFiles {
  readonly caPath: string;
  readonly client: { readonly certPath: string; readonly keyPath: string } | undefined;
}

/** What one client call may cost; each is refused with a short, permanent error before any work. */
export interface BackendLimits {
  /** Largest request message a client may send (bytes); larger ones fail RESOURCE_EXHAUSTED. */
  readonly maxRequestBytes: number;
  /** Largest message either way on the user-function link (bytes): a reply with its events and snapshot. */
  readonly maxUserFunctionMessageBytes: number;
  /** Longest entity key (bytes of its UTF-8 entity id); longer ones fail INVALID_ARGUMENT. */
  readonly maxKeyBytes: number;
  /** Client-supplied text (an entity id) echoed in an error message is cut to this many characters, with "…". */
  readonly maxEchoedTextLength: number;
}
