import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FaultSpecError, formatFaultSpec, parseFaultSpec } from "./fault-spec.js";

describe("--faults SPEC", () => {
  it("parses seeded random faults; the kinds list runs to the next key", () => {
    const plan = parseFaultSpec("seed=42,rate=0.05,kinds=delay,drop,reset,max-delay=20");
    assert.deepEqual(plan, { seed: 42, rate: 0.05, kinds: ["delay", "drop", "reset"], maxDelayMs: 20, points: [] });
  });

  it("parses named points, a delay with its length", () => {
    const plan = parseFaultSpec("drop:uf-to-backend:reply:3,delay:backend-to-uf:command:2:200,hold:backend-to-uf:half-close:1", () => 7);
    assert.equal(plan.seed, 7, "a seed is chosen when none is given");
    assert.equal(plan.rate, 0);
    assert.deepEqual(plan.points, [
      { kind: "drop", direction: "uf-to-backend", message: "reply", ordinal: 3 },
      { kind: "delay", direction: "backend-to-uf", message: "command", ordinal: 2, delayMs: 200 },
      { kind: "hold", direction: "backend-to-uf", message: "half-close", ordinal: 1 },
    ]);
  });

  it("formats a plan as a spec that parses back to it (the rerun line)", () => {
    for (const spec of [
      "seed=42,rate=0.05,kinds=delay,drop,reset",
      "seed=3,stray:uf-to-backend:any:2,delay:backend-to-uf:event:1:9",
      "seed=1,rate=1,kinds=hold,reset-connection,duplicate:backend-to-uf:command:4",
    ]) {
      const plan = parseFaultSpec(spec);
      assert.deepEqual(parseFaultSpec(formatFaultSpec(plan)), plan, formatFaultSpec(plan));
    }
    assert.equal(formatFaultSpec(parseFaultSpec("rate=0.1", () => 99)), "seed=99,rate=0.1,kinds=delay,drop,duplicate,reset,max-delay=50");
  });

  it("refuses a bad spec with a message naming what is wrong", () => {
    const bad: [string, RegExp][] = [
      ["", /empty term/],
      ["seed=1,,rate=0.1", /empty term/],
      ["rate=2", /rate must be a number from 0 to 1, got "2"/],
      ["seed=x,rate=0.1", /seed must be a whole number, got "x"/],
      ["rate=0.1,kinds=delay,explode", /unknown fault kind "explode"/],
      ["delay", /neither KEY=VALUE nor a point/],
      ["colour=red", /unknown key "colour"/],
      ["kinds=drop", /kinds= without rate=/],
      ["seed=4", /seed= without rate=/],
      ["drop:sideways:reply:1", /unknown direction "sideways"/],
      ["drop:uf-to-backend:command:1", /"command" does not cross uf-to-backend/],
      ["drop:backend-to-uf:half-close:1", /drop does not apply to a half-close/],
      ["hold:backend-to-uf:command:1", /hold does not apply to a command/],
      ["stray:backend-to-uf:command:1", /stray does not apply to a command/],
      ["stray:backend-to-uf:any:1", /stray applies to uf-to-backend messages only/],
      ["drop:uf-to-backend:reply:0", /N must be a whole number from 1/],
      ["drop:uf-to-backend:reply:1:50", /only a delay takes :MS/],
      ["drop:uf-to-backend", /a point is KIND:DIR:MSG:N\[:MS\]/],
    ];
    for (const [spec, message] of bad)
      assert.throws(
        () => parseFaultSpec(spec),
        (e: unknown) => e instanceof FaultSpecError && message.test(e.message),
        spec,
      );
  });
});
