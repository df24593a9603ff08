import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { main } from "./main.js";

async function tck(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const texts = { out: "", err: "" };
  const sink = (key: "out" | "err") =>
    new Writable({
      write(chunk, _encoding, done) {
        texts[key] += String(chunk);
        done();
      },
    });
  const code = await main(args, sink("out"), sink("err"));
  return { code, ...texts };
}

describe("the tck command", () => {
  it("prints the package's name and version with --version, and names --version in its usage", async () => {
    const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { name: string; version: string };
    assert.match(manifest.version, /^\d+\.\d+\.\d+/);
    for (const flag of ["--version", "-v"]) assert.deepEqual(await tck([flag]), { code: 0, out: `${manifest.name} ${manifest.version}\n`, err: "" });
    assert.match((await tck(["--help"])).out, /tck --version/);
  });

  it("refuses an unknown mode with exit 2 and the usage", async () => {
    const run = await tck(["certify"]);
    assert.equal(run.code, 2);
    assert.match(run.err, /^tck: unknown mode "certify"\n\nUsage: tck MODE/);
  });
});
