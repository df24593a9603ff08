import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { moduleExtension, packageRoot } from "./package-root.js";

test("packageRoot finds the nearest package.json from source depth and from build depth", () => {
  const root = mkdtempSync(join(tmpdir(), "package-root-"));
  try {
    writeFileSync(join(root, "package.json"), "{}");
    mkdirSync(join(root, "tck/kit/run"), { recursive: true });
    mkdirSync(join(root, "dist/tck/kit/run"), { recursive: true });
    assert.equal(packageRoot(pathToFileURL(join(root, "tck/kit/run/kit-version.ts")).href), root);
    assert.equal(packageRoot(pathToFileURL(join(root, "dist/tck/kit/run/kit-version.js")).href), root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("packageRoot of this very module is the project's root", () => {
  assert.equal(packageRoot(import.meta.url), join(import.meta.dirname, "../.."));
});

test("moduleExtension tells source from build", () => {
  assert.equal(moduleExtension("file:///p/tck/kit/run/x.ts"), ".ts");
  assert.equal(moduleExtension("file:///p/dist/tck/kit/run/x.js"), ".js");
});
