import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { cpus } from "node:os";
import { after, describe, it } from "node:test";
import { defaultBackendSettings } from "../driver/backend-settings.js";
import { runBackendMode, type BackendRunSummary } from "../run/run-backend-mode.js";
import { captureOutput } from "./capture-output.js";
import { createReferenceBackendLauncher } from "./reference-backend-launcher.js";

/**
 * Issue 9, item 9: on a loaded machine the kit must give the same verdicts as on an
 * idle one. The scenarios are the ones that failed under load (A6, L2, C9, then H7 and
 * I6 as a cascade after L2), the other start-up ones (A3, A5), and those whose bounds
 * are timeouts (G6 relay timeout, H1/H2 passivation, I5 burst, D4 ordering, G7 client
 * deadline): the full set takes several minutes idle and too long with every core busy.
 */
const tags = process.env["CONTENTION_TAGS"] ?? "(@A3 or @A5 or @A6 or @L2 or @C9 or @H7 or @I6 or @G6 or @G7 or @H1 or @H2 or @I5 or @D4) and not @durable";

/** Busy-loop children, one per core plus one, so the backend and the kit compete for every core. */
function saturateEveryCore(): ChildProcess[] {
  return Array.from({ length: cpus().length + 1 }, () => spawn(process.execPath, ["-e", "for(;;);"], { stdio: "ignore" }));
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
    settings: defaultBackendSettings,
    ...(tags === "all" ? {} : { tags }),
    timeoutMs: 10_000,
    startupTimeoutMs: 20_000,
    runs: 5,
    out,
    rerunCommand: "node --import tsx --test tck/backend/self-test/contention.test.ts",
  });
  return { summary, text: out.text, ms: Date.now() - started };
}

const verdicts = (summary: BackendRunSummary) => summary.verdicts.map((v) => `${v.kind}: ${v.name}`).sort();

describe("backend mode on a machine whose every core is busy", () => {
  let load: ChildProcess[] = [];
  after(() => stopAll(load));

  it("gives the reference backend the verdicts it gets on an idle machine", { timeout: 900_000 }, async () => {
    const idle = await run();
    assert.equal(idle.summary.failed, 0, idle.text);
    assert.ok(idle.summary.passed > 0, `only ${idle.summary.passed} scenarios ran:\n${idle.text}`);
    load = saturateEveryCore();
    let loaded: Awaited<ReturnType<typeof run>>;
    try {
      loaded = await run();
    } finally {
      await stopAll(load);
    }
    process.stdout.write(`# contention: idle run ${idle.ms} ms, loaded run (${load.length} busy loops) ${loaded.ms} ms\n`);
    assert.deepEqual(verdicts(loaded.summary), verdicts(idle.summary), `verdicts under load differ from idle:\n${loaded.text}`);
    assert.equal(loaded.summary.failed, 0, loaded.text);
  });
});
