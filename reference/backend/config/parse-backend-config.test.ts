import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultCassandraSettings } from "../persistence/cassandra/cassandra-settings.js";
import type { BackendConfig } from "./backend-config.js";
import { ConfigError } from "./config-error.js";
import { parseBackendConfig } from "./parse-backend-config.js";

function configOf(argv: string[], env: NodeJS.ProcessEnv = {}): BackendConfig {
  const parsed = parseBackendConfig(argv, env);
  assert.equal(parsed.kind, "config");
  return parsed.config;
}

function refused(argv: string[], env: NodeJS.ProcessEnv, message: RegExp): void {
  assert.throws(
    () => parseBackendConfig(argv, env),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
      assert.match(error.message, message);
      return true;
    },
  );
}

describe("parseBackendConfig", () => {
  it("gives the seed's defaults with no flags and no environment", () => {
    assert.deepEqual(configOf([]), {
      host: "127.0.0.1",
      port: 9000,
      userFunction: "localhost:8080",
      passivationTimeoutMs: 30_000,
      relayTimeoutMs: 60_000,
      relayBuffer: 100,
      journal: { kind: "memory" },
      freshnessCheck: false,
      logLevel: "info",
      logFormat: "text",
      shutdownTimeoutMs: 10_000,
      limits: {
        maxRequestBytes: 4 * 1024 * 1024,
        maxUserFunctionMessageBytes: 16 * 1024 * 1024,
        maxKeyBytes: 4096,
        maxEchoedTextLength: 200,
      },
      lifecycleLogLinesPerSecond: 10,
      userFunctionUnhealthyAfterMs: 10_000,
      journalUnhealthyAfterMs: 0,
      admin: undefined,
      tls: undefined,
      userFunctionTls: undefined,
    });
  });

  it("reads every setting from flags, in both --flag value and --flag=value forms", () => {
    const config = configOf([
      "--host",
      "0.0.0.0",
      "--port=9100",
      "--user-function",
      "uf.internal:8081",
      "--passivation-timeout",
      "500ms",
      "--relay-timeout=2m",
      "--relay-buffer",
      "7",
      "--journal",
      "cassandra",
      "--cassandra-contact-points",
      "c1, c2:9043",
      "--cassandra-keyspace",
      "carts_test",
      "--cassandra-username",
      "alice",
      "--cassandra-password=s3cr=t",
      "--cassandra-local-dc",
      "dc2",
      "--log-level",
      "debug",
      "--log-format",
      "json",
      "--shutdown-timeout",
      "1.5s",
      "--max-request-size",
      "1MiB",
      "--max-user-function-message-size=2MiB",
      "--max-key-length",
      "512B",
      "--max-echoed-text-length",
      "40",
      "--lifecycle-log-rate",
      "3",
      "--user-function-unhealthy-after",
      "2s",
      "--journal-unhealthy-after",
      "3s",
      "--admin-port",
      "9464",
      "--admin-host=0.0.0.0",
      "--tls-cert",
      "/etc/tls/backend.pem",
      "--tls-key=/etc/tls/backend.key",
      "--tls-client-ca",
      "/etc/tls/clients-ca.pem",
      "--user-function-ca",
      "/etc/tls/uf-ca.pem",
      "--user-function-cert",
      "/etc/tls/backend-client.pem",
      "--user-function-key",
      "/etc/tls/backend-client.key",
    ]);
    assert.deepEqual(config, {
      host: "0.0.0.0",
      port: 9100,
      userFunction: "uf.internal:8081",
      passivationTimeoutMs: 500,
      relayTimeoutMs: 120_000,
      relayBuffer: 7,
      journal: {
        kind: "cassandra",
        cassandra: {
          ...defaultCassandraSettings,
          contactPoints: ["c1", "c2:9043"],
          keyspace: "carts_test",
          localDataCenter: "dc2",
          credentials: { username: "alice", password: "s3cr=t" },
        },
      },
      freshnessCheck: true,
      logLevel: "debug",
      logFormat: "json",
      shutdownTimeoutMs: 1_500,
      limits: { maxRequestBytes: 1024 * 1024, maxUserFunctionMessageBytes: 2 * 1024 * 1024, maxKeyBytes: 512, maxEchoedTextLength: 40 },
      lifecycleLogLinesPerSecond: 3,
      userFunctionUnhealthyAfterMs: 2_000,
      journalUnhealthyAfterMs: 3_000,
      admin: { host: "0.0.0.0", port: 9464 },
      tls: { certPath: "/etc/tls/backend.pem", keyPath: "/etc/tls/backend.key", clientCaPath: "/etc/tls/clients-ca.pem" },
      userFunctionTls: {
        caPath: "/etc/tls/uf-ca.pem",
        client: { certPath: "/etc/tls/backend-client.pem", keyPath: "/etc/tls/backend-client.key" },
      },
    });
  });

  it("reads every setting from the environment", () => {
    const config = configOf([], {
      BACKEND_HOST: "::",
      BACKEND_PORT: "0",
      USER_FUNCTION_ADDRESS: "[::1]:8080",
      PASSIVATION_TIMEOUT: "1m",
      RELAY_TIMEOUT: "5s",
      RELAY_BUFFER: "3",
      JOURNAL: "cassandra",
      CASSANDRA_CONTACT_POINTS: "10.0.0.1,10.0.0.2",
      CASSANDRA_KEYSPACE: "ks",
      CASSANDRA_USERNAME: "u",
      CASSANDRA_PASSWORD: "p",
      CASSANDRA_LOCAL_DC: "east",
      LOG_LEVEL: "warn",
      LOG_FORMAT: "json",
      SHUTDOWN_TIMEOUT: "250ms",
      MAX_REQUEST_SIZE: "2048KiB",
      MAX_USER_FUNCTION_MESSAGE_SIZE: "8MiB",
      MAX_KEY_LENGTH: "100",
      MAX_ECHOED_TEXT_LENGTH: "80",
    });
    assert.equal(config.host, "::");
    assert.equal(config.port, 0);
    assert.equal(config.userFunction, "[::1]:8080");
    assert.equal(config.passivationTimeoutMs, 60_000);
    assert.equal(config.relayTimeoutMs, 5_000);
    assert.equal(config.relayBuffer, 3);
    assert.deepEqual(config.journal, {
      kind: "cassandra",
      cassandra: {
        ...defaultCassandraSettings,
        contactPoints: ["10.0.0.1", "10.0.0.2"],
        keyspace: "ks",
        localDataCenter: "east",
        credentials: { username: "u", password: "p" },
      },
    });
    assert.equal(config.logLevel, "warn");
    assert.equal(config.logFormat, "json");
    assert.equal(config.shutdownTimeoutMs, 250);
    assert.deepEqual(config.limits, {
      maxRequestBytes: 2 * 1024 * 1024,
      maxUserFunctionMessageBytes: 8 * 1024 * 1024,
      maxKeyBytes: 100,
      maxEchoedTextLength: 80,
    });
  });

  it("prefers a flag to the environment and the environment to the default", () => {
    const env = { BACKEND_PORT: "9200", LOG_LEVEL: "debug" };
    const config = configOf(["--port", "9300"], env);
    assert.equal(config.port, 9300, "flag over environment");
    assert.equal(config.logLevel, "debug", "environment over default");
    assert.equal(config.host, "127.0.0.1", "default when neither");
  });

  it("lets the last of a repeated flag win", () => {
    assert.equal(configOf(["--port", "1", "--port", "2"]).port, 2);
  });

  it("treats an empty environment variable as unset", () => {
    assert.equal(configOf([], { BACKEND_PORT: "", CASSANDRA_USERNAME: "" }).port, 9000);
  });

  it("uses the Cassandra defaults when only the journal kind is chosen, without credentials", () => {
    const journal = configOf(["--journal", "cassandra"]).journal;
    assert.deepEqual(journal, { kind: "cassandra", cassandra: defaultCassandraSettings });
    assert.ok(journal.kind === "cassandra");
    assert.deepEqual(journal.cassandra.contactPoints, ["127.0.0.1"]);
    assert.equal(journal.cassandra.keyspace, "serverless");
    assert.equal(journal.cassandra.localDataCenter, "datacenter1");
  });

  it("reads the Cassandra variables without a flag in the same pass: one settings object, nothing read later", () => {
    const journal = configOf(["--journal", "cassandra", "--cassandra-keyspace", "carts"], {
      CASSANDRA_PARTITION_SIZE: "100",
      CASSANDRA_JOURNAL_CONSISTENCY: "local_quorum",
      CASSANDRA_REPLICATION_DATACENTERS: "east:3",
      CASSANDRA_CREATE_SCHEMA: "false",
    }).journal;
    assert.deepEqual(journal, {
      kind: "cassandra",
      cassandra: {
        ...defaultCassandraSettings,
        keyspace: "carts",
        partitionSize: 100,
        journalConsistency: "LOCAL_QUORUM",
        replication: { class: "NetworkTopologyStrategy", dataCenters: { east: 3 } },
        createSchema: false,
      },
    });
  });

  it("lets a Cassandra flag win over its variable, which is then not checked", () => {
    const journal = configOf(["--journal", "cassandra", "--cassandra-keyspace=good", "--cassandra-contact-points", "c1:9043"], {
      CASSANDRA_KEYSPACE: "not-a-keyspace",
      CASSANDRA_CONTACT_POINTS: "host:port",
    }).journal;
    assert.ok(journal.kind === "cassandra");
    assert.equal(journal.cassandra.keyspace, "good");
    assert.deepEqual(journal.cassandra.contactPoints, ["c1:9043"]);
  });

  it("checks freshness by default on Cassandra (replicas may share it), not in memory; --freshness-check on|off overrides", () => {
    assert.equal(configOf(["--journal", "cassandra"]).freshnessCheck, true, "Cassandra: on by default");
    assert.equal(configOf([]).freshnessCheck, false, "memory: off by default");
    assert.equal(configOf(["--journal", "cassandra", "--freshness-check", "off"]).freshnessCheck, false, "off for a single replica");
    assert.equal(configOf(["--freshness-check=on"]).freshnessCheck, true);
    assert.equal(configOf([], { FRESHNESS_CHECK: "off", JOURNAL: "cassandra" }).freshnessCheck, false);
    refused(["--freshness-check", "sometimes"], {}, /--freshness-check: "sometimes" is not one of on, off, auto/);
  });

  it("answers --help and -h with a text listing every setting, its variable and its default", () => {
    for (const flag of ["--help", "-h"]) {
      const parsed = parseBackendConfig(["--port", "1", flag], {});
      assert.equal(parsed.kind, "help");
      if (parsed.kind !== "help") continue;
      for (const [name, env, defaultValue] of [
        ["--host", "BACKEND_HOST", "127.0.0.1"],
        ["--port", "BACKEND_PORT", "9000"],
        ["--user-function", "USER_FUNCTION_ADDRESS", "localhost:8080"],
        ["--passivation-timeout", "PASSIVATION_TIMEOUT", "30s"],
        ["--relay-timeout", "RELAY_TIMEOUT", "60s"],
        ["--relay-buffer", "RELAY_BUFFER", "100"],
        ["--journal", "JOURNAL", "memory"],
        ["--cassandra-contact-points", "CASSANDRA_CONTACT_POINTS", "127.0.0.1"],
        ["--cassandra-keyspace", "CASSANDRA_KEYSPACE", "serverless"],
        ["--cassandra-username", "CASSANDRA_USERNAME", "(not set)"],
        ["--cassandra-password", "CASSANDRA_PASSWORD", "(not set)"],
        ["--cassandra-local-dc", "CASSANDRA_LOCAL_DC", "datacenter1"],
        ["--log-level", "LOG_LEVEL", "info"],
        ["--log-format", "LOG_FORMAT", "text"],
        ["--shutdown-timeout", "SHUTDOWN_TIMEOUT", "10s"],
        ["--max-request-size", "MAX_REQUEST_SIZE", "4MiB"],
        ["--max-user-function-message-size", "MAX_USER_FUNCTION_MESSAGE_SIZE", "16MiB"],
        ["--max-key-length", "MAX_KEY_LENGTH", "4KiB"],
        ["--max-echoed-text-length", "MAX_ECHOED_TEXT_LENGTH", "200"],
      ] as const) {
        const line = parsed.text.split("\n").find((l) => l.trimStart().startsWith(`${name} `));
        assert.ok(line, `help lists ${name}`);
        assert.match(line, new RegExp(`${env}\\s+${defaultValue.replace(/[().]/g, "\\$&")}\\s`), `help line of ${name}`);
      }
    }
  });

  it("refuses unknown flags, stray arguments and flags without a value", () => {
    refused(["--prot", "9000"], {}, /unknown option --prot \(see --help\)/);
    refused(["9000"], {}, /unexpected argument "9000"/);
    refused(["--port"], {}, /--port needs a value/);
    refused(["--port", "--host", "x"], {}, /--port needs a value/);
  });

  it("refuses bad values, naming the flag or the variable they came from", () => {
    refused(["--port", "http"], {}, /--port: "http" is not a port number \(0-65535\)/);
    refused([], { BACKEND_PORT: "70000" }, /BACKEND_PORT: "70000" is not a port number/);
    refused(["--port", "-1"], {}, /--port: "-1" is not a port number/);
    refused(["--passivation-timeout", "30"], {}, /--passivation-timeout: "30" is not a positive duration such as 500ms, 30s or 2m/);
    refused([], { RELAY_TIMEOUT: "0s" }, /RELAY_TIMEOUT: "0s" is not a positive duration/);
    refused(["--shutdown-timeout", "soon"], {}, /--shutdown-timeout: "soon"/);
    refused(["--relay-buffer", "0"], {}, /--relay-buffer: "0" is not a whole number of commands, at least 1/);
    refused(["--relay-buffer", "2.5"], {}, /--relay-buffer: "2.5"/);
    refused(["--journal", "postgres"], {}, /--journal: "postgres" is not one of memory, cassandra/);
    refused([], { LOG_LEVEL: "verbose" }, /LOG_LEVEL: "verbose" is not one of debug, info, warn, error/);
    refused(["--log-format", "xml"], {}, /--log-format: "xml" is not one of text, json/);
    refused(["--user-function", "localhost"], {}, /--user-function: "localhost" is not a host:port address/);
    refused([], { USER_FUNCTION_ADDRESS: "http://x:1" }, /USER_FUNCTION_ADDRESS: "http:\/\/x:1" is not a host:port address/);
    refused(["--host", ""], {}, /--host must not be empty/);
  });

  it("refuses limits out of range or without a binary unit, and a link smaller than the largest request", () => {
    refused(["--max-request-size", "4MB"], {}, /--max-request-size: "4MB" is not a size from 1024 to \d+ bytes/);
    refused([], { MAX_KEY_LENGTH: "0" }, /MAX_KEY_LENGTH: "0" is not a size from 1 to 61440 bytes/);
    refused(["--max-key-length", "64KiB"], {}, /--max-key-length: "64KiB" is not a size from 1 to 61440 bytes/);
    refused(["--max-echoed-text-length", "0"], {}, /--max-echoed-text-length: "0" is not a whole number of characters/);
    refused(
      ["--max-request-size", "16MiB"],
      {},
      /default of --max-user-function-message-size \(16777216 bytes\) must exceed --max-request-size \(16777216 bytes\) by at least 65536 bytes/,
    );
  });

  it("refuses bad Cassandra settings only when the Cassandra journal is chosen", () => {
    assert.equal(configOf(["--cassandra-keyspace", "no-hyphens"]).journal.kind, "memory");
    refused(
      ["--journal", "cassandra", "--cassandra-keyspace", "no-hyphens"],
      {},
      /--cassandra-keyspace: "no-hyphens" is not a Cassandra keyspace name/,
    );
    refused(
      ["--journal", "cassandra", "--cassandra-contact-points", "a,,b"],
      {},
      /--cassandra-contact-points: "a,,b" is not a comma-separated list of hosts/,
    );
    refused(["--journal", "cassandra"], { CASSANDRA_USERNAME: "u" }, /need both CASSANDRA_USERNAME and CASSANDRA_PASSWORD/);
    refused(
      ["--journal", "cassandra", "--cassandra-contact-points", "c1,host:port"],
      {},
      /--cassandra-contact-points: "c1,host:port" is not a comma-separated list of hosts \("host:port" is not host or host:port\)/,
    );
    refused(["--journal", "cassandra", "--cassandra-local-dc="], {}, /--cassandra-local-dc must not be empty/);
    assert.equal(configOf([], { CASSANDRA_PARTITION_SIZE: "zero" }).journal.kind, "memory");
  });

  it("refuses the Cassandra variables without a flag when they are wrong, all in one message, before anything starts", () => {
    refused(
      ["--journal", "cassandra", "--cassandra-keyspace", "a-b"],
      { CASSANDRA_PARTITION_SIZE: "zero", CASSANDRA_SERIAL_CONSISTENCY: "QUORUM", CASSANDRA_TLS_CA: "/ca.pem" },
      new RegExp(
        [
          /^invalid Cassandra settings: --cassandra-keyspace: "a-b" is not a Cassandra keyspace name/,
          /CASSANDRA_PARTITION_SIZE must be a positive integer, got "zero"/,
          /CASSANDRA_SERIAL_CONSISTENCY must be one of SERIAL, LOCAL_SERIAL, got "QUORUM"/,
          /CASSANDRA_TLS_CA is set but CASSANDRA_TLS is not true$/,
        ]
          .map((part) => part.source)
          .join(".*; "),
      ),
    );
  });

  it("refuses a bad admin port and a bad unhealthy-after duration, naming the setting", () => {
    refused(["--admin-port", "http"], {}, /--admin-port: "http" is not a port number/);
    refused([], { USER_FUNCTION_UNHEALTHY_AFTER: "soon" }, /USER_FUNCTION_UNHEALTHY_AFTER: "soon" is not a positive duration/);
    refused(["--lifecycle-log-rate", "-1"], {}, /--lifecycle-log-rate: "-1" is not a whole number of lines per second/);
  });

  it("reads the TLS files from the environment and refuses half a pair or a client CA without server TLS", () => {
    const config = configOf([], { BACKEND_TLS_CERT: "c.pem", BACKEND_TLS_KEY: "k.pem", USER_FUNCTION_CA: "ca.pem" });
    assert.deepEqual(config.tls, { certPath: "c.pem", keyPath: "k.pem", clientCaPath: undefined });
    assert.deepEqual(config.userFunctionTls, { caPath: "ca.pem", client: undefined });
    refused(["--tls-cert", "c.pem"], {}, /--tls-cert and --tls-key .* come together/);
    refused([], { BACKEND_TLS_KEY: "k.pem" }, /--tls-cert and --tls-key/);
    refused(["--tls-client-ca", "ca.pem"], {}, /--tls-client-ca needs --tls-cert and --tls-key/);
    refused(["--user-function-ca", "ca.pem", "--user-function-key", "k.pem"], {}, /--user-function-cert and --user-function-key/);
    refused(["--user-function-cert", "c.pem", "--user-function-key", "k.pem"], {}, /--user-function-cert needs --user-function-ca/);
  });
});
