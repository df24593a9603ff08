import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { defaultBackendSettings } from "./backend-settings.js";
import { createCommandBackendLauncher, expandCommand } from "./command-backend-launcher.js";

describe("command backend launcher", () => {
  it("expands every placeholder and leaves other braces alone", () => {
    assert.equal(
      expandCommand("b --port {port} --uf {userFunction} --p {passivationTimeoutMs}ms ${HOME} {other}", {
        port: 1,
        userFunction: "h:2",
        passivationTimeoutMs: 300,
      }),
      "b --port 1 --uf h:2 --p 300ms ${HOME} {other}",
    );
  });

  it(
    "starts the command with its placeholders filled, captures its output, and stops its whole process group",
    { timeout: 20_000 },
    async () => {
      // A stand-in backend: prints what it was given, then a child that would outlive a naive kill.
      const launcher = createCommandBackendLauncher({
        command: "echo port={port} uf={userFunction} relay={relayTimeoutMs}; sleep 30 & wait",
        stopGraceMs: 5_000,
      });
      const launched = await launcher.launch({ userFunction: "127.0.0.1:8080", settings: defaultBackendSettings });
      const port = Number(launched.target.split(":")[1]);
      assert.ok(port > 0);
      const deadline = Date.now() + 5_000;
      while (!launched.output().includes("port=") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.match(launched.output(), new RegExp(`port=${port} uf=127\\.0\\.0\\.1:8080 relay=${defaultBackendSettings.relayTimeoutMs}`));
      await launched.stop();
      assert.match(await launched.exited, /killed by SIGTERM|exited with code/);
    },
  );

  it("reports a command that exits at once", { timeout: 10_000 }, async () => {
    const launched = await createCommandBackendLauncher({ command: "echo refusing >&2; exit 3" }).launch({
      userFunction: "x:1",
      settings: defaultBackendSettings,
    });
    assert.equal(await launched.exited, "exited with code 3");
    assert.match(launched.output(), /refusing/);
  });

  // Issue 9, item 5: without the kit's exit hooks the detached backend group outlives the kit.
  // "SIGINT-at-spawn": the signal lands inside spawn(), before the launcher's next statement (seen
  // in CI on a loaded machine, where the kit was descheduled right after the spawn).
  const cases = {
    SIGTERM: "gets SIGTERM",
    SIGINT: "gets SIGINT",
    "SIGINT-at-spawn": "gets SIGINT the moment the backend is spawned",
    "SIGINT-at-spawn-slow-shell": "gets SIGINT the moment the backend is spawned, before its shell has started anything",
    exit: "exits",
  } as const;
  for (const [how, when] of Object.entries(cases) as [keyof typeof cases, string][]) {
    it(`kills the backend's process group when the kit ${when}`, { timeout: 20_000 }, async (t) => {
      const pidFile = join(mkdtempSync(join(tmpdir(), "tck-owner-")), "pid");
      const kit = spawn(
        process.execPath,
        ["--import", "tsx", new URL("./command-backend-owner.fixture.ts", import.meta.url).pathname, pidFile, how],
        { stdio: "ignore" },
      );
      let kitDone = false;
      const kitExited = new Promise((resolve) => kit.once("exit", resolve)).then(() => (kitDone = true));
      // Every wait here ends with the kit's exit or the test's own timeout: a wait that outlives
      // its test keeps the file's process alive and hangs the whole run (seen in CI).
      const until = async (condition: () => boolean) => {
        while (!condition() && !t.signal.aborted) await new Promise((r) => setTimeout(r, 20));
      };
      const readPid = (file: string) => (existsSync(file) ? Number(readFileSync(file, "utf8").trim()) || undefined : undefined);
      try {
        if (how === "SIGTERM" || how === "SIGINT") {
          // Signal only once the backend is really up: its grandchild has written its pid.
          await until(() => kitDone || readPid(pidFile) !== undefined);
          assert.ok(readPid(pidFile) !== undefined, `the kit exited before its backend was up`);
          kit.kill(how);
        }
        await until(() => kitDone);
        assert.ok(kitDone, `the kit did not exit within the test's timeout after ${how}`);
        // With SIGINT at spawn the group may die before its shell writes the grandchild's pid;
        // the group id, written inside spawn(), is there in every case.
        const group = readPid(`${pidFile}.group`);
        assert.ok(group !== undefined, "the kit never spawned its backend");
        // The group was sent SIGKILL synchronously before the kit died; wait for the kernel to reap it.
        const groupAlive = () => {
          try {
            process.kill(-group, 0);
            return true;
          } catch {
            return false;
          }
        };
        const deadline = Date.now() + 5_000;
        await until(() => !groupAlive() || Date.now() > deadline);
        const survived = groupAlive();
        if (survived) process.kill(-group, "SIGKILL");
        assert.equal(
          survived,
          false,
          `the backend's process group ${group} (grandchild pid ${readPid(pidFile) ?? "never written"}) outlived the kit after ${how}`,
        );
      } finally {
        if (!kitDone) kit.kill("SIGKILL");
      }
    });
  }
});
