import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../../kit/cli/usage-error.js";
import { backendRerunCommand, parseBackendModeArgs } from "./backend-mode-config.js";

describe("tck backend arguments", () => {
  it("takes a backend command with defaults for everything else", () => {
    const config = parseBackendModeArgs(["--backend-command", "run-it --port {port}"]);
    assert.notEqual(config, "help");
    if (config === "help") return;
    assert.deepEqual(config.backend, { kind: "command", command: "run-it --port {port}", durable: false });
    assert.equal(config.userFunctionPort, undefined);
    assert.deepEqual([config.passivationTimeoutMs, config.relayTimeoutMs, config.relayBuffer, config.runs], [400, 5000, 20, 20]);
  });

  it("puts the kit's user function on 8080 for a backend started by hand", () => {
    const config = parseBackendModeArgs(["--target", "127.0.0.1:9000", "--passivation-timeout", "30000"]);
    assert.ok(config !== "help");
    assert.deepEqual(config.backend, { kind: "target", target: "127.0.0.1:9000" });
    assert.equal(config.userFunctionPort, 8080);
    assert.equal(config.passivationTimeoutMs, 30000);
  });

  it("reads capability declarations and keeps them in the rerun command", () => {
    const config = parseBackendModeArgs(["--backend-command", "x", "--lacks", "queue-bound,passivation-timeout"]);
    if (config === "help") return assert.fail("help");
    assert.deepEqual(config.lacks, ["queue-bound", "passivation-timeout"]);
    assert.match(backendRerunCommand(config), / --lacks queue-bound,passivation-timeout/);
    assert.throws(
      () => parseBackendModeArgs(["--backend-command", "x", "--lacks", "snapshots"]),
      /--lacks takes queue-bound, relay-timeout, passivation-timeout/,
    );
  });

  it("refuses contradictory or malformed command lines", () => {
    assert.throws(() => parseBackendModeArgs([]), UsageError);
    assert.throws(() => parseBackendModeArgs(["--target", "a:1", "--backend-command", "x"]), UsageError);
    assert.throws(() => parseBackendModeArgs(["--target", "no-port"]), UsageError);
    assert.throws(() => parseBackendModeArgs(["--target", "a:1", "--durable-journal"]), /needs --backend-command/);
    assert.throws(() => parseBackendModeArgs(["--backend-command", "x", "--relay-buffer", "0"]), /--relay-buffer/);
    assert.throws(
      () => parseBackendModeArgs(["--backend-command", "x", "--report", "pdf:a.pdf"]),
      /report kind must be one of junit, json, html, cucumber-html/,
    );
    assert.throws(() => parseBackendModeArgs(["--backend-command", "x", "--bogus"]), UsageError);
  });

  it("reads reports and answers help", () => {
    const config = parseBackendModeArgs(["--backend-command", "x", "--report", "junit:out/tck.xml,json:C:/r.json"]);
    assert.ok(config !== "help");
    assert.deepEqual(config.reports, [
      { kind: "junit", file: "out/tck.xml" },
      { kind: "json", file: "C:/r.json" },
    ]);
    assert.equal(parseBackendModeArgs(["--help"]), "help");
  });

  it("prints a rerun command that quotes the backend command", () => {
    const config = parseBackendModeArgs(["--backend-command", "it's {port}", "--durable-journal", "--tags", "@H5"]);
    assert.ok(config !== "help");
    assert.equal(
      backendRerunCommand(config),
      `npx tck backend --backend-command 'it'\\''s {port}' --durable-journal --passivation-timeout 400 --relay-timeout 5000 --relay-buffer 20 --tags '@H5'`,
    );
  });
});

describe("tck backend --seed", () => {
  it("reads a negative seed written as --seed=N, as rerun commands print it", () => {
    const config = parseBackendModeArgs(["--backend-command", "x", "--seed=-1234"]);
    assert.ok(config !== "help");
    assert.equal(config.seed, -1234);
  });
});
