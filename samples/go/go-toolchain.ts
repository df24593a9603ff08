import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

// For the node tests of the Go samples: is go there, and the Go mains built once per test file
// (Go's build cache, GOCACHE, keeps a rebuild cheap).

export const goModuleDir = fileURLToPath(new URL(".", import.meta.url));
export const repositoryRoot = path.resolve(goModuleDir, "..", "..");

/** `go version`, or undefined when go is not on PATH. */
export function goVersion(): string | undefined {
  const result = spawnSync("go", ["version"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * What a test does without go: in CI (CI=true) it must fail, nothing is skipped there; elsewhere it is
 * skipped, with a loud line on standard error so that a green run without Go is never mistaken for a
 * certified one.
 */
export function withoutGo(what: string): { skip: string } | { fail: string } {
  const reason = `go is not on PATH: ${what} NOT RUN (install Go 1.26+ to run it; CI requires it)`;
  if (process.env["CI"] === "true") return { fail: reason };
  process.stderr.write(`\n!!! SKIPPED: ${reason}\n\n`);
  return { skip: reason };
}

export interface GoBinaries {
  readonly shoppingCart: string;
  readonly tckModel: string;
  remove(): void;
}

/** Builds cmd/shopping-cart and cmd/tck-model into a temporary folder. */
export async function buildGoMains(): Promise<GoBinaries> {
  const dir = mkdtempSync(path.join(tmpdir(), "go-samples-"));
  await promisify(execFile)("go", ["build", "-o", dir + path.sep, "./cmd/shopping-cart", "./cmd/tck-model"], {
    cwd: goModuleDir,
  });
  return {
    shoppingCart: path.join(dir, "shopping-cart"),
    tckModel: path.join(dir, "tck-model"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
