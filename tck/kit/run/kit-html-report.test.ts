import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startRawModelEntity } from "../doubles/raw-subjects/raw-model-entity.js";
import { escapeHtml, expectedAndActual, readCatalogue, renderKitReport, renderSequence, type ReportedScenario } from "./kit-html-report.js";

const hostile = `<img src=x onerror="alert(1)"> & </svg><script>bad()</script>`;

describe("the kit's HTML report, rendered", () => {
  const scenarios: ReportedScenario[] = [
    { name: "A1 ready answers", uri: "features/a.feature", tags: ["@A1"], outcome: "passed", durationMs: 3 },
    {
      name: `D2 answers carry ids ${hostile}`,
      uri: "features/d.feature",
      tags: ["@D2"],
      outcome: "failed",
      step: "entity processes",
      message: `\n  expected: a Reply to command 1\n  actual:   Failure for 1: ${JSON.stringify(hostile)}\n`,
      sequence: {
        parties: ["kit (backend)", "user function"],
        entries: [
          { time: "1.0 ms", stream: "s1", text: "opened handle stream" },
          { time: "1.2 ms", stream: "s1", from: "kit (backend)", to: "user function", text: "Command id 1" },
          { time: "2.0 ms", stream: "s1", from: "user function", to: "kit (backend)", text: `Failure for 1: ${hostile}` },
        ],
        omitted: 0,
      },
      durationMs: 5,
    },
    {
      name: "D2 listed",
      uri: "features/d.feature",
      tags: ["@D2"],
      outcome: "expected-failure",
      reason: "expected failure (known-failing list, line 1): issue 3",
    },
    { name: "H5 restart", uri: "features/h.feature", tags: ["@H5"], outcome: "not-run", reason: "needs a durable journal" },
  ];
  const catalogue = [
    { id: "A1", modes: "UF", check: "ready answers" },
    { id: "D2", modes: "UF", check: "ids" },
    { id: "H5", modes: "BE", check: "restart" },
    { id: "C3", modes: "UF", check: "fold" },
  ];
  const page = renderKitReport(
    {
      settings: [
        ["kit", "x 1"],
        ["target", `host ${hostile}`],
      ],
    },
    scenarios,
    catalogue,
  );

  it("escapes everything that came from the subject: no markup of theirs survives", () => {
    assert.equal(page.includes(hostile), false);
    assert.equal(/<script/i.test(page), false);
    assert.equal(/<img/i.test(page), false);
    assert.ok(page.includes(escapeHtml(hostile)));
  });

  it("says the verdict, the settings, and each catalogue item's state with its scenarios", () => {
    assert.match(page, /<title>TCK report: FAILED<\/title>/);
    assert.match(page, /1 passed, 1 failed, 1 known failing, 1 not run/);
    assert.match(page, /<tr class="item" data-item="A1" data-state="passed">/);
    assert.match(page, /<tr class="item" data-item="D2" data-state="failed">/);
    assert.match(page, /<tr class="item" data-item="H5" data-state="not run">/);
    assert.match(page, /<tr class="item" data-item="C3" data-state="not in this run">/);
    assert.match(page, /<th>target<\/th><td>host &lt;img/);
  });

  it("shows a failure's expected and arrived apart, and its transcript as arrows between the parties", () => {
    assert.match(page, /<dd class="expected">a Reply to command 1<\/dd>/);
    assert.match(page, /<dd class="actual">Failure for 1: /);
    const svg = renderSequence(scenarios[1]!.sequence!);
    assert.equal((svg.match(/<g class="message"/g) ?? []).length, 2);
    assert.equal((svg.match(/<g class="note"/g) ?? []).length, 1);
    assert.match(svg, /data-from="user function" data-to="kit \(backend\)"/);
  });

  it("reads the expected and actual lines of the kit's failure messages, and nothing from other text", () => {
    assert.deepEqual(expectedAndActual("\n  expected: x\n  actual:   y\n\n  transcript"), { expected: "x", actual: "y" });
    assert.equal(expectedAndActual("boom"), undefined);
  });

  it("reads every catalogue item from docs/tck-catalogue.md", () => {
    const items = readCatalogue();
    assert.ok(items.length >= 90, `only ${items.length} items`);
    assert.deepEqual(items.map((i) => i.id).slice(0, 3), ["A1", "A2", "A3"]);
    assert.ok(items.every((i) => i.check.length > 0));
  });
});

// In a real browser: the report of a real run against a user function whose Failure text is markup.
const chromium = ["chromium", "chromium-browser", "google-chrome"].find((c) => spawnSync("sh", ["-c", `command -v ${c}`]).status === 0);
const tckBin = fileURLToPath(new URL("../../bin/tck.js", import.meta.url));

describe("the kit's HTML report in a headless browser", { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), "kit-report-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it(
    "renders a failing run: verdict, settings, coverage, the failure with expected/arrived and a drawn sequence, the subject's markup as text",
    {
      skip:
        chromium === undefined && process.env.CI !== "true"
          ? "no chromium here (.ci/run installs it; with CI=true this fails instead)"
          : false,
    },
    async () => {
      assert.ok(chromium, "CI=true but no chromium on PATH (.ci/run installs Debian's chromium)");
      const broken = await startRawModelEntity({ faults: { failsEveryCommandWith: hostile } });
      const file = join(dir, "report.html");
      try {
        // Not spawnSync: the user function under test serves from this process's event loop.
        const run = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
          const kit = spawn(process.execPath, [
            tckBin,
            "user-function",
            "--target",
            broken.address,
            "--subject",
            "model",
            "--tags",
            "@D2 or @A1",
            "--report",
            `html:${file}`,
          ]);
          let output = "";
          kit.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
          kit.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
          kit.on("error", reject);
          kit.on("close", (code) => resolve({ code, output }));
        });
        assert.equal(run.code, 1, run.output);
      } finally {
        await broken.close();
      }
      assert.ok(readFileSync(file, "utf8").length > 0);
      const dom = await new Promise<string>((resolve, reject) => {
        const browser = spawn(
          chromium,
          [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            `--user-data-dir=${join(dir, "profile")}`,
            "--dump-dom",
            pathToFileURL(file).href,
          ],
          { stdio: ["ignore", "pipe", "ignore"] },
        );
        let out = "";
        browser.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
        browser.on("error", reject);
        browser.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`chromium exited ${code}`))));
      });
      // What the browser built from the page: the subject's markup is text, never elements.
      assert.equal(/<img/i.test(dom), false, "an <img> element from the subject's text was rendered");
      assert.equal(/<script/i.test(dom), false, "a <script> element from the subject's text was rendered");
      assert.ok(dom.includes("&lt;img src=x onerror="), "the subject's text is shown as text");
      assert.match(dom, /<p class="totals" data-verdict="FAILED"><strong>FAILED<\/strong>: 1 passed, 1 failed<\/p>/);
      assert.match(dom, /<th>subject<\/th><td>model<\/td>/);
      assert.match(dom, /<tr class="item" data-item="D2" data-state="failed">/);
      assert.match(dom, /<tr class="item" data-item="A1" data-state="passed">/);
      assert.match(dom, /<dd class="expected">a Reply to command 1 /);
      assert.match(dom, /<dd class="actual">Failure for 1: /);
      assert.ok((dom.match(/<g class="message"/g) ?? []).length >= 3, "the sequence diagram draws the Init, the Command and the Failure");
      assert.match(dom, /<svg[^>]*aria-label="sequence diagram"/);
    },
  );
});
