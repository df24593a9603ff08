// The single-file kit's entry point (Node's single executable applications): the executable carries
// the installed kit (built JavaScript and its production dependencies) as one gzipped tar asset,
// unpacks it once per kit build into a cache folder, and runs the kit's CLI from there with the
// executable's own Node. Bundled to one CommonJS file by ci/sea/build-sea.ts (a SEA's main script
// must be that), tar included.
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createRequire } from "node:module";
import * as tar from "tar";

// node:sea exists only inside a single executable; required lazily so this file also loads as plain Node.
const sea = require("node:sea") as { getAsset(key: string, encoding?: string): ArrayBuffer | string };

async function unpackedKit(): Promise<string> {
  const id = String(sea.getAsset("kit.id", "utf8")).trim();
  const cacheRoot =
    process.env.TCK_CACHE_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "stateful-serverless-tck", "sea");
  const dir = join(cacheRoot, id);
  if (existsSync(join(dir, ".complete"))) return dir;
  // Unpacked beside, then renamed: a run killed half-way, or two first runs at once, never leave a
  // half-filled folder that looks complete.
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const archive = Buffer.from(sea.getAsset("kit.tgz") as ArrayBuffer);
  await new Promise<void>((resolve, reject) => {
    const extract = tar.x({ cwd: partial, gzip: true });
    extract.on("error", reject);
    extract.on("finish", () => resolve());
    extract.end(archive);
  });
  writeFileSync(join(partial, ".complete"), `${id}\n`);
  try {
    renameSync(partial, dir);
  } catch (error) {
    // Another first run got there first: use theirs.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(join(dir, ".complete"))) throw error;
  }
  return dir;
}

async function run(): Promise<void> {
  const dir = await unpackedKit();
  const entry = join(dir, "kit", "node_modules", "stateful-serverless-tck", "dist", "tck", "run-main.js");
  // import() from a module on disk (the SEA's own main script may only require built-ins).
  const load = createRequire(join(dir, "load.cjs"))("./load.cjs") as (url: string) => Promise<unknown>;
  await load(pathToFileURL(entry).href);
}

run().catch((error: unknown) => {
  process.stderr.write(`tck (single-file): cannot start the kit: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
});
