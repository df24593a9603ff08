import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { cpus } from "node:os";
import { after, describe, it } from "node:test";
import { defaultBackendSettings } from "../driver/backend-settings.js";
import { runBackendMode, type BackendRunSummary } from "../run/run-backend-mode.js";
import { captureOutput } from "./capture-output.js";
import { createReferenceBackendLauncher } from "./reference-backend-launcher.js";

/**
 * Issue 9, item 9: on a loaded machine the kit must give the same verdicts as on an idle
 * one. Every scenario runs (about a minute idle, a little more loaded); CONTENTION_TAGS
 * narrows it for a quick look (e.g. "@C9 or @A6").
 */
const tags = process.env["CONTENTION_TAGS"];

/**
 * Busy-loop children, one per core plus one, so the backend and the kit compete for every core.
 * Each also ends by itself once orphaned (its parent killed before the after hook could run).
 */
const busyLoop = "const parent = process.ppid; for (let i = 0; ; i++) if ((i & 0xfffff) === 0 && process.ppid !== parent) process.exit(0);";

function saturateEveryCore(): ChildProcess[] {
  return Array.from({ length: cpus().length + 1 }, () => spawn(process.execPath, ["-e", busyLoop], { stdio: "ignore" }));
}

async function stopAll(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
}

async function run(): Promise<{ summary: BackendRunSummary; text: string; ms: number }> {
  const out = captureOutput();
  const started = Date.now();
  const summary = await runBackendMode({
    launcher: createReferenceBackendLauncher(),
    settings,
    ...(tags === undefined ? {} : { tags }),
    timeoutMs,
    startupTimeoutMs: 20_000,
    runs: 5,
    out,
    rerunCommand: "node --import tsx --test tck/backend/self-test/contention.test.ts",
  });
  return { summary, text: out.text, ms: Date.now() - started };
}

/**
 * The user's settings for a loaded machine, the same for both runs: a relay timeout that
 * lets the backend replay 10,000 events on a starved core (C9: the reference backend bounds
 * recovery by it). --timeout stays short, so a wait the kit bounds by --timeout alone where
 * the backend may take its relay timeout (C9's calls, before the fix) fails under load.
 */
const settings = { ...defaultBackendSettings, relayTimeoutMs: 20_000 };
const timeoutMs = 3_000;

const verdicts = (summary: BackendRunSummary) => summary.verdicts.map((v) => `${v.kind}: ${v.name}`).sort();

describe("backend mode on a machine whose every core is busy", () => {
  let load: ChildProcess[] = [];
  after(() => stopAll(load));

  it("gives the reference backend the verdicts it gets on an idle machine", { timeout: 900_000 }, async () => {
    const idle = await run();
    assert.equal(idle.summary.failed, 0, idle.text);
    assert.ok(idle.summary.passed > 0, `no scenario ran:\n${idle.text}`);
    load = saturateEveryCore();
    let loaded: Awaited<ReturnType<typeof run>>;
    try {
      loaded = await run();
    } finally {
      await stopAll(load);
    }
    const counts = (s: BackendRunSummary) => `${s.passed} passed, ${s.failed} failed, ${s.notRun.length} not run`;
    process.stdout.write(
      `# contention: idle run ${idle.ms} ms (${counts(idle.summary)}), loaded run with ${load.length} busy loops ${loaded.ms} ms (${counts(loaded.summary)})\n`,
    );
    assert.deepEqual(verdicts(loaded.summary), verdicts(idle.summary), `verdicts under load differ from idle:\n${loaded.text}`);
    assert.equal(loaded.summary.failed, 0, loaded.text);
  });
});
