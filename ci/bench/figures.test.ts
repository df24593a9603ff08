// The pure parts of `npm run bench` (ci/bench/figures.ts) and its wrong-flag exit; no timings.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { evaluate, type Figure, formatFigure, formatNumber, median, parseBenchArgs, percentile, ratio, UsageError } from "./figures.js";
import { repoRoot } from "./processes.js";

const figure = (overrides: Partial<Figure> = {}): Figure => ({
  id: "P1 AddItem",
  title: "AddItem throughput",
  unit: "req/s",
  baselineName: "echo",
  subject: [4000, 4200, 4100],
  baseline: [10_000, 9000, 9500],
  target: { of: "ratio", op: ">=", value: 0.6 },
  load: [1.5, 1.25, 1],
  ...overrides,
});

describe("bench figures", () => {
  it("median: middle value, mean of the middle two, NaN for none, non-finite values ignored", () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
    assert.equal(median([5, Number.NaN, 1, 3]), 3);
  });

  it("ratio: subject ÷ baseline, NaN for a zero or missing baseline", () => {
    assert.equal(ratio(3, 6), 0.5);
    assert.ok(Number.isNaN(ratio(3, 0)));
    assert.ok(Number.isNaN(ratio(Number.NaN, 2)));
  });

  it("percentile: nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(values, 99), 99);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile([7], 99), 7);
    assert.ok(Number.isNaN(percentile([], 50)));
  });

  it("evaluate: ratio of the medians, and the target checked on the ratio or on the subject", () => {
    const result = evaluate(figure());
    assert.equal(result.subjectMedian, 4100);
    assert.equal(result.baselineMedian, 9500);
    assert.equal(result.ratio, 4100 / 9500);
    assert.equal(result.met, false);
    assert.equal(evaluate(figure({ target: { of: "ratio", op: "<=", value: 0.5 } })).met, true);
    assert.equal(evaluate(figure({ target: { of: "subject", op: ">=", value: 4000 } })).met, true);
    assert.equal(evaluate(figure({ baseline: [], target: { of: "ratio", op: ">=", value: 0.1 } })).met, undefined);
  });

  it("formats one line with the id, both medians, the ratio, the verdict, the repeats and the load", () => {
    const line = formatFigure(evaluate(figure()));
    assert.match(
      line,
      /^P1 AddItem +AddItem throughput: subject 4,100 req\/s \| baseline \(echo\) 9,500 req\/s \| ratio 0\.432 \| target ratio ≥ 0\.6: NOT met \| /,
    );
    assert.match(line, /repeats subject \[4,000, 4,200, 4,100\] baseline \[10,000, 9,000, 9,500\] \| load 1\.50 1\.25 1\.00$/);
    assert.match(
      formatFigure(evaluate(figure({ baseline: [], target: { of: "subject", op: "<=", value: 6 } }))),
      /no baseline \(echo\) \| target value ≤ 6: NOT met/,
    );
    assert.match(formatFigure(evaluate(figure({ skipped: "no Cassandra" }))), /^P1 AddItem +AddItem throughput: skipped \(no Cassandra\)$/);
  });

  it("formatNumber: 3 significant digits below 100, whole numbers with separators above", () => {
    assert.equal(formatNumber(0.41666), "0.417");
    assert.equal(formatNumber(12.345), "12.3");
    assert.equal(formatNumber(123456.7), "123,457");
    assert.equal(formatNumber(Number.NaN), "n/a");
  });
});

describe("bench arguments", () => {
  it("full and quick defaults", () => {
    const full = parseBenchArgs([]);
    assert.equal(full.kind, "run");
    if (full.kind !== "run") return;
    assert.deepEqual([full.options.quick, full.options.pairs, full.options.durationSeconds, full.options.generator], [false, 3, 8, "auto"]);
    const quick = parseBenchArgs(["--quick", "--generator", "node", "--json", "out.json", "--only", "P1,P5"]);
    assert.ok(quick.kind === "run");
    if (quick.kind !== "run") return;
    assert.deepEqual(
      [quick.options.pairs, quick.options.durationSeconds, quick.options.json, quick.options.only],
      [1, 2, "out.json", ["P1", "P5"]],
    );
    assert.deepEqual(parseBenchArgs(["-h"]), { kind: "help" });
    assert.equal(full.options.runtime, "tsx");
    const built = parseBenchArgs(["--runtime", "built"]);
    assert.ok(built.kind === "run" && built.options.runtime === "built" && built.options.profile === undefined);
    const profiled = parseBenchArgs(["--profile", "prof"]);
    assert.ok(profiled.kind === "run" && profiled.options.profile === "prof");
  });

  it("wrong flags are usage errors", () => {
    for (const argv of [
      ["--bogus"],
      ["--generator", "wrk"],
      ["--pairs", "0"],
      ["--duration", "1.5"],
      ["--only", "P4"],
      ["--json", ""],
      ["extra"],
      ["--runtime", "bun"],
      ["--profile", ""],
    ]) {
      assert.throws(() => parseBenchArgs(argv), UsageError, argv.join(" "));
    }
  });

  it("npm run bench with a wrong flag says so and exits 2 before starting anything", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "ci/bench/bench.ts", "--pairs", "none"], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /--pairs must be a positive integer, got "none"/);
    assert.match(result.stderr, /Usage: npm run bench/);
    assert.equal(result.stdout, "");
  });
});
