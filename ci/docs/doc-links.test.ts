import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Every Markdown file of the project (not dependencies, not generated output). */
function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === "node_modules" || name.startsWith(".") || name === "dist" || name === "reports") return [];
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith(".md") ? [path] : [];
  });
}

/** Relative link targets of a Markdown text: `[text](target)`, without the #fragment. */
function relativeLinks(text: string): string[] {
  const links: string[] = [];
  for (const match of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    const target = match[1]!;
    if (/^[a-z]+:/i.test(target) || target.startsWith("#")) continue;
    links.push(target.split("#")[0]!);
  }
  return links;
}

describe("documentation links", () => {
  it("every relative link in the project's Markdown files points at a file or folder that exists", () => {
    const broken: string[] = [];
    const files = markdownFiles(root);
    for (const file of files) {
      for (const link of relativeLinks(readFileSync(file, "utf8"))) {
        if (!existsSync(resolve(dirname(file), link))) broken.push(`${relative(root, file)} → ${link}`);
      }
    }
    assert.ok(files.length > 5, `found only ${files.length} Markdown files under ${root}`);
    assert.deepEqual(broken, [], `broken links:\n${broken.join("\n")}`);
  });

  it("no file of the product cites the team's brief (ARCHITECTURE.md, TCK-CATALOGUE.md), which is not in the repository", () => {
    const citing: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        if (name === "node_modules" || name.startsWith(".")) continue;
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (/\.(ts|md|feature|proto)$/.test(name) && path !== fileURLToPath(import.meta.url)) {
          if (/ARCHITECTURE\.md|TCK-CATALOGUE/.test(readFileSync(path, "utf8"))) citing.push(relative(root, path));
        }
      }
    };
    walk(root);
    assert.deepEqual(citing, [], `these files cite the brief instead of docs/protocol.md or docs/tck-catalogue.md: ${citing.join(", ")}`);
  });
});
