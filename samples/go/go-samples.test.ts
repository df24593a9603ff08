import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { describe, it } from "node:test";
import { goVersion, repositoryRoot, withoutGo } from "./go-toolchain.js";

// The README's test command runs what CI runs for the Go samples: ci/go-samples.sh (build, go test, the
// kit's verdict on the Go cart and the Go model entity). Without go: a loud skip, or a failure in CI.

describe("the Go samples, certified by the kit (ci/go-samples.sh)", { timeout: 600_000 }, () => {
  it("builds, passes go test, and passes the kit as --subject shopping-cart and --subject model", async (t) => {
    if (!goVersion()) {
      const outcome = withoutGo("the Go samples' go test and the kit's verdict on them");
      if ("fail" in outcome) assert.fail(outcome.fail);
      t.skip(outcome.skip);
      return;
    }
    const child = spawn("bash", [path.join(repositoryRoot, "ci", "go-samples.sh")], { cwd: repositoryRoot, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 0, `ci/go-samples.sh failed (exit code ${code}):\n${output}`);
    const summaries = output.split("\n").filter((line) => line.startsWith("go-samples: Go "));
    for (const line of summaries) t.diagnostic(line);
    assert.equal(summaries.length, 2, `expected one summary line per Go subject:\n${output}`);
    assert.match(summaries[0] ?? "", /^go-samples: Go shopping-cart, --subject shopping-cart: [1-9]\d* passed, 0 failed$/);
    assert.match(summaries[1] ?? "", /^go-samples: Go tck-model, --subject model: [1-9]\d* passed, 0 failed$/);
    assert.match(output, /^ok\s+example\.com\/serverless-go\/eventsourcing/m, "go test of the library");
  });
});
