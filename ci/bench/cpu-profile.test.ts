import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { categoryNames, categoryOf, type CpuProfile, formatProfileSummary, summarizeCpuProfile } from "./cpu-profile.js";

const root = "/repo/";

describe("CPU profile summary (bench --profile)", () => {
  it("puts each frame in its category", () => {
    assert.equal(categoryOf("(idle)", "", root), "idle");
    assert.equal(categoryOf("(garbage collector)", "", root), "gc");
    assert.equal(categoryOf("respond", "node:internal/http2/core", root), "transport");
    assert.equal(categoryOf("write", "file:///repo/node_modules/@grpc/grpc-js/build/src/stream-decoder.js", root), "transport");
    assert.equal(categoryOf("read", "file:///repo/node_modules/protobufjs/src/reader.js", root), "protobuf");
    assert.equal(categoryOf("Reply$decode", "", root), "protobuf");
    assert.equal(categoryOf("command", "file:///repo/dist/reference/backend/entity/entity-shell.js", root), "project");
    assert.equal(categoryOf("command", "file:///repo/reference/backend/entity/entity-shell.ts", root), "project");
    assert.equal(categoryOf("emit", "node:events", root), "node");
    assert.equal(categoryOf("x", "file:///elsewhere/lib.js", root), "other");
    assert.equal(categoryOf("x", "file:///repo/node_modules/pino/lib.js", root), "other");
  });

  it("sums self time per category and per function, as shares of busy time (idle left out)", () => {
    const profile: CpuProfile = {
      nodes: [
        { id: 1, callFrame: { functionName: "(idle)", url: "", lineNumber: -1 } },
        { id: 2, callFrame: { functionName: "respond", url: "node:internal/http2/core", lineNumber: 9 } },
        { id: 3, callFrame: { functionName: "command", url: "file:///repo/dist/a.js", lineNumber: 4 } },
        { id: 4, callFrame: { functionName: "(garbage collector)", url: "", lineNumber: -1 } },
      ],
      samples: [1, 2, 3, 3, 4, 1, 2],
      timeDeltas: [1000, 3000, 2000, 2000, 1000, 5000, 2000],
    };
    const summary = summarizeCpuProfile(profile, root);
    assert.equal(summary.idleMs, 6);
    assert.equal(summary.busyMs, 10);
    assert.deepEqual(
      summary.categories.map((c) => [c.name, c.ms, c.share]),
      [
        [categoryNames.transport, 5, 0.5],
        [categoryNames.project, 4, 0.4],
        [categoryNames.gc, 1, 0.1],
      ],
    );
    assert.deepEqual(summary.functions[0], { name: "respond node:internal/http2/core:10", ms: 5, share: 0.5 });
    assert.equal(summary.functions[1]!.name, "command dist/a.js:5");
    const text = formatProfileSummary("backend", "p.cpuprofile", summary);
    assert.match(text, /^profile backend: p\.cpuprofile; busy 10 ms, idle 6 ms\n {3}50\.0% {2}gRPC and HTTP\/2/);
  });
});
