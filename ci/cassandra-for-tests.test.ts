import assert from "node:assert/strict";
import { test } from "node:test";
import { acquireCassandra, uniqueKeyspace } from "./cassandra-for-tests.js";

// An environment where nothing can be found: no contact points, no Docker, no java/mvn on PATH.
const nothingAvailable = { PATH: "", DOCKER_HOST: "tcp://127.0.0.1:1" };

test("a configured contact point that does not answer is an error, not a skip", async () => {
  await assert.rejects(
    acquireCassandra({ env: { ...nothingAvailable, CASSANDRA_CONTACT_POINTS: "127.0.0.1:1" }, log: () => {} }),
    /CASSANDRA_CONTACT_POINTS=127\.0\.0\.1:1 is set but CQL does not answer/,
  );
});

test("with nothing available the acquisition is skipped, and says so in the log", async () => {
  const lines: string[] = [];
  const outcome = await acquireCassandra({ env: nothingAvailable, log: (line) => lines.push(line) });
  assert.ok("skipped" in outcome);
  assert.match(outcome.skipped, /no Cassandra/);
  assert.ok(lines.some((line) => line.includes("SKIPPING")));
});

test("CASSANDRA_REQUIRED=1 turns the skip into a failure", async () => {
  await assert.rejects(acquireCassandra({ env: { ...nothingAvailable, CASSANDRA_REQUIRED: "1" }, log: () => {} }), /CASSANDRA_REQUIRED=1/);
});

test("unique keyspace names are valid CQL identifiers and differ", () => {
  const a = uniqueKeyspace("Journal-Contract tests with a very long prefix indeed");
  const b = uniqueKeyspace("Journal-Contract tests with a very long prefix indeed");
  assert.match(a, /^[a-z0-9_]{1,48}$/);
  assert.notEqual(a, b);
});

test("a real acquisition reports where Cassandra is and which release answers", async (t) => {
  const lines: string[] = [];
  const outcome = await acquireCassandra({ log: (line) => lines.push(line) });
  if ("skipped" in outcome) {
    t.skip(outcome.skipped);
    return;
  }
  try {
    assert.ok(["env", "testcontainers", "script"].includes(outcome.source));
    assert.ok(outcome.contactPoints.length > 0);
    assert.match(outcome.releaseVersion, /^\d+\.\d+/);
    assert.ok(lines.some((line) => line.includes(`using ${outcome.source} Cassandra`)));
  } finally {
    await outcome.stop();
  }
});
