import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { defaultCassandraSettings } from "../persistence/cassandra/cassandra-settings.js";
import { ConfigError } from "./config-error.js";
import { cassandraSettingsFromEnv } from "./parse-cassandra-settings.js";

describe("cassandraSettingsFromEnv (parseCassandraSettings reading the environment alone)", () => {
  it("gives the seed's defaults for an empty environment", () => {
    const settings = cassandraSettingsFromEnv({});
    assert.deepEqual(settings, defaultCassandraSettings);
    assert.deepEqual(settings.contactPoints, ["127.0.0.1"]);
    assert.equal(settings.keyspace, "serverless");
    assert.equal(settings.localDataCenter, "datacenter1");
    assert.equal(settings.journalConsistency, "QUORUM");
    assert.equal(settings.serialConsistency, "SERIAL");
    assert.equal("credentials" in settings, false);
  });

  it("reads every variable", () => {
    const settings = cassandraSettingsFromEnv({
      CASSANDRA_CONTACT_POINTS: " cassandra-0.cassandra:9042, cassandra-1.cassandra ,[::1]:9043",
      CASSANDRA_KEYSPACE: "carts_2",
      CASSANDRA_USERNAME: "app",
      CASSANDRA_PASSWORD: "secret",
      CASSANDRA_LOCAL_DC: "eu-west",
      CASSANDRA_REPLICATION_DATACENTERS: "eu-west:3, us-east:2",
      CASSANDRA_PARTITION_SIZE: "500000",
      CASSANDRA_JOURNAL_CONSISTENCY: "local_quorum",
      CASSANDRA_SERIAL_CONSISTENCY: "LOCAL_SERIAL",
      CASSANDRA_SNAPSHOT_CONSISTENCY: "ONE",
      CASSANDRA_FETCH_SIZE: "10",
      CASSANDRA_CREATE_SCHEMA: "false",
    });
    assert.deepEqual(settings, {
      contactPoints: ["cassandra-0.cassandra:9042", "cassandra-1.cassandra", "[::1]:9043"],
      localDataCenter: "eu-west",
      keyspace: "carts_2",
      credentials: { username: "app", password: "secret" },
      replication: { class: "NetworkTopologyStrategy", dataCenters: { "eu-west": 3, "us-east": 2 } },
      partitionSize: 500000,
      journalConsistency: "LOCAL_QUORUM",
      serialConsistency: "LOCAL_SERIAL",
      snapshotConsistency: "ONE",
      fetchSize: 10,
      createSchema: false,
    });
  });

  it("takes a replication factor for SimpleStrategy", () => {
    assert.deepEqual(cassandraSettingsFromEnv({ CASSANDRA_REPLICATION_FACTOR: "3" }).replication, {
      class: "SimpleStrategy",
      replicationFactor: 3,
    });
  });

  it("names every wrong variable in one error", () => {
    assert.throws(
      () =>
        cassandraSettingsFromEnv({
          CASSANDRA_KEYSPACE: "carts; DROP KEYSPACE x",
          CASSANDRA_PARTITION_SIZE: "0",
          CASSANDRA_FETCH_SIZE: "lots",
          CASSANDRA_JOURNAL_CONSISTENCY: "SERIAL",
          CASSANDRA_USERNAME: "app",
          CASSANDRA_REPLICATION_DATACENTERS: "eu-west",
          CASSANDRA_CREATE_SCHEMA: "maybe",
          CASSANDRA_CONTACT_POINTS: "host:port",
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /^invalid Cassandra settings: /);
        for (const name of [
          "CASSANDRA_KEYSPACE",
          "CASSANDRA_PARTITION_SIZE",
          "CASSANDRA_FETCH_SIZE",
          "CASSANDRA_JOURNAL_CONSISTENCY",
          "CASSANDRA_PASSWORD",
          "CASSANDRA_REPLICATION_DATACENTERS",
          "CASSANDRA_CREATE_SCHEMA",
          "CASSANDRA_CONTACT_POINTS",
        ]) {
          assert.match(error.message, new RegExp(name), `mentions ${name}`);
        }
        return true;
      },
    );
  });

  it("takes credentials as given (untrimmed), and refuses one without the other; empty counts as unset", () => {
    assert.deepEqual(cassandraSettingsFromEnv({ CASSANDRA_USERNAME: "app", CASSANDRA_PASSWORD: " s3cret " }).credentials, {
      username: "app",
      password: " s3cret ",
    });
    assert.throws(() => cassandraSettingsFromEnv({ CASSANDRA_PASSWORD: "secret" }), /need both CASSANDRA_USERNAME and CASSANDRA_PASSWORD/);
    assert.throws(() => cassandraSettingsFromEnv({ CASSANDRA_USERNAME: "app", CASSANDRA_PASSWORD: "" }), /need both/);
  });

  it("refuses an empty contact point and a blank value, naming the variable", () => {
    assert.throws(
      () => cassandraSettingsFromEnv({ CASSANDRA_CONTACT_POINTS: "a,,b", CASSANDRA_LOCAL_DC: "  " }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /CASSANDRA_CONTACT_POINTS: "a,,b" is not a comma-separated list of hosts \(an entry is empty\)/);
        assert.match(error.message, /CASSANDRA_LOCAL_DC must not be empty/);
        return true;
      },
    );
  });
});
