import type { LogFormat, LogLevel } from "../logger.js";
import { defaultCassandraSettings } from "../persistence/cassandra/cassandra-settings.js";
import type { BackendConfig, JournalSettings } from "./backend-config.js";
import { ConfigError } from "./config-error.js";
import {
  type CassandraSettingReader,
  type CassandraVariable,
  fromEnvironment,
  parseCassandraSettings,
} from "./parse-cassandra-settings.js";
import { parseByteSize } from "./parse-byte-size.js";
import { parseDuration } from "./parse-duration.js";

export type ParsedCommandLine =
  { readonly kind: "config"; readonly config: BackendConfig } | { readonly kind: "help"; readonly text: string };

interface Setting {
  readonly flag: string;
  readonly env: string;
  /** Shown in --help; undefined means "not set". */
  readonly defaultValue: string | undefined;
  readonly description: string;
}

/** Every setting: its flag, its environment variable, its default. Flag > environment > default. */
const settings = {
  host: { flag: "--host", env: "BACKEND_HOST", defaultValue: "127.0.0.1", description: "interface the backend's gRPC server listens on" },
  port: { flag: "--port", env: "BACKEND_PORT", defaultValue: "9000", description: "port the backend listens on (0: any free port)" },
  userFunction: {
    flag: "--user-function",
    env: "USER_FUNCTION_ADDRESS",
    defaultValue: "localhost:8080",
    description: "the user function's host:port",
  },
  passivationTimeout: {
    flag: "--passivation-timeout",
    env: "PASSIVATION_TIMEOUT",
    defaultValue: "30s",
    description: "idle time after which an entity's stream is closed",
  },
  relayTimeout: {
    flag: "--relay-timeout",
    env: "RELAY_TIMEOUT",
    defaultValue: "60s",
    description: "how long a command may wait for the user function's reply",
  },
  relayBuffer: { flag: "--relay-buffer", env: "RELAY_BUFFER", defaultValue: "100", description: "commands queued per entity" },
  journal: {
    flag: "--journal",
    env: "JOURNAL",
    defaultValue: "memory",
    description: "event journal and snapshot store: memory | cassandra",
  },
  freshnessCheck: {
    flag: "--freshness-check",
    env: "FRESHNESS_CHECK",
    defaultValue: "auto",
    description:
      "on | off | auto: before each command on a cached entity, read the journal's head and recover the entity if another replica wrote past it (one extra journal read per command); auto: on with --journal cassandra (replicas may share it), off with memory. Turn it off only for a single replica",
  },
  cassandraContactPoints: {
    flag: "--cassandra-contact-points",
    env: "CASSANDRA_CONTACT_POINTS",
    defaultValue: defaultCassandraSettings.contactPoints.join(","),
    description: "comma-separated Cassandra hosts (host or host:port)",
  },
  cassandraKeyspace: {
    flag: "--cassandra-keyspace",
    env: "CASSANDRA_KEYSPACE",
    defaultValue: defaultCassandraSettings.keyspace,
    description: "Cassandra keyspace",
  },
  cassandraUsername: {
    flag: "--cassandra-username",
    env: "CASSANDRA_USERNAME",
    defaultValue: undefined,
    description: "Cassandra username",
  },
  cassandraPassword: {
    flag: "--cassandra-password",
    env: "CASSANDRA_PASSWORD",
    defaultValue: undefined,
    description: "Cassandra password (prefer the environment variable: flags show up in process lists)",
  },
  cassandraLocalDc: {
    flag: "--cassandra-local-dc",
    env: "CASSANDRA_LOCAL_DC",
    defaultValue: defaultCassandraSettings.localDataCenter,
    description: "Cassandra local data centre",
  },
  logLevel: { flag: "--log-level", env: "LOG_LEVEL", defaultValue: "info", description: "debug | info | warn | error" },
  logFormat: { flag: "--log-format", env: "LOG_FORMAT", defaultValue: "text", description: "text | json" },
  shutdownTimeout: {
    flag: "--shutdown-timeout",
    env: "SHUTDOWN_TIMEOUT",
    defaultValue: "10s",
    description: "how long shutdown waits for calls in flight",
  },
  maxRequestSize: {
    flag: "--max-request-size",
    env: "MAX_REQUEST_SIZE",
    defaultValue: "4MiB",
    description: "largest request message a client may send (B, KiB, MiB); larger: RESOURCE_EXHAUSTED",
  },
  maxUserFunctionMessageSize: {
    flag: "--max-user-function-message-size",
    env: "MAX_USER_FUNCTION_MESSAGE_SIZE",
    defaultValue: "16MiB",
    description: "largest message on the user-function link (a reply with its events and snapshot)",
  },
  maxKeyLength: {
    flag: "--max-key-length",
    env: "MAX_KEY_LENGTH",
    defaultValue: "4KiB",
    description: "longest entity key, in UTF-8 bytes (at most 60KiB: Cassandra's key limit); longer: INVALID_ARGUMENT",
  },
  maxEchoedTextLength: {
    flag: "--max-echoed-text-length",
    env: "MAX_ECHOED_TEXT_LENGTH",
    defaultValue: "200",
    description: "characters of client-supplied text (an entity id) kept when an error message echoes it",
  },
  lifecycleLogRate: {
    flag: "--lifecycle-log-rate",
    env: "LIFECYCLE_LOG_RATE",
    defaultValue: "10",
    description: "passivation and recovery lines logged at info, at most this many per second (0: none)",
  },
  journalUnhealthyAfter: {
    flag: "--journal-unhealthy-after",
    env: "JOURNAL_UNHEALTHY_AFTER",
    defaultValue: "0s",
    description: "health says NOT_SERVING once the journal has failed writes (and probes) this long (0s: at the first failure)",
  },
  userFunctionUnhealthyAfter: {
    flag: "--user-function-unhealthy-after",
    env: "USER_FUNCTION_UNHEALTHY_AFTER",
    defaultValue: "10s",
    description: "health says NOT_SERVING once the user function has been unreachable this long",
  },
  adminPort: {
    flag: "--admin-port",
    env: "ADMIN_PORT",
    defaultValue: undefined,
    description: "port of the admin HTTP server (GET /metrics, PUT /log-level); not started unless set (0: any free port)",
  },
  adminHost: {
    flag: "--admin-host",
    env: "ADMIN_HOST",
    defaultValue: "127.0.0.1",
    description: "interface the admin HTTP server listens on",
  },
  tlsCert: {
    flag: "--tls-cert",
    env: "BACKEND_TLS_CERT",
    defaultValue: undefined,
    description: "PEM certificate chain file: serve clients over TLS (with --tls-key)",
  },
  tlsKey: { flag: "--tls-key", env: "BACKEND_TLS_KEY", defaultValue: undefined, description: "PEM private key file of --tls-cert" },
  tlsClientCa: {
    flag: "--tls-client-ca",
    env: "BACKEND_TLS_CLIENT_CA",
    defaultValue: undefined,
    description: "PEM CA file: clients must present a certificate it signed (mutual TLS)",
  },
  userFunctionCa: {
    flag: "--user-function-ca",
    env: "USER_FUNCTION_CA",
    defaultValue: undefined,
    description: "PEM CA file: connect to the user function over TLS, trusting this CA",
  },
  userFunctionCert: {
    flag: "--user-function-cert",
    env: "USER_FUNCTION_CERT",
    defaultValue: undefined,
    description: "PEM client certificate file for the user function (mutual TLS; with --user-function-key)",
  },
  userFunctionKey: {
    flag: "--user-function-key",
    env: "USER_FUNCTION_KEY",
    defaultValue: undefined,
    description: "PEM private key file of --user-function-cert",
  },
} as const satisfies Record<string, Setting>;

