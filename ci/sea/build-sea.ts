// Builds the kit as one executable file (Node's single executable applications, Node 20.12+):
//   npm run build:sea [-- --out FILE]      (default dist/sea/tck)
// Steps: npm pack (built JavaScript), that tarball installed with production dependencies only, the
// installation as one gzipped tar asset, the bootstrap (ci/sea/sea-main.ts) bundled to one CommonJS
// file, the SEA blob, a copy of this Node binary with the blob injected by postject. The executable
// needs no Node and no npm; it runs on machines like this one (same OS and architecture).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";
import * as tar from "tar";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

export async function buildSea(out: string, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): Promise<string> {
  const work = mkdtempSync(join(tmpdir(), "tck-sea-"));
  try {
    // Each step's output is shown only when the step fails (npm lists every packed file; postject
    // warns once per ELF note section it cannot name).
    const step = (command: string, args: string[], cwd = work) => {
      try {
        execFileSync(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
      } catch (error) {
        const { stdout, stderr, message } = error as { stdout?: Buffer; stderr?: Buffer; message: string };
        throw new Error(`${[command, ...args].join(" ")} failed: ${message}\n${stdout?.toString() ?? ""}${stderr?.toString() ?? ""}`);
      }
    };
    const npm = (args: string[], cwd: string) => step("npm", args, cwd);
    log("build-sea: npm pack (builds dist/)");
    npm(["pack", "--pack-destination", work], projectRoot);
    const tarball = readdirSync(work).find((name) => name.endsWith(".tgz"));
    if (!tarball) throw new Error(`npm pack wrote no tarball in ${work}`);
    log("build-sea: installing the tarball with production dependencies");
    const app = join(work, "app");
    mkdirSync(join(app, "kit"), { recursive: true });
    npm(["install", "--prefix", join(app, "kit"), "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund", join(work, tarball)], work);
    writeFileSync(
      join(app, "load.cjs"),
      "// Loads an ES module for the single-file kit's bootstrap.\nmodule.exports = (url) => import(url);\n",
    );
    log("build-sea: packing the installation");
    const archive = join(work, "kit.tgz");
    await tar.c({ gzip: true, file: archive, cwd: app, portable: true }, ["kit", "load.cjs"]);
    const id = createHash("sha256").update(readFileSync(archive)).digest("hex").slice(0, 16);
    writeFileSync(join(work, "kit.id"), id);
    log("build-sea: bundling the bootstrap");
    const main = join(work, "sea-main.cjs");
    await build({
      entryPoints: [join(projectRoot, "ci/sea/sea-main.ts")],
      bundle: true,
      platform: "node",
      format: "cjs",
      target: "node20",
      outfile: main,
      logLevel: "warning",
    });
    const blob = join(work, "sea-prep.blob");
    writeFileSync(
      join(work, "sea-config.json"),
      JSON.stringify({
        main,
        output: blob,
        disableExperimentalSEAWarning: true,
        assets: { "kit.tgz": archive, "kit.id": join(work, "kit.id") },
      }),
    );
    step(process.execPath, ["--experimental-sea-config", join(work, "sea-config.json")]);
    log("build-sea: injecting into a copy of this Node binary");
    mkdirSync(dirname(out), { recursive: true });
    rmSync(out, { force: true });
    copyFileSync(process.execPath, out);
    chmodSync(out, 0o755);
    const postject = join(projectRoot, "node_modules", "postject", "dist", "cli.js");
    step(process.execPath, [postject, out, "NODE_SEA_BLOB", blob, "--sentinel-fuse", "NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2"]);
    log(`build-sea: ${out} (kit build ${id})`);
    return id;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { values } = parseArgs({ options: { out: { type: "string" }, help: { type: "boolean" } }, strict: true });
    if (values.help) {
      process.stdout.write("Usage: npm run build:sea [-- --out FILE]\n\nBuilds the kit as one executable file (default dist/sea/tck).\n");
    } else {
      await buildSea(resolve(values.out ?? join(projectRoot, "dist/sea/tck")));
    }
  } catch (error) {
    process.stderr.write(`build-sea: ${(error as Error).message}\n`);
    process.exitCode = error instanceof TypeError && "code" in error ? 2 : 1;
  }
}
