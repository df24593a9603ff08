// The kit as its users get it (issue 14): `npm pack`, the tarball installed in an empty folder,
// and the installed commands certify the sample cart with built JavaScript only: no TypeScript
// source in the package, no tsx installed, both modes.
// Needs npm's registry for the package's dependencies (npm's cache answers after `npm ci`).
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { startSampleCart } from "./sample-cart-process.js";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const manifest = JSON.parse(readFileSync(join(projectRoot, "package.json"), "utf8")) as { name: string; version: string };

interface Finished {
  readonly code: number | null;
  readonly output: string;
}

/** Runs a command to its end; the output (stdout and stderr interleaved) comes back for messages. */
function run(command: string, args: readonly string[], cwd: string): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

const tail = (text: string) => text.split("\n").slice(-40).join("\n");

describe("the packed kit, installed from its tarball in an empty folder", { timeout: 900_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), "packed-kit-"));
  const installDir = join(work, "install");
  let packageDir: string;
  let tck: string;
  let cart: ChildProcess | undefined;

  before(async () => {
    const packed = await run("npm", ["pack", "--pack-destination", work, "--json"], projectRoot);
    assert.equal(packed.code, 0, `npm pack failed:\n${tail(packed.output)}`);
    const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
    assert.ok(tarball, `npm pack wrote no tarball in ${work}:\n${tail(packed.output)}`);
    const installed = await run(
      "npm",
      ["install", "--prefix", installDir, "--prefer-offline", "--no-audit", "--no-fund", join(work, tarball)],
      work,
    );
    assert.equal(installed.code, 0, `installing ${tarball} failed:\n${tail(installed.output)}`);
    packageDir = join(installDir, "node_modules", manifest.name);
    tck = join(installDir, "node_modules", ".bin", "tck");
  });
  after(() => {
    cart?.kill("SIGKILL");
    rmSync(work, { recursive: true, force: true });
  });

  it("holds built JavaScript and the kit's data, no TypeScript source, and pulls in no tsx", () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? files(join(dir, entry.name)) : [join(dir, entry.name)],
      );
    const all = files(packageDir);
    const sources = all.filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"));
    assert.deepEqual(sources, [], "TypeScript source in the package");
    for (const needed of [
      "dist/tck/run-main.js",
      "dist/reference/backend/main.js",
      "features/backend",
      "proto/lightbend/serverless/protocol.proto",
    ]) {
      assert.ok(existsSync(join(packageDir, needed)), `${needed} is missing from the package`);
    }
    assert.equal(existsSync(join(installDir, "node_modules", "tsx")), false, "tsx was installed with the package");
  });

  it("its library entry points import by the package's name (support library, backend, protocol)", async () => {
    const script =
      "const [s, b, p] = await Promise.all(['support', 'backend', 'protocol'].map((x) => import('" +
      manifest.name +
      "/' + x)));" +
      "console.log(typeof s.createEntitySession, typeof b.createBackend, typeof p.loadProtos);";
    const imported = await run(process.execPath, ["--input-type=module", "-e", script], installDir);
    assert.equal(imported.code, 0, imported.output);
    assert.equal(imported.output.trim(), "function function function");
  });

  it("`tck --version` names the package and its version", async () => {
    const version = await run(tck, ["--version"], installDir);
    assert.equal(version.code, 0, version.output);
    assert.equal(version.output.trim(), `${manifest.name} ${manifest.version}`);
  });

  it("user-function mode certifies the packaged sample cart", async () => {
    const started = await startSampleCart([join(packageDir, "dist/samples/shopping-cart/main.js")]);
    cart = started.process;
    const address = started.address;
    const verdict = await run(tck, ["user-function", "--target", address, "--subject", "shopping-cart"], installDir);
    assert.equal(verdict.code, 0, `the packaged kit failed the packaged cart:\n${tail(verdict.output)}`);
    assert.match(verdict.output, /\d+ passed, 0 failed/);
  });

  it("backend mode certifies the packaged reference backend (its own bin)", async () => {
    const backend = join(installDir, "node_modules", ".bin", "stateful-serverless-backend");
    const command =
      `${backend} --port {port} --user-function {userFunction} --passivation-timeout {passivationTimeoutMs}ms ` +
      "--relay-timeout {relayTimeoutMs}ms --relay-buffer {relayBuffer}";
    const verdict = await run(tck, ["backend", "--backend-command", command], installDir);
    assert.equal(verdict.code, 0, `the packaged kit failed the packaged backend:\n${tail(verdict.output)}`);
    assert.match(verdict.output, /\d+ passed, 0 failed/);
  });
});
