import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { captureOutput } from "./backend/self-test/capture-output.js";
import { main } from "./main.js";

async function tck(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out = captureOutput();
  const err = captureOutput();
  const code = await main(args, out as unknown as NodeJS.WritableStream, err as unknown as NodeJS.WritableStream);
  return { code, out: out.text, err: err.text };
}

describe("the tck command", () => {
  it("prints the package's name and version with --version, and names --version in its usage", async () => {
    const manifest = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { name: string; version: string };
    assert.match(manifest.version, /^\d+\.\d+\.\d+/);
    for (const flag of ["--version", "-v"])
      assert.deepEqual(await tck([flag]), { code: 0, out: `${manifest.name} ${manifest.version}\n`, err: "" });
    assert.match((await tck(["--help"])).out, /tck --version/);
  });

  it("refuses an unknown mode with exit 2 and the usage", async () => {
    const run = await tck(["certify"]);
    assert.equal(run.code, 2);
    assert.match(run.err, /^tck: unknown mode "certify"\n\nUsage: tck MODE/);
  });
});
