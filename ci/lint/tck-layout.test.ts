import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import madge from "madge";

// The TCK's layout rules (tck/README.md, "Layout"): the shared kit imports no mode, a mode's code
// imports no other mode, and the README's tree is the tree on disk. madge resolves the imports (the
// same graph `npm run lint` checks for loops); the rules over that graph are written here.

const root = fileURLToPath(new URL("../..", import.meta.url));
const modes = ["user-function", "backend", "intercept"] as const;
const topLevel = ["README.md", "bin", "kit", "main.test.ts", "main.ts", "run-main.ts", ...modes].sort();

/** The part of the TCK a file belongs to: "kit", a mode, "command" (tck/ itself) or undefined outside tck/. */
function partOf(file: string): string | undefined {
  const parts = file.split("/");
  if (parts[0] !== "tck") return undefined;
  return parts.length === 2 ? "command" : parts[1];
}

/** Test code may borrow another mode's fixtures; what the kit ships may not. */
function isTestCode(file: string): boolean {
  return /\.(test|fixture)\.ts$/.test(file) || file.split("/").includes("self-test");
}

/** Every import that breaks a rule, as "from → to (rule)". */
export function layoutViolations(graph: Readonly<Record<string, readonly string[]>>): string[] {
  const violations: string[] = [];
  for (const [file, imports] of Object.entries(graph)) {
    const from = partOf(file);
    if (from === undefined || from === "command") continue;
    for (const target of imports) {
      const to = partOf(target);
      if (to === undefined || to === from) continue;
      if (from === "kit" && to !== "kit") violations.push(`${file} → ${target} (the kit imports no mode)`);
      else if (from !== "kit" && to !== "kit" && !isTestCode(file))
        violations.push(`${file} → ${target} (a mode's code imports no other mode)`);
    }
  }
  return violations.sort();
}

/** The folders and files the README's layout block names, as paths under tck/ (folders end in "/"). */
export function layoutTreeOf(readme: string): string[] {
  const section = readme.split("\n## Layout\n")[1];
  if (section === undefined) throw new Error('tck/README.md has no "## Layout" section');
  const block = /```\n([\s\S]*?)\n```/.exec(section)?.[1];
  if (block === undefined) throw new Error("the Layout section has no tree block");
  const paths: string[] = [];
  const parents: string[] = [];
  for (const line of block.split("\n")) {
    const indent = line.length - line.trimStart().length;
    if (line.trim() === "" || indent >= 16) continue; // a description's continuation line
    const names = line.trimStart().split(/\s{2,}/)[0] ?? "";
    const depth = indent / 2;
    const parent = depth === 0 ? "" : parents[depth - 1];
    if (!Number.isInteger(depth) || parent === undefined) throw new Error(`layout line out of place: ${line}`);
    for (const name of names.split(/[\s,]+/).filter(Boolean)) {
      paths.push(parent + name);
      if (name.endsWith("/")) parents[depth] = parent + name;
    }
    parents.length = depth + 1;
  }
  return paths;
}

/** Every folder under dir, as paths relative to it ending in "/". */
function foldersUnder(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      return [relative(base, path) + "/", ...foldersUnder(path, base)];
    });
}

describe("the TCK's layout", () => {
  it("finds a kit file importing a mode and a mode's code importing another, but lets self-tests borrow", () => {
    const graph = {
      "tck/kit/run/a.ts": ["tck/kit/run/b.ts", "tck/backend/world/w.ts", "reference/protocol/index.ts"],
      "tck/backend/driver/d.ts": ["tck/kit/run/b.ts", "tck/user-function/world/x.ts"],
      "tck/intercept/self-test/e.test.ts": ["tck/backend/self-test/f.ts"],
      "tck/user-function/x.test.ts": ["tck/backend/driver/d.ts"],
      "tck/main.ts": ["tck/backend/cli/index.ts", "tck/intercept/index.ts"],
    };
    assert.deepEqual(layoutViolations(graph), [
      "tck/backend/driver/d.ts → tck/user-function/world/x.ts (a mode's code imports no other mode)",
      "tck/kit/run/a.ts → tck/backend/world/w.ts (the kit imports no mode)",
    ]);
  });

  it("reads nested folders, sibling folders on one line and description lines out of a tree block", () => {
    const readme = [
      "# x",
      "## Layout",
      "",
      "```",
      "bin/tck.js                      the command",
      "kit/                            shared",
      "  run/                          runner,",
      "                                continued",
      "  doubles/                      doubles",
      "    raw/                        raw",
      "backend/                        backend",
      "  cli/ run/ driver/ world/ steps/, COVERAGE.md  all of it",
      "```",
    ].join("\n");
    assert.deepEqual(layoutTreeOf(readme), [
      "bin/tck.js",
      "kit/",
      "kit/run/",
      "kit/doubles/",
      "kit/doubles/raw/",
      "backend/",
      "backend/cli/",
      "backend/run/",
      "backend/driver/",
      "backend/world/",
      "backend/steps/",
      "backend/COVERAGE.md",
    ]);
  });

  it("holds on the tree: the kit imports no mode, no mode imports another", async () => {
    const graph = (await madge(join(root, "tck"), { fileExtensions: ["ts"], tsConfig: join(root, "tsconfig.json"), baseDir: root })).obj();
    assert.ok(
      Object.keys(graph).some((file) => file.startsWith("tck/kit/")),
      "madge found no file of tck/kit",
    );
    assert.deepEqual(layoutViolations(graph), []);
  });

  it("has only the kit, the three modes and the command at the top of tck/", () => {
    assert.deepEqual(readdirSync(join(root, "tck")).sort(), topLevel);
  });

  it("matches tck/README.md's layout tree: every folder listed, every listed path there", () => {
    const listed = layoutTreeOf(readFileSync(join(root, "tck/README.md"), "utf8"));
    const missing = listed.filter((path) => {
      try {
        return statSync(join(root, "tck", path)).isDirectory() !== path.endsWith("/");
      } catch {
        return true;
      }
    });
    assert.deepEqual(missing, [], "named in the README's layout but not in tck/");
    const unlisted = foldersUnder(join(root, "tck")).filter((folder) => !listed.some((path) => path.startsWith(folder)));
    assert.deepEqual(unlisted, [], "folders of tck/ missing from the README's layout");
  });
});
