import * as grpc from "@grpc/grpc-js";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { startShoppingCart } from "../../../samples/shopping-cart/index.js";
import { startModelEntity } from "../../../samples/tck-model/index.js";
import { create, fromBinary, toBinary, toJsonString } from "@bufbuild/protobuf";
import { FieldDescriptorProto_Label, FieldDescriptorProto_Type, FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { EntitySpec } from "../../../reference/protocol/index.js";
import { listenAndDrain } from "../../../reference/protocol/testing/listen-and-drain.js";
import { fileDescriptorOf } from "../../kit/doubles/raw-subjects/file-descriptor-of.js";
import { startRawModelEntity } from "../../kit/doubles/raw-subjects/raw-model-entity.js";
import { ModelEntitySubject } from "../../kit/subjects/model-entity-subject.js";
import { parseKnownFailingList } from "../../kit/run/known-failing-list.js";
import { runUserFunctionMode, type UserFunctionRunOptions } from "../run/run-user-function-mode.js";
import type { RunSummary } from "../../kit/run/scenario-verdict.js";
import { brokenUserFunctions } from "./broken-user-functions.js";
import { parseXml } from "../../kit/self-test/xml-document.js";

const tckBin = resolve(dirname(fileURLToPath(import.meta.url)), "../../bin/tck.js");
// Modest by default so `npm test` stays quick on 2 cores; the CLI defaults to 100.
const runs = 50;
const timeoutMs = 3000;
const tempDir = mkdtempSync(join(tmpdir(), "tck-self-test-"));
after(() => rmSync(tempDir, { recursive: true, force: true }));

class Buffered {
  text = "";
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

async function runKit(
  options: Omit<UserFunctionRunOptions, "out" | "timeoutMs" | "runs" | "snapshotEvery"> & Partial<UserFunctionRunOptions>,
) {
  const out = new Buffered();
  const summary = await runUserFunctionMode({ timeoutMs, runs, snapshotEvery: 5, out, ...options });
  return { summary, output: out.text };
}

function assertAllPassed(summary: RunSummary, output: string, atLeast: number) {
  const notPassed = summary.verdicts.filter((v) => v.kind !== "passed").map((v) => `${v.name}: ${v.status}\n${v.failure?.message ?? ""}`);
  assert.deepEqual(notPassed, [], output);
  assert.ok(summary.verdicts.length >= atLeast, `only ${summary.verdicts.length} scenarios ran`);
  assert.ok(
    summary.verdicts.every((v) => v.status === "PASSED"),
    "a scenario was skipped",
  );
  assert.equal(summary.failed, 0);
  assert.equal(summary.success, true);
  assert.match(output, new RegExp(`^${summary.passed} passed, 0 failed$`, "m"));
}

describe("the kit against the reference subjects", { timeout: 300_000 }, () => {
  it("passes the reference shopping cart on every scenario and property", async () => {
    const cart = await startShoppingCart({ host: "127.0.0.1", port: 0 });
    try {
      const { summary, output } = await runKit({ target: `127.0.0.1:${cart.port}`, subject: "shopping-cart" });
      assertAllPassed(summary, output, 20);
      for (const property of ["M1 ", "C10 M3 ", "M2 "])
        assert.ok(
          summary.verdicts.some((v) => v.name.startsWith(property)),
          `property ${property} ran`,
        );
    } finally {
      await cart.close();
    }
  });

  it("passes the reference model entity on every scenario and property", async () => {
    const model = await startModelEntity({ host: "127.0.0.1", port: 0 });
    try {
      const { summary, output } = await runKit({ target: `127.0.0.1:${model.port}`, subject: "model" });
      assertAllPassed(summary, output, 39);
    } finally {
      await model.close();
    }
  });

  it("passes the reference model entity with another snapshot interval on the N-dependent scenarios and properties", async () => {
    const model = await startModelEntity({ host: "127.0.0.1", port: 0, snapshotEvery: 3 });
    try {
      const { summary, output } = await runKit({
        target: `127.0.0.1:${model.port}`,
        subject: "model",
        snapshotEvery: 3,
        tags: "@snapshots or @C7 or @property",
      });
      assertAllPassed(summary, output, 8);
    } finally {
      await model.close();
    }
  });

  it("fails the reference model entity when told the wrong snapshot interval, naming F3", async () => {
    const model = await startModelEntity({ host: "127.0.0.1", port: 0, snapshotEvery: 5 });
    try {
      const { summary, output } = await runKit({
        target: `127.0.0.1:${model.port}`,
        subject: "model",
        snapshotEvery: 4,
        tags: "@F3",
        runs: 10,
      });
      assert.equal(summary.success, false);
      assert.match(output, /expected: a snapshot \(the reply's events get sequences \[4\]; N = 4\)/);
    } finally {
      await model.close();
    }
  });

  it("passes its own raw-protocol model entity", async () => {
    const model = await startRawModelEntity();
    try {
      const { summary, output } = await runKit({ target: model.address, subject: "model" });
      assertAllPassed(summary, output, 39);
    } finally {
      await model.close();
    }
  });
});

describe("the kit against broken user functions", { timeout: 300_000 }, () => {
  for (const broken of brokenUserFunctions) {
    it(`fails one that ${broken.name}, naming the behaviour and showing the transcript`, async () => {
      const uf = await startRawModelEntity({ faults: broken.faults });
      try {
        const { summary, output } = await runKit({ target: uf.address, subject: "model", timeoutMs: 1500, runs: 30 });
        assert.equal(summary.success, false);
        assert.ok(summary.failed > 0);
        assert.match(output, new RegExp(`^${summary.passed} passed, ${summary.failed} failed$`, "m"));
        for (const name of broken.mustFail) {
          const verdict = summary.verdicts.find((v) => v.name.startsWith(name));
          assert.ok(verdict, `scenario ${name} ran`);
          assert.equal(verdict.kind, "failed", `${name} should fail against a user function that ${broken.name}\n${output}`);
        }
        const named = summary.verdicts.find((v) => v.name.startsWith(broken.mustFail[0]!));
        const message = named?.failure?.message ?? "";
        assert.ok(message.includes(broken.verdictMentions), `the verdict mentions ${broken.verdictMentions}: ${message}`);
        assert.match(message, /expected: .*\n\s*actual: /);
        assert.match(message, /transcript \(kit = backend/);
        assert.match(message, /→ Init entity/);
        assert.ok(output.includes(broken.mustFail[0]!), "the readable run names the failed scenario");
      } finally {
        await uf.close();
      }
    });
  }

  it("finishes a run against a user function that crashes in the middle, failing what comes after", async () => {
    const uf = await startRawModelEntity({ faults: { crashesOnCommandId: 3 } });
    try {
      // Features run in file order: D2 (commands.feature) comes first and sends the fatal third command.
      const { summary, output } = await runKit({
        target: uf.address,
        subject: "model",
        timeoutMs: 1500,
        runs: 30,
        tags: "@D2 or @A1 or @E4 or @C8 or @B3 or @M1",
      });
      assert.equal(summary.success, false);
      const first = summary.verdicts[0];
      assert.ok(first?.name.startsWith("D2 "), output);
      assert.equal(first?.kind, "failed", output);
      assert.match(first?.failure?.message ?? "", /without answering command 3/);
      // Every scenario after the crash fails (nothing listens any more), also those expecting a refused stream.
      assert.deepEqual(
        summary.verdicts
          .slice(1)
          .filter((v) => v.kind !== "failed")
          .map((v) => v.name),
        [],
        output,
      );
      assert.match(output, /a transport condition, not the user function's verdict/);
    } finally {
      await uf.close();
    }
  });

  it("passes G8 and M1 against one that ends its stream only after the Failure for a throwing handler (the end arriving after the next command)", async () => {
    const uf = await startRawModelEntity({ faults: { endsStreamAfterThrowFailure: true } });
    try {
      const { summary, output } = await runKit({ target: uf.address, subject: "model", tags: "@G8 or @M1", runs: 30 });
      assertAllPassed(summary, output, 2);
    } finally {
      await uf.close();
    }
  });

  for (const [what, faults, mentions] of [
    ["hangs", { hangsOnCommandId: 3 }, /the user function hung \(no answer within 1500 ms\)/],
    ["crashes", { crashesOnCommandId: 3 }, /the user function crashed or became unreachable/],
  ] as const) {
    it(`reports a user function that ${what} during a property as a transport failure with the transcript, not a counterexample`, async () => {
      const uf = await startRawModelEntity({ faults });
      try {
        const { summary, output } = await runKit({ target: uf.address, subject: "model", tags: "@M1", runs: 30, timeoutMs: 1500, seed: 7 });
        const message = summary.verdicts[0]?.failure?.message ?? "";
        assert.equal(summary.verdicts[0]?.kind, "failed", output);
        assert.match(message, /^property not judged: M1 /m);
        assert.match(message, /a transport failure, not a counterexample: /);
        assert.match(message, mentions);
        assert.doesNotMatch(message, /counterexample \(shrunk\)/);
        assert.match(message, /transcript \(kit = backend/);
        assert.match(message, /rerun: .*--tags '@M1' --seed=7/);
      } finally {
        await uf.close();
      }
    });
  }

  it("prints the seed, the shrunk counterexample and a rerun command when a property fails", async () => {
    const uf = await startRawModelEntity({ faults: { doesNotApplyOwnEvents: true } });
    try {
      const { summary } = await runKit({ target: uf.address, subject: "model", tags: "@M1", runs: 30, seed: 42 });
      const message = summary.verdicts[0]?.failure?.message ?? "";
      assert.match(message, /seed 42, path "[0-9:]+"/);
      assert.match(message, /counterexample \(shrunk\):\n\s+1\. Process emit/);
      assert.match(message, /rerun: .*--tags '@M1' --seed=42 --runs 30/);
      // Shrinking keeps the two commands the defect needs: an emit and a read.
      assert.doesNotMatch(message, /\n\s+3\. Process/);
    } finally {
      await uf.close();
    }
  });
});

/** A descriptor for the model service whose Request has no entity_key field and which imports an unknown file. */
function unkeyedDescriptor(extraImport?: string): Uint8Array {
  const id = { name: "id", number: 1, label: FieldDescriptorProto_Label.OPTIONAL, type: FieldDescriptorProto_Type.STRING };
  return toBinary(
    FileDescriptorProtoSchema,
    create(FileDescriptorProtoSchema, {
      name: "tck/model.proto",
      package: "lightbend.serverless.tck.model",
      dependency: extraImport ? [extraImport] : [],
      messageType: [
        { name: "Request", field: [id] },
        { name: "Response", field: [id] },
      ],
      service: [
        {
          name: "ModelEntity",
          method: [
            {
              name: "Process",
              inputType: ".lightbend.serverless.tck.model.Request",
              outputType: ".lightbend.serverless.tck.model.Response",
            },
          ],
        },
      ],
      syntax: "proto3",
    }),
  );
}

describe("the kit against user functions that describe themselves wrongly", { timeout: 120_000 }, () => {
  const cases: Array<{ why: string; spec: Partial<EntitySpec>; fails: string; mentions: string }> = [
    { why: "an empty persistence id", spec: { persistenceId: "" }, fails: "A1 ", mentions: 'persistence id ""' },
    {
      why: "another service name",
      spec: { serviceName: "lightbend.serverless.tck.model.Other" },
      fails: "A2 ",
      mentions: "services lightbend.serverless.tck.model.ModelEntity",
    },
    {
      why: "an import the backend cannot resolve",
      spec: { proto: unkeyedDescriptor("mine/extra.proto") },
      fails: "A2 ",
      mentions: 'an import of "mine/extra.proto"',
    },
    {
      why: "a method whose input has no key field",
      spec: { proto: unkeyedDescriptor() },
      fails: "A3 ",
      mentions:
        'Process: its input type ".lightbend.serverless.tck.model.Request" (lightbend.serverless.tck.model.Request) has no field marked entity_key',
    },
  ];
  for (const c of cases) {
    it(`fails ${c.why}`, async () => {
      const uf = await startRawModelEntity({ faults: { describesItselfAs: c.spec } });
      try {
        const { summary, output } = await runKit({ target: uf.address, subject: "model", tags: "@discovery" });
        const verdict = summary.verdicts.find((v) => v.name.startsWith(c.fails));
        assert.equal(verdict?.kind, "failed", output);
        assert.ok(verdict?.failure?.message.includes(c.mentions), verdict?.failure?.message);
      } finally {
        await uf.close();
      }
    });
  }
});

/**
 * The raw model entity's true descriptor with every type name written relatively, as the 2019 JavaScript
 * support library writes them (`Request`, `google.protobuf.Empty` without a leading dot): legal in descriptor.proto.
 */
function relativelyNamedDescriptor(): Uint8Array {
  const subject = new ModelEntitySubject();
  const file = fromBinary(
    FileDescriptorProtoSchema,
    fileDescriptorOf(subject.root, "tck/model.proto", ["google/protobuf/empty.proto", "lightbend/serverless/entitykey.proto"]),
  );
  const relative = (name: string) => name.replace(/^\./, "").replace(`${file.package}.`, "");
  for (const method of file.service.flatMap((s) => s.method)) {
    method.inputType = relative(method.inputType);
    method.outputType = method.outputType.startsWith(`.${file.package}.`)
      ? `${file.package}.${relative(method.outputType)}`
      : relative(method.outputType);
  }
  for (const field of file.messageType.flatMap((m) => m.field)) if (field.typeName) field.typeName = relative(field.typeName);
  return toBinary(FileDescriptorProtoSchema, file);
}

describe("the kit against user functions that describe themselves legally in another way", { timeout: 120_000 }, () => {
  it("passes a descriptor that names its types relatively (A2, A3)", async () => {
    const proto = relativelyNamedDescriptor();
    const decoded = toJsonString(FileDescriptorProtoSchema, fromBinary(FileDescriptorProtoSchema, proto));
    assert.match(decoded, /"inputType":"Request"/);
    assert.match(decoded, /"outputType":"google\.protobuf\.Empty"/);
    assert.match(decoded, /"outputType":"lightbend\.serverless\.tck\.model\.Response"/);
    const uf = await startRawModelEntity({ faults: { describesItselfAs: { proto } } });
    try {
      const { summary, output } = await runKit({ target: uf.address, subject: "model", tags: "@discovery" });
      assertAllPassed(summary, output, 4);
    } finally {
      await uf.close();
    }
  });
});

describe("the known-failing list", { timeout: 120_000 }, () => {
  it("turns listed failures into expected failures", async () => {
    const uf = await startRawModelEntity({ faults: { doesNotApplyOwnEvents: true } });
    try {
      const knownFailing = parseKnownFailingList(
        [
          "# the raw entity with the E4 defect",
          "E4 the user function applies its own emitted events # does not apply its own events",
          "E4 events applied are visible to the next command after an empty reply # same defect",
        ].join("\n"),
      );
      const { summary, output } = await runKit({ target: uf.address, subject: "model", tags: "@E4", knownFailing });
      assert.equal(summary.expectedFailures, 2, output);
      assert.equal(summary.failed, 0, output);
      assert.equal(summary.success, true);
      assert.match(output, /expected failure \(known-failing list, line 2\): does not apply its own events/);
      assert.match(output, /^0 passed, 0 failed$/m);
    } finally {
      await uf.close();
    }
  });

  it("fails the run when a listed scenario now passes", async () => {
    const uf = await startRawModelEntity();
    try {
      const knownFailing = parseKnownFailingList("E5 several events in one reply are applied in emission order # was broken once");
      const { summary, output } = await runKit({ target: uf.address, subject: "model", tags: "@E5", knownFailing });
      assert.equal(summary.success, false);
      assert.equal(summary.verdicts[0]?.kind, "now-passing");
      assert.match(output, /NOW PASSES .*remove it from the list/);
      assert.match(output, /^0 passed, 1 failed$/m);
    } finally {
      await uf.close();
    }
  });
});

interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: readonly string[], limitMs = 120_000): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [tckBin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const guard = setTimeout(() => child.kill("SIGKILL"), limitMs);
    child.on("error", (error) => {
      clearTimeout(guard);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(guard);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

describe("the tck command", { timeout: 180_000 }, () => {
  let model: Awaited<ReturnType<typeof startRawModelEntity>>;
  before(async () => {
    model = await startRawModelEntity();
  });
  after(async () => {
    await model.close();
  });

  it("runs, writes junit, json and html reports, prints the summary line and exits 0", async () => {
    const junit = join(tempDir, "tck.xml");
    const json = join(tempDir, "tck.json");
    const html = join(tempDir, "tck.html");
    const result = await runCli([
      "user-function",
      "--target",
      model.address,
      "--subject",
      "model",
      "--tags",
      "@discovery or @E5 or @M2",
      "--report",
      `junit:${junit},json:${json},html:${html}`,
      "--runs",
      "10",
    ]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stdout.trimEnd().split("\n").at(-1), "6 passed, 0 failed");
    const suite = parseXml(readFileSync(junit, "utf8"));
    assert.equal(suite.name, "testsuite");
    assert.equal(suite.attributes["tests"], "6");
    assert.equal(suite.attributes["failures"], "0");
    assert.equal(suite.children.filter((c) => c.name === "testcase").length, 6);
    const features = JSON.parse(readFileSync(json, "utf8")) as Array<{ elements: unknown[] }>;
    assert.equal(features.flatMap((f) => f.elements).length, 6);
    const page = readFileSync(html, "utf8");
    assert.match(page, /<html/i);
    assert.match(page, /A4 ready can be called repeatedly and answers the same/);
  });

  it("exits 1 against a broken user function, with the failure in the junit report", async () => {
    const broken = await startRawModelEntity({ faults: { wrongCommandIds: true } });
    const junit = join(tempDir, "broken.xml");
    try {
      const result = await runCli([
        "user-function",
        "--target",
        broken.address,
        "--subject",
        "model",
        "--tags",
        "@D2",
        "--report",
        `junit:${junit}`,
      ]);
      assert.equal(result.code, 1, result.stdout + result.stderr);
      assert.equal(result.stdout.trimEnd().split("\n").at(-1), "0 passed, 1 failed");
      assert.match(result.stdout, /carrying command id 2 to command 1/);
      const suite = parseXml(readFileSync(junit, "utf8"));
      assert.equal(suite.attributes["failures"], "1");
    } finally {
      await broken.close();
    }
  });

  it("prints a rerun command for a failed property that reproduces the same counterexample", async () => {
    const broken = await startRawModelEntity({ faults: { doesNotApplyOwnEvents: true } });
    try {
      const first = await runCli(["user-function", "--target", broken.address, "--subject", "model", "--tags", "@M3", "--runs", "20"]);
      assert.equal(first.code, 1, first.stdout + first.stderr);
      const rerun = /rerun: npx tck (.*)$/m.exec(first.stdout)?.[1];
      assert.ok(rerun, first.stdout);
      const args = [...rerun.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? "");
      const again = await runCli(args);
      assert.equal(again.code, 1, again.stdout + again.stderr);
      const counterexample = (text: string) => /counterexample \(shrunk\):\n((?:\s+\S.*\n)+?)\s*\n/.exec(text)?.[1];
      assert.ok(counterexample(first.stdout));
      assert.equal(counterexample(again.stdout), counterexample(first.stdout));
    } finally {
      await broken.close();
    }
  });

  it("checks the target first: a dead target, a backend's port and another subject each end in one line and exit 2", async (t) => {
    const gone = await startRawModelEntity();
    const address = gone.address;
    await gone.close();
    const notUserFunction = await listenAndDrain(new grpc.Server());
    try {
      const cases = [
        { args: ["--target", address, "--subject", "model"], says: /^tck user-function: cannot reach a user function at / },
        {
          args: ["--target", notUserFunction.address],
          says: /^tck user-function: 127\.0\.0\.1:\d+ answers gRPC but does not serve lightbend\.serverless\.Entity\/ready \(UNIMPLEMENTED\)/,
        },
        {
          args: ["--target", model.address, "--subject", "shopping-cart"],
          says: /^tck user-function: --subject shopping-cart expects .* \(that is --subject model\)$/,
        },
      ];
      for (const c of cases) {
        const started = performance.now();
        const result = await runCli(["user-function", ...c.args]);
        t.diagnostic(`${c.args.join(" ")}: exit ${result.code} after ${Math.round(performance.now() - started)} ms`);
        assert.equal(result.code, 2, result.stdout + result.stderr);
        assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
        assert.match(result.stderr.trimEnd(), c.says);
        assert.equal(result.stdout, "", "no scenario ran");
      }
    } finally {
      await notUserFunction.close(0);
    }
  });

  it("infers the subject from ready() when --subject is not given", async () => {
    const result = await runCli(["user-function", "--target", model.address, "--tags", "@A1"]);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /subject model at /);
    assert.equal(result.stdout.trimEnd().split("\n").at(-1), "1 passed, 0 failed");
  });

  it("writes a run's failures as a known-failing list that the next run accepts, and reads ids and flaky lists", async () => {
    const broken = await startRawModelEntity({ faults: { wrongCommandIds: true } });
    const written = join(tempDir, "written-known-failing.txt");
    const byId = join(tempDir, "by-id.txt");
    const flaky = join(tempDir, "flaky.txt");
    writeFileSync(byId, "D2 # ids are off by one\n");
    writeFileSync(flaky, "D2 * # flaky on this library\n");
    try {
      const first = await runCli([
        "user-function",
        "--target",
        broken.address,
        "--subject",
        "model",
        "--tags",
        "@D2",
        "--write-known-failing",
        written,
      ]);
      assert.equal(first.code, 1, first.stdout + first.stderr);
      assert.match(first.stderr, /wrote 1 failing scenario\(s\)/);
      assert.equal(first.stdout.trimEnd().split("\n").at(-1), "0 passed, 1 failed", "the summary stays the last line of stdout");
      assert.match(readFileSync(written, "utf8"), /^D2 each answer carries the id of the command it answers # /m);
      for (const list of [
        ["--known-failing", written],
        ["--known-failing", byId],
        ["--known-flaky", flaky],
      ]) {
        const again = await runCli(["user-function", "--target", broken.address, "--subject", "model", "--tags", "@D2", ...list]);
        assert.equal(again.code, 0, `${list.join(" ")}\n${again.stdout}${again.stderr}`);
        assert.equal(again.stdout.trimEnd().split("\n").at(-1), "0 passed, 0 failed");
      }
      // The same id list against a correct user function: every scenario it picks passes, so the entry is stale.
      const stale = await runCli([
        "user-function",
        "--target",
        model.address,
        "--subject",
        "model",
        "--tags",
        "@D2",
        "--known-failing",
        byId,
      ]);
      assert.equal(stale.code, 1, stale.stdout + stale.stderr);
      assert.match(stale.stdout, /known-failing list line 1 \("D2", catalogue-id\) NOW PASSES/);
    } finally {
      await broken.close();
    }
  });

  it("reads a known-failing list file and refuses one without reasons", async () => {
    const list = join(tempDir, "known-failing.txt");
    writeFileSync(list, "A1 ready returns a spec with a descriptor, service name and persistence id\n");
    const result = await runCli(["user-function", "--target", model.address, "--subject", "model", "--known-failing", list]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /give a reason/);
  });

  it("prints help, and usage errors with exit code 2", async () => {
    const help = await runCli(["user-function", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--known-failing FILE/);
    const missing = await runCli(["user-function", "--subject", "model"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--target HOST:PORT is required/);
  });
});
