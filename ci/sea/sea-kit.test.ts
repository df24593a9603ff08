// The kit as one executable file (issue 14): `npm run build:sea` builds it, and the file alone, run
// with a PATH that holds no node and a cache folder of its own, prints its version, refuses a dead
// target in one line with exit 2, and certifies the sample cart in user-function mode and the
// reference backend in backend mode.
// Every run of the executable is spawned asynchronously: in backend mode the kit's own user function
// lives in the executable's process, but the sample cart lives in this one and must keep answering.
// Needs npm's registry for the package's production dependencies (npm's cache answers after `npm ci`).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { startSampleCart } from "../package/sample-cart-process.js";
import { buildSea } from "./build-sea.js";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const manifest = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { name: string; version: string };

interface Finished {
  readonly code: number | null;
  readonly output: string;
  readonly ms: number;
}

const tail = (text: string) => text.split("\n").slice(-40).join("\n");

describe("the single-file kit (Node's single executable applications)", { timeout: 900_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), "sea-kit-"));
  const executable = join(work, "tck");
  const cache = join(work, "cache");
  // No node, no npm, no tsx on the executable's PATH: the file must carry everything it runs.
  const emptyPath = join(work, "empty-path");
  mkdirSync(emptyPath);
  let kitId: string;
  let cart: ChildProcess | undefined;

  const runKit = (args: readonly string[], path = emptyPath): Promise<Finished> =>
    new Promise((resolve, reject) => {
      const started = Date.now();
      const child = spawn(executable, args, {
        cwd: work,
        stdio: ["ignore", "pipe", "pipe"],
        env: { PATH: path, TCK_CACHE_DIR: cache, HOME: work },
      });
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, output, ms: Date.now() - started }));
    });

  before(async () => {
    const lines: string[] = [];
    kitId = await buildSea(executable, (line) => lines.push(line));
    assert.ok(existsSync(executable), `build-sea wrote no executable:\n${lines.join("\n")}`);
  });
  after(() => {
    cart?.kill("SIGKILL");
    rmSync(work, { recursive: true, force: true });
  });

  it("prints the kit's version, having unpacked the kit once into its cache folder (two first runs at once)", async () => {
    const [first, twin] = await Promise.all([runKit(["--version"]), runKit(["--version"])]);
    assert.equal(first.code, 0, first.output);
    assert.equal(twin.code, 0, twin.output);
    assert.equal(twin.output, first.output);
    assert.equal(first.output.trim(), `${manifest.name} ${manifest.version}`);
    assert.deepEqual(readdirSync(cache), [kitId], "one folder per kit build, no half-unpacked leftovers");
    assert.ok(existsSync(join(cache, kitId, ".complete")));
    const again = await runKit(["--version"]);
    assert.equal(again.code, 0, again.output);
    assert.equal(again.output.trim(), first.output.trim());
    process.stderr.write(
      `# single-file kit: ${Math.round(statSync(executable).size / 2 ** 20)} MiB; --version ${first.ms} ms first (unpacking), ${again.ms} ms after\n`,
    );
  });

  it("refuses a dead target in one line with exit code 2", async () => {
    const refused = await runKit(["user-function", "--target", "127.0.0.1:1", "--subject", "shopping-cart"]);
    assert.equal(refused.code, 2, refused.output);
    assert.equal(refused.output.trim().split("\n").length, 1, refused.output);
    assert.match(refused.output, /cannot reach a user function at 127\.0\.0\.1:1/);
  });

  it("user-function mode certifies the sample cart", async () => {
    const started = await startSampleCart(["--import", "tsx", join(projectRoot, "samples/shopping-cart/main.ts")], projectRoot);
    cart = started.process;
    const address = started.address;
    const verdict = await runKit(["user-function", "--target", address, "--subject", "shopping-cart"]);
    assert.equal(verdict.code, 0, `the single-file kit failed the sample cart:\n${tail(verdict.output)}`);
    assert.match(verdict.output, /\d+ passed, 0 failed/);
  });

  it("backend mode certifies the reference backend", async () => {
    // The backend under test is the user's program: it runs with this machine's node, so this run's
    // PATH has node; the kit itself still comes from the executable alone.
    const command =
      `cd ${projectRoot} && node --import tsx reference/backend/main.ts --port {port} --user-function {userFunction} ` +
      "--passivation-timeout {passivationTimeoutMs}ms --relay-timeout {relayTimeoutMs}ms --relay-buffer {relayBuffer}";
    const verdict = await runKit(["backend", "--backend-command", command], process.env.PATH);
    assert.equal(verdict.code, 0, `the single-file kit failed the reference backend:\n${tail(verdict.output)}`);
    assert.match(verdict.output, /\d+ passed, 0 failed/);
  });
});
