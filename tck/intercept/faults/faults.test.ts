import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeStreamOut, encodeStreamIn, encodeStreamOut, type StreamIn, type StreamOut } from "../../../reference/protocol/index.js";
import { parseFaultSpec } from "./fault-spec.js";
import { createFaultInjector, describeFault, strayCommandId, type FaultInjector } from "./faults.js";

/** A stream through the injector with recording hooks: what reached each side, in order. */
function fakeStream(injector: FaultInjector, streamId: string) {
  const toUf: string[] = [];
  const toBackend: string[] = [];
  const resets: string[] = [];
  const faults = injector.stream({
    streamId,
    toUserFunction: (bytes) => toUf.push(`in ${bytes.length}`),
    toBackend: (bytes) => (toBackend.push(describeOut(bytes)), true),
    reset: (why) => resets.push(why),
    note: () => {},
    report: () => {},
  });
  const sendIn = (m: StreamIn) => faults.toUserFunction(Buffer.from(encodeStreamIn(m)), m);
  const sendOut = (m: StreamOut) => {
    if (!faults.absorbs(m)) faults.toBackend(Buffer.from(encodeStreamOut(m)), m);
  };
  return { faults, toUf, toBackend, resets, sendIn, sendOut };
}

function describeOut(bytes: Buffer): string {
  const m = decodeStreamOut(bytes);
  return m.case === "reply" ? `reply ${m.commandId}` : m.case === "failure" ? `failure ${m.commandId}` : "empty";
}

const payload = { typeUrl: "type.googleapis.com/t.C", value: Buffer.from("x") };
const command = (id: number, entityId = "e1"): StreamIn => ({ case: "command", entityId, id, name: "Do", payload });
const reply = (commandId: number): StreamOut => ({ case: "reply", commandId, payload: undefined, events: [payload], snapshot: undefined });

/** Traffic of one entity: Init, then n commands answered. */
function traffic(stream: ReturnType<typeof fakeStream>, entityId: string, n: number) {
  stream.sendIn({ case: "init", entityId, snapshot: undefined });
  for (let id = 1; id <= n; id++) {
    stream.sendIn(command(id, entityId));
    stream.sendOut(reply(id));
  }
}

describe("fault injection", () => {
  it("gives the same faults for the same seed and traffic, whatever order the entities interleave in", () => {
    const spec = "seed=5,rate=0.3,kinds=drop,duplicate,stray";
    const run = (order: string[]) => {
      const injector = createFaultInjector(parseFaultSpec(spec));
      for (const entity of order) traffic(fakeStream(injector, `s-${entity}`), entity, 20);
      return injector.applied().map(describeFault).sort();
    };
    const first = run(["a", "b", "c"]);
    assert.ok(first.length > 5, `faults injected: ${first.length}`);
    assert.deepEqual(run(["c", "a", "b"]), first);
    assert.notDeepEqual(
      run(["a", "b", "c"].map((e) => `${e}x`)).map((f) => f.replace(/x /g, " ")),
      first,
      "another entity gets other faults",
    );
    const other = createFaultInjector(parseFaultSpec("seed=6,rate=0.3,kinds=drop,duplicate,stray"));
    for (const entity of ["a", "b", "c"]) traffic(fakeStream(other, `s-${entity}`), entity, 20);
    assert.notDeepEqual(other.applied().map(describeFault).sort(), first, "another seed gives other faults");
  });

  it("drops, duplicates (absorbing the second answer) and strays at named points", () => {
    const injector = createFaultInjector(
      parseFaultSpec("drop:uf-to-backend:reply:2,duplicate:backend-to-uf:command:3,stray:uf-to-backend:reply:4"),
    );
    const s = fakeStream(injector, "s1");
    s.sendIn({ case: "init", entityId: "e1", snapshot: undefined });
    for (let id = 1; id <= 4; id++) {
      s.sendIn(command(id));
      s.sendOut(reply(id));
      if (id === 3) {
        assert.equal(s.toUf.length, 5, "the copy of command 3 goes once the original is answered");
        assert.deepEqual(s.toBackend, ["reply 1"], "the original's answer waits for the user function's reaction to the copy");
        s.sendOut(reply(3)); // the user function answers the copy too: absorbed, and the original's answer goes on
        assert.deepEqual(s.toBackend, ["reply 1", "reply 3"]);
      }
    }
    assert.equal(s.toUf.length, 6, "Init, four commands, one of them twice");
    assert.deepEqual(s.toBackend, ["reply 1", "reply 3", "reply 4", `reply ${strayCommandId}`]);
    assert.deepEqual(
      injector.applied().map((f) => f.kind),
      ["drop", "duplicate", "stray"],
    );
  });

  it("delays a message and keeps the order of what follows it", async () => {
    const injector = createFaultInjector(parseFaultSpec("delay:uf-to-backend:reply:1:30"));
    const s = fakeStream(injector, "s1");
    let statusForwarded = false;
    s.sendIn({ case: "init", entityId: "e1", snapshot: undefined });
    s.sendIn(command(1));
    s.sendOut(reply(1));
    s.sendOut(reply(2));
    s.faults.statusToBackend(() => (statusForwarded = true));
    assert.deepEqual(s.toBackend, [], "nothing overtakes the delayed reply");
    assert.equal(statusForwarded, false);
    await new Promise<void>((resolve) => {
      const poll = () => (statusForwarded ? resolve() : setTimeout(poll, 5));
      poll();
    });
    assert.deepEqual(s.toBackend, ["reply 1", "reply 2"]);
  });

  it("resets one stream, or every open stream at once, and forwards nothing after", () => {
    let connectionsClosed = 0;
    const injector = createFaultInjector(parseFaultSpec("reset:backend-to-uf:command:2,reset-connection:backend-to-uf:command:4"), {
      connectionReset: () => connectionsClosed++,
    });
    const a = fakeStream(injector, "a");
    const b = fakeStream(injector, "b");
    const c = fakeStream(injector, "c");
    a.sendIn({ case: "init", entityId: "ea", snapshot: undefined });
    a.sendIn(command(1, "ea"));
    a.sendIn(command(2, "ea"));
    assert.equal(a.resets.length, 1);
    assert.equal(a.faults.wasReset, true);
    a.sendOut(reply(1));
    assert.deepEqual(a.toBackend, [], "nothing crosses a reset stream");
    b.sendIn({ case: "init", entityId: "eb", snapshot: undefined });
    c.sendIn({ case: "init", entityId: "ec", snapshot: undefined });
    c.faults.ended(true);
    b.sendIn(command(1, "eb")); // the 3rd command
    b.sendIn(command(2, "eb")); // the 4th: the connection resets
    assert.equal(b.resets.length, 1);
    assert.equal(c.resets.length, 0, "a stream that had ended is left alone");
    assert.equal(connectionsClosed, 1, "the connection to the user function is closed once, after the streams");
  });

  it("holds a half-close: it is never forwarded", () => {
    const injector = createFaultInjector(parseFaultSpec("hold:backend-to-uf:half-close:1"));
    const s = fakeStream(injector, "s1");
    s.sendIn({ case: "init", entityId: "e1", snapshot: undefined });
    let forwarded = 0;
    s.faults.halfClose(() => forwarded++);
    assert.equal(forwarded, 0);
    const t = fakeStream(injector, "s2");
    t.sendIn({ case: "init", entityId: "e1", snapshot: undefined });
    t.faults.halfClose(() => forwarded++);
    assert.equal(forwarded, 1, "only the first half-close is held");
  });
});