type SettingName = keyof typeof settings;

const byFlag = new Map<string, SettingName>(
  (Object.entries(settings) as [SettingName, Setting][]).map(([name, setting]) => [setting.flag, name]),
);
const byEnv = new Map<string, SettingName>(
  (Object.entries(settings) as [SettingName, Setting][]).map(([name, setting]) => [setting.env, name]),
);

/**
 * Reads the backend's settings from command-line arguments (without node and
 * the script) and the environment, once, at the edge. An empty environment
 * variable counts as unset. Throws ConfigError naming the flag or variable
 * at fault. With `--journal cassandra` it also reads the CASSANDRA_TLS_* files.
 */
export function parseBackendConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedCommandLine {
  const flags = new Map<SettingName, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--help" || arg === "-h") return { kind: "help", text: helpText() };
    if (!arg.startsWith("--")) throw new ConfigError(`unexpected argument "${arg}" (see --help)`);
    const equals = arg.indexOf("=");
    const flag = equals < 0 ? arg : arg.slice(0, equals);
    const name = byFlag.get(flag);
    if (!name) throw new ConfigError(`unknown option ${flag} (see --help)`);
    let value: string | undefined;
    if (equals >= 0) value = arg.slice(equals + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) throw new ConfigError(`${flag} needs a value`);
      i++;
    }
    flags.set(name, value);
  }

  /** The raw value and where it came from, for error messages. */
  const raw = (name: SettingName): { value: string | undefined; source: string } => {
    const setting: Setting = settings[name];
    const flagValue = flags.get(name);
    if (flagValue !== undefined) return { value: flagValue, source: setting.flag };
    const envValue = env[setting.env];
    if (envValue !== undefined && envValue !== "") return { value: envValue, source: setting.env };
    return { value: setting.defaultValue, source: `default of ${setting.flag}` };
  };
  const text = (name: SettingName): string => {
    const { value, source } = raw(name);
    if (value === undefined || value.trim() === "") throw new ConfigError(`${source} must not be empty`);
    return value.trim();
  };
  const optionalText = (name: SettingName): string | undefined => raw(name).value || undefined;
  const fail = (name: SettingName, expected: string): never => {
    const { value, source } = raw(name);
    throw new ConfigError(`${source}: ${JSON.stringify(value)} is not ${expected}`);
  };
  const duration = (name: SettingName): number => {
    const ms = parseDuration(text(name));
    return ms !== undefined && ms > 0 ? ms : fail(name, "a positive duration such as 500ms, 30s or 2m");
  };
  const durationOrZero = (name: SettingName): number => {
    const ms = parseDuration(text(name));
    return ms !== undefined && ms >= 0 ? ms : fail(name, "a duration such as 0s, 500ms or 30s");
  };
  const integer = (name: SettingName, min: number, max: number, what: string): number => {
    const value = text(name);
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    return Number.isSafeInteger(n) && n >= min && n <= max ? n : fail(name, what);
  };
  const byteSize = (name: SettingName, min: number, max: number): number => {
    const bytes = parseByteSize(text(name));
    return bytes !== undefined && bytes >= min && bytes <= max
      ? bytes
      : fail(name, `a size from ${min} to ${max} bytes, such as 4096, 64KiB or 4MiB`);
  };
  const oneOf = <T extends string>(name: SettingName, allowed: readonly T[]): T => {
    const value = text(name);
    return (allowed as readonly string[]).includes(value) ? (value as T) : fail(name, `one of ${allowed.join(", ")}`);
  };

  const userFunction = text("userFunction");
  if (!isHostPort(userFunction)) fail("userFunction", "a host:port address");

  const journal = journalSettings(oneOf("journal", ["memory", "cassandra"] as const));
  const config: BackendConfig = {
    host: text("host"),
    port: integer("port", 0, 65535, "a port number (0-65535)"),
    userFunction,
    passivationTimeoutMs: duration("passivationTimeout"),
    relayTimeoutMs: duration("relayTimeout"),
    relayBuffer: integer("relayBuffer", 1, 1_000_000, "a whole number of commands, at least 1"),
    journal,
    freshnessCheck: { on: true, off: false, auto: journal.kind === "cassandra" }[oneOf("freshnessCheck", ["on", "off", "auto"] as const)],
    logLevel: oneOf<LogLevel>("logLevel", ["debug", "info", "warn", "error"]),
    logFormat: oneOf<LogFormat>("logFormat", ["text", "json"]),
    shutdownTimeoutMs: duration("shutdownTimeout"),
    limits: limits(),
    lifecycleLogLinesPerSecond: integer("lifecycleLogRate", 0, 1_000_000, "a whole number of lines per second (0: none)"),
    userFunctionUnhealthyAfterMs: duration("userFunctionUnhealthyAfter"),
    journalUnhealthyAfterMs: durationOrZero("journalUnhealthyAfter"),
    admin:
      optionalText("adminPort") === undefined
        ? undefined
        : { host: text("adminHost"), port: integer("adminPort", 0, 65535, "a port number (0-65535)") },
    tls: serverTls(),
    userFunctionTls: userFunctionTls(),
  };
  return { kind: "config", config };

  function bothOrNeither(a: SettingName, b: SettingName): readonly [string, string] | undefined {
    const first = optionalText(a);
    const second = optionalText(b);
    if ((first === undefined) !== (second === undefined)) {
      throw new ConfigError(
        `${settings[a].flag} and ${settings[b].flag} (${settings[a].env}, ${settings[b].env}) come together: set both or neither`,
      );
    }
    return first !== undefined && second !== undefined ? [first, second] : undefined;
  }

  function serverTls(): BackendConfig["tls"] {
    const pair = bothOrNeither("tlsCert", "tlsKey");
    const clientCaPath = optionalText("tlsClientCa");
    if (!pair) {
      if (clientCaPath !== undefined)
        throw new ConfigError(`${settings.tlsClientCa.flag} needs ${settings.tlsCert.flag} and ${settings.tlsKey.flag}`);
      return undefined;
    }
    return { certPath: pair[0], keyPath: pair[1], clientCaPath };
  }

  function userFunctionTls(): BackendConfig["userFunctionTls"] {
    const pair = bothOrNeither("userFunctionCert", "userFunctionKey");
    const caPath = optionalText("userFunctionCa");
    if (caPath === undefined) {
      if (pair)
        throw new ConfigError(
          `${settings.userFunctionCert.flag} needs ${settings.userFunctionCa.flag} (the CA the user function's certificate chains to)`,
        );
      return undefined;
    }
    return { caPath, client: pair ? { certPath: pair[0], keyPath: pair[1] } : undefined };
  }

  function limits(): BackendConfig["limits"] {
    const maxRequestBytes = byteSize("maxRequestSize", 1024, 2 * 1024 * 1024 * 1024 - 1);
    const maxUserFunctionMessageBytes = byteSize("maxUserFunctionMessageSize", 64 * 1024, 2 * 1024 * 1024 * 1024 - 1);
    // A command carries the whole request: the link must take the largest request with room for its envelope.
    if (maxUserFunctionMessageBytes < maxRequestBytes + linkEnvelopeBytes) {
      throw new ConfigError(
        `${raw("maxUserFunctionMessageSize").source} (${maxUserFunctionMessageBytes} bytes) must exceed ${raw("maxRequestSize").source} (${maxRequestBytes} bytes) by at least ${linkEnvelopeBytes} bytes: a command carries the whole request`,
      );
    }
    return {
      maxRequestBytes,
      maxUserFunctionMessageBytes,
      // Cassandra refuses a partition key over 65,535 bytes; the persistence id shares it.
      maxKeyBytes: byteSize("maxKeyLength", 1, 60 * 1024),
      maxEchoedTextLength: integer("maxEchoedTextLength", 1, 10_000, "a whole number of characters from 1 to 10000"),
    };
  }

  /** Cassandra settings only for the Cassandra journal: all of them, flag over environment, in one pass. */
  function journalSettings(kind: "memory" | "cassandra"): JournalSettings {
    if (kind === "memory") return { kind };
    const environment = fromEnvironment(env);
    const read: CassandraSettingReader = (variable: CassandraVariable) => {
      const name = byEnv.get(variable);
      const flagValue = name === undefined ? undefined : flags.get(name);
      return name !== undefined && flagValue !== undefined ? { value: flagValue, source: settings[name].flag } : environment(variable);
    };
    return { kind, cassandra: parseCassandraSettings(read) };
  }
}

