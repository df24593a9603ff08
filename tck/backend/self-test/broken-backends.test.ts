import assert from "node:assert/strict";
import { dirname, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runBackendCommand } from "../cli/backend-command.js";
import type { BackendLauncher } from "../driver/backend-launcher.js";
import { defaultBackendSettings } from "../driver/backend-settings.js";
import { runBackendMode } from "../run/run-backend-mode.js";
import { captureOutput } from "./capture-output.js";
import { skipFirstEventJournal, writeBehindJournal } from "./faulty-journals.js";
import { createRawFakeBackendLauncher } from "./raw-fake-backend.js";
import { ReflectionService } from "@grpc/reflection";
import { createReferenceBackendLauncher } from "./reference-backend-launcher.js";

/** Runs the scenarios of one item against a broken backend; the run must fail on exactly that item. */
async function expectCaught(
  launcher: BackendLauncher,
  tags: string,
  item: string,
  evidence: RegExp,
  property: { runs: number; seed?: number } = { runs: 5 },
) {
  const out = captureOutput();
  const summary = await runBackendMode({
    launcher,
    settings: defaultBackendSettings,
    tags,
    timeoutMs: 5_000,
    startupTimeoutMs: 20_000,
    out,
    ...property,
  });
  assert.equal(summary.success, false, `the kit passed a broken backend:\n${out.text}`);
  const failed = summary.verdicts.filter((v) => v.kind === "failed");
  assert.ok(failed.length > 0, out.text);
  for (const verdict of failed) {
    assert.ok(verdict.name.startsWith(`${item} `), `a failure should name ${item}: ${verdict.name}`);
    assert.match(verdict.failure?.message ?? "", /transcript \(kit = user function/, out.text);
  }
  assert.match(out.text, evidence);
  assert.match(out.text, /\d+ passed, [1-9]\d* failed, \d+ not run\n$/);
}

describe("backend mode catches broken backends, naming the behaviour", { timeout: 120_000 }, () => {
  it("a backend that replies before persisting fails E2", async () => {
    await expectCaught(
      createReferenceBackendLauncher({
        description: "reference backend on a write-behind journal",
        journal: (j) => writeBehindJournal(j, 1_000),
      }),
      "@E2",
      "E2",
      // Issue 9, item 8: the verdict names the lost event, not only the wrong state.
      /expected: reply state "a"\n\s+actual:\s+reply state ""; entity's latest stream s\d+ \(Init for "e2-[0-9a-f]{8}" without a snapshot, no events replayed, [^\n]*: it recovered the entity up to sequence 0, but replies on earlier streams carried events up to 1, so event 1 was lost or skipped/,
    );
  });

  it("a backend whose reflection re-encodes the user's file (options lost) and lists only the user's service fails L1", async () => {
    // @grpc/reflection decodes and re-encodes the descriptors with its own types: the entity_key option
    // is dropped, and only the services given are listed (the reference backend's first reflection did this).
    const libraryReflection = (
      server: import("@grpc/grpc-js").Server,
      service: import("../../../reference/backend/discovery/index.js").UserService,
    ) => {
      const definition = { [service.name]: { fileDescriptorProtos: service.fileDescriptors.map((bytes) => Buffer.from(bytes)) } };
      new ReflectionService(definition as unknown as ConstructorParameters<typeof ReflectionService>[0], {
        services: [service.name],
      }).addToServer(server);
    };
    const out = captureOutput();
    const summary = await runBackendMode({
      launcher: createReferenceBackendLauncher({ description: "reference backend with @grpc/reflection", reflection: libraryReflection }),
      settings: defaultBackendSettings,
      tags: "@L1",
      timeoutMs: 5_000,
      startupTimeoutMs: 20_000,
      out,
      runs: 5,
    });
    const failed = summary.verdicts
      .filter((v) => v.kind === "failed")
      .map((v) => v.name)
      .sort();
    assert.deepEqual(
      failed,
      ["L1 server reflection lists the health service too", "L1 server reflection serves the user's file with its options intact"],
      out.text,
    );
    assert.match(out.text, /the file reflection serves \(tck\/model\.proto\) marks no field with entity_key/);
    assert.match(out.text, /expected: reflection to list grpc\.health\.v1\.Health/);
  });

  it("a backend that replays from the wrong sequence fails C6", async () => {
    await expectCaught(
      createReferenceBackendLauncher({
        description: "reference backend whose journal skips the first event",
        journal: skipFirstEventJournal,
      }),
      "@C6",
      "C6",
      // Either the backend notices the gap and fails the call, or it replays from 2: both are caught.
      /expected: (the call to succeed|replayed events 1 to 2 \(2\))/,
    );
  });

  it("a backend that replies before persisting breaks H7, shown as a seed and a shrunk counterexample", async () => {
    await expectCaught(
      createReferenceBackendLauncher({
        description: "reference backend on a write-behind journal",
        journal: (j) => writeBehindJournal(j, 1_000),
      }),
      "@H7 and not @restart",
      "H7",
      /seed: -?\d+, path: "[\d:]+"[\s\S]*Counterexample: \[[\s\S]*passivate\(e\d\)[\s\S]*rerun: .* --seed=-?\d+/,
      // Enough runs that a passivation between two commands on one entity is certain to come up.
      { runs: 40, seed: 42 },
    );
  });

  it("a backend that reuses command ids fails D1", async () => {
    await expectCaught(
      createRawFakeBackendLauncher("reuses-command-ids"),
      "@D1",
      "D1",
      /command ids per stream \[\[1,2,3\],\[1,2\]\]\n\s+actual:\s+\[\[1,1,1\],\[1,1\]\]: stream s\d+ reused command id 1 after 1/,
    );
  });

  it("a backend without a relay timeout fails G6 (the client's own deadline does not pass for it)", async () => {
    await expectCaught(
      createRawFakeBackendLauncher("has-no-relay-timeout"),
      "@G6",
      "G6",
      /the call ended after \d+ ms: the client's own deadline, not the backend's/,
    );
  });

  for (const offBy of [1, -1]) {
    it(`a backend whose queue holds ${offBy > 0 ? "one more" : "one less"} than its relay buffer fails I5`, async () => {
      await expectCaught(
        createReferenceBackendLauncher({ description: `reference backend with a queue off by ${offBy}`, queueCapacityOffBy: offBy }),
        "@I5",
        "I5",
        new RegExp(`expected: exactly 10 of 31 calls to fail RESOURCE_EXHAUSTED .*\\n\\s+actual:\\s+${10 - offBy} did`),
      );
    });
  }

  // Issue 9, item 3: the stream's Init carries another id than the key, so before the fix the
  // after-scenario check never looked at it and G1 passed.
  it("a backend whose Init id differs from the key is caught by B2 on every stream", async () => {
    await expectCaught(
      createRawFakeBackendLauncher("init-id-differs"),
      "@G1 and not @shopping-cart",
      "G1",
      /B2 every Command carries the stream's entity id: expected g1-[0-9a-f]{8}!, got g1-[0-9a-f]{8}/,
    );
  });

  // Issue 9, item 7 (J4): before, only the readiness probe's empty request happened to show this defect.
  it("a backend that accepts empty keys fails J4, for a single key and a composite key's string part", async () => {
    await expectCaught(
      createRawFakeBackendLauncher("accepts-empty-keys"),
      "@J4",
      "J4",
      /actual:\s+the backend accepted the empty key: the call succeeded, and the request reached the user function as a Command on stream s\d+ \(Init for ""\)/,
    );
  });

  // Issue 9, item 7 (J3): the kit's client writes default values explicitly, so only a request with them absent shows this.
  it("a backend that builds keys from the fields present in the bytes fails J3 (absent default ≠ explicit default)", async () => {
    await expectCaught(
      createRawFakeBackendLauncher("keys-from-present-fields"),
      "@J3",
      "J3",
      /actual:\s+the backend told them apart: key \("j3-absent"\) with the number, bool and enum key fields absent reached entity "j3\\\\-absent_[0-9a-f]{8}---"/,
    );
  });

  // Issue 9, item 7 (G3): state survives a restarted stream (the replay), so only the stream's identity shows it.
  it("a backend that restarts the stream after a Failure fails G3", async () => {
    await expectCaught(
      createRawFakeBackendLauncher("restarts-stream-after-failure"),
      "@G3",
      "G3",
      /actual:\s+the backend ended stream s\d+ \(completed by both sides\) after the Failure of command 2 and opened stream s\d+ with a new Init, replaying 1 event\(s\), for the next command/,
    );
  });

  // Issue 9, item 7 (D9): with the usual short passivation timeout, ordinary passivation closed this fake's stream in time.
  it("a backend that ignores an answer with nothing pending fails D9 (told apart from passivation)", async () => {
    await expectCaught(
      createRawFakeBackendLauncher("ignores-unexpected-answers"),
      "@D9 and @long-passivation",
      "D9",
      /actual:\s+the backend ignored the answer with nothing pending: stream s\d+ is still open, with 2 answers to 1 command\(s\) after 5000 ms/,
    );
  });

  // Issue 9, item 8: verdicts name the broken behaviour, not only its symptom ("0 handle streams", a wrong state string).
  it("a backend whose streams begin with a Command fails B1, saying the first message was not Init", async () => {
    await expectCaught(
      createRawFakeBackendLauncher("sends-no-init"),
      "@B1",
      "B1",
      /actual:\s+none; streams opened during this scenario: s\d+ \(the first message on the stream was a Command \(id 1\), not Init/,
    );
  });

  it("a backend that replays from 1 although it offers a snapshot fails F4, saying so", async () => {
    await expectCaught(
      createRawFakeBackendLauncher("replays-from-1-despite-snapshot"),
      "@F4 and not @shopping-cart",
      "F4",
      /actual:\s+reply state "abcdefgabcdefgh"; .*: replay started at 1 although a snapshot at 7 was offered/,
    );
  });

  // Issue 9, item 7 (I4): only a user function that holds a passivated stream open shows a backend that does not wait for it.
  it("a backend that opens an entity's next stream while the old one still lives fails I4, naming both streams", async () => {
    await expectCaught(
      createRawFakeBackendLauncher("opens-new-stream-while-old-lives"),
      "@I4",
      "I4",
      /actual:\s+two streams for one entity were live at the same time: s(\d+) opened with an Init for it while s(?!\1\b)\d+ \(Init for "i4-[0-9a-f]{8}" without a snapshot, no events replayed, 1 command\(s\), 1 answer\(s\), completed by the backend, still open, the user function held its side open \d+ ms after the backend completed it\) was live/,
    );
  });

  it("the same fake started as a command fails I4", async () => {
    const main = resolve(dirname(fileURLToPath(import.meta.url)), "raw-fake-backend.main.ts");
    const command =
      `${process.execPath} --import tsx ${main} --defect opens-new-stream-while-old-lives --port {port} --user-function {userFunction} ` +
      "--passivation-timeout {passivationTimeoutMs} --relay-timeout {relayTimeoutMs} --relay-buffer {relayBuffer}";
    const out = captureOutput();
    const err = captureOutput();
    const code = await runBackendCommand(
      ["--backend-command", command, "--tags", "@I4 and not @B1", "--timeout", "5000", "--startup-timeout", "10000"],
      out as unknown as NodeJS.WritableStream,
      err as unknown as NodeJS.WritableStream,
    );
    assert.equal(code, 1, `${out.text}\n${err.text}`);
    assert.match(
      out.text,
      /✘ I4 [\s\S]*actual:\s+two streams for one entity were live at the same time: s\d+ opened with an Init for it while s\d+ \(/,
    );
    assert.match(out.text, /\n0 passed, 1 failed, 0 not run\n$/);
  });

  it("a backend that never passivates fails H1", async () => {
    await expectCaught(createRawFakeBackendLauncher("never-passivates"), "@H1", "H1", /the backend to passivate entity h1-[0-9a-f]{8}/);
  });
});
