import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { KnownFailure } from "../run/known-failing-list.js";
import { judgeScenario, summarise } from "../run/scenario-verdict.js";
import { runModeCommand, type ModeCommand } from "./run-mode-command.js";
import { UsageError } from "./usage-error.js";

interface Config {
  readonly knownFailingFile?: string;
  readonly writeKnownFailingFile?: string;
  readonly fail: boolean;
}

function collect() {
  let text = "";
  return { stream: { write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WritableStream, text: () => text };
}

/** A mode whose run passes or fails on request and remembers the known-failing list it was given. */
function fakeMode(): ModeCommand<Config> & { given?: readonly KnownFailure[] } {
  const mode: ModeCommand<Config> & { given?: readonly KnownFailure[] } = {
    mode: "fake",
    usage: "Usage: tck fake [--fail] [--known-failing FILE]",
    parse(args) {
      if (args.includes("--help")) return "help";
      if (args.includes("--bogus")) throw new UsageError("unknown option --bogus");
      const file = args[args.indexOf("--known-failing") + 1];
      const write = args[args.indexOf("--write-known-failing") + 1];
      return {
        fail: args.includes("--fail"),
        ...(args.includes("--known-failing") && file ? { knownFailingFile: file } : {}),
        ...(args.includes("--write-known-failing") && write ? { writeKnownFailingFile: write } : {}),
      };
    },
    run: async (config, knownFailing) => {
      mode.given = knownFailing;
      const known = knownFailing.find((k) => k.scenario === "s");
      const verdict = {
        name: "s",
        uri: "f",
        tags: [],
        status: config.fail ? "FAILED" : "PASSED",
        kind: judgeScenario(!config.fail, known),
        ...(known ? { knownFailure: known } : {}),
        durationMs: 1,
      };
      return summarise([verdict], knownFailing);
    },
  };
  return mode;
}

describe("runModeCommand", () => {
  it("exits 0 when the run passes and 1 when it fails", async () => {
    assert.equal(await runModeCommand(fakeMode(), [], collect().stream, collect().stream), 0);
    assert.equal(await runModeCommand(fakeMode(), ["--fail"], collect().stream, collect().stream), 1);
  });

  it("prints the usage on --help and exits 0", async () => {
    const out = collect();
    assert.equal(await runModeCommand(fakeMode(), ["--help"], out.stream, collect().stream), 0);
    assert.equal(out.text(), "Usage: tck fake [--fail] [--known-failing FILE]\n");
  });

  it("exits 2 on a wrong command line, naming the mode, with the usage after the reason", async () => {
    const err = collect();
    assert.equal(await runModeCommand(fakeMode(), ["--bogus"], collect().stream, err.stream), 2);
    assert.equal(err.text(), "tck fake: unknown option --bogus\n\nUsage: tck fake [--fail] [--known-failing FILE]\n");
  });

  it("reads the known-failing list before the run, and exits 2 without running on a wrong one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tck-mode-"));
    try {
      const good = join(dir, "good.txt");
      const bad = join(dir, "bad.txt");
      writeFileSync(good, "s # waits for a fix\n");
      writeFileSync(bad, "no reason here\n");
      const mode = fakeMode();
      assert.equal(await runModeCommand(mode, ["--fail", "--known-failing", good], collect().stream, collect().stream), 0);
      assert.deepEqual(mode.given, [{ scenario: "s", reason: "waits for a fix", line: 1, match: "name", flaky: false }]);

      const refused = fakeMode();
      const err = collect();
      assert.equal(await runModeCommand(refused, ["--known-failing", bad], collect().stream, err.stream), 2);
      assert.match(err.text(), /^tck fake: .*give a reason/);
      assert.equal(refused.given, undefined);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes the run's failures as a list the next run accepts, so adopting the kit is one run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tck-mode-"));
    try {
      const file = join(dir, "known.txt");
      const out = collect();
      const err = collect();
      assert.equal(await runModeCommand(fakeMode(), ["--fail", "--write-known-failing", file], out.stream, err.stream), 1);
      assert.match(err.text(), /wrote 1 failing scenario\(s\) to .*known\.txt/);
      assert.equal(
        await runModeCommand(fakeMode(), ["--fail", "--known-failing", file], collect().stream, collect().stream),
        0,
        readFileSync(file, "utf8"),
      );
      const unwritable = collect();
      assert.equal(
        await runModeCommand(
          fakeMode(),
          ["--write-known-failing", join(dir, "no", "such", "dir", "x.txt")],
          collect().stream,
          unwritable.stream,
        ),
        2,
      );
      assert.match(unwritable.text(), /cannot write the known-failing list/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("lets other errors through (a kit bug is not a usage error)", async () => {
    const mode = { ...fakeMode(), run: () => Promise.reject(new TypeError("kit bug")) };
    await assert.rejects(runModeCommand(mode, [], collect().stream, collect().stream), TypeError);
  });
});