/** Room a Command envelope (entity id, name, type url) needs around the request bytes. */
const linkEnvelopeBytes = 64 * 1024;

function isHostPort(address: string): boolean {
  const match = /^(\[[0-9A-Fa-f:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(address);
  return match !== null && Number(match[2]) <= 65535;
}

/** The --help text: every setting with its flag, environment variable and default. */
export function helpText(): string {
  const rows = (Object.values(settings) as Setting[]).map((s) => [
    s.flag + " <value>",
    s.env,
    s.defaultValue === undefined ? "(not set)" : s.defaultValue,
    s.description,
  ]);
  const header = ["flag", "environment variable", "default", ""];
  const widths = [0, 1, 2].map((col) => Math.max(...[header, ...rows].map((r) => (r[col] ?? "").length)));
  const line = (r: string[]) =>
    "  " +
    r
      .map((cell, col) => (col < 3 ? cell.padEnd(widths[col] ?? 0) : cell))
      .join("  ")
      .trimEnd();
  return [
    "Usage: backend [options]",
    "",
    "The reference backend: serves the user function's gRPC service, journals its events.",
    "Each setting can be given as a flag (--flag value or --flag=value) or an environment",
    "variable; a flag wins over the environment, which wins over the default.",
    "Durations take a unit: ms, s or m (500ms, 30s, 2m). Sizes take B, KiB or MiB (bare: bytes).",
    "",
    line(header),
    ...rows.map(line),
    "  --help, -h" + " ".repeat(Math.max(2, (widths[0] ?? 0) - 8)) + "show this text",
    "",
    "With --journal cassandra, more CASSANDRA_* environment variables (no flags) set replication, partition",
    "size, consistency levels, schema creation and TLS: see reference/backend/persistence/cassandra/README.md.",
    "",
    "SIGTERM or SIGINT stops gracefully; SIGUSR2 toggles debug logging without a restart (so does",
    "PUT /log-level on the admin server, which also serves GET /metrics; see reference/backend/README.md).",
    "",
  ].join("\n");
}
