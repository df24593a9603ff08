// npm run lint's rules need type information (no-floating-promises and the others read types); a
// config that lost it would lint nothing and pass. The fixture breaks each rule once, on the line
// after its "expect" comment.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const fixture = fileURLToPath(new URL("./lint-rules.fixture.ts", import.meta.url));

describe("npm run lint's rules", { timeout: 120_000 }, () => {
  it("report each broken rule of the fixture on its marked line, and nothing else", async () => {
    const eslint = new ESLint({ cwd: projectRoot, ignore: false });
    const [result] = await eslint.lintFiles([fixture]);
    const found = result!.messages.map((m) => `${m.line} ${m.ruleId ?? m.message}`);
    const expected = readFileSync(fixture, "utf8")
      .split("\n")
      .flatMap((line, i) => {
        const rule = /\/\/ expect: (\S+)/.exec(line)?.[1];
        return rule ? [`${i + 2} @typescript-eslint/${rule}`] : [];
      });
    assert.equal(expected.length, 3);
    assert.deepEqual(found, expected);
  });
});
