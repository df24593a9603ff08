import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UsageError } from "../../kit/cli/usage-error.js";
import { parseUserFunctionArgs, rerunCommandOf } from "./user-function-config.js";

describe("parseUserFunctionArgs", () => {
  it("applies the defaults (no subject: the preflight infers it)", () => {
    assert.deepEqual(parseUserFunctionArgs(["--target", "127.0.0.1:8080"]), {
      target: "127.0.0.1:8080",
      reports: [],
      timeoutMs: 5000,
      snapshotEvery: 5,
      runs: 100,
    });
  });

  it("reads every option", () => {
    const config = parseUserFunctionArgs([
      "--target",
      "uf.local:9",
      "--subject",
      "model",
      "--tags",
      "@A1 or @M1",
      "--report",
      "junit:a.xml,html:b.html",
      "--report",
      "json:c.json",
      "--known-failing",
      "k.txt",
      "--timeout",
      "250",
      "--snapshot-every",
      "3",
      "--seed=-7",
      "--runs",
      "10",
    ]);
    assert.deepEqual(config, {
      target: "uf.local:9",
      subject: "model",
      tags: "@A1 or @M1",
      reports: [
        { kind: "junit", file: "a.xml" },
        { kind: "html", file: "b.html" },
        { kind: "json", file: "c.json" },
      ],
      knownFailingFile: "k.txt",
      timeoutMs: 250,
      snapshotEvery: 3,
      seed: -7,
      runs: 10,
    });
  });

  it("answers help", () => assert.equal(parseUserFunctionArgs(["--help"]), "help"));

  const wrong: Record<string, string[]> = {
    "a missing target": [],
    "a target without a port": ["--target", "localhost"],
    "an unknown subject": ["--target", "h:1", "--subject", "cart"],
    "an unknown report kind": ["--target", "h:1", "--report", "xml:a"],
    "a report without a file": ["--target", "h:1", "--report", "junit:"],
    "a zero timeout": ["--target", "h:1", "--timeout", "0"],
    "a fractional run count": ["--target", "h:1", "--runs", "1.5"],
    "an unknown option": ["--target", "h:1", "--verbose"],
  };
  for (const [why, args] of Object.entries(wrong)) {
    it(`refuses ${why}`, () => assert.throws(() => parseUserFunctionArgs(args), UsageError));
  }

  it("builds a rerun command from the configuration", () => {
    const config = parseUserFunctionArgs(["--target", "h:1", "--subject", "model", "--snapshot-every", "3"]);
    assert.ok(config !== "help" && config.subject === "model");
    assert.equal(
      rerunCommandOf({ ...config, subject: config.subject }),
      "npx tck user-function --target h:1 --subject model --timeout 5000 --snapshot-every 3",
    );
  });
});
