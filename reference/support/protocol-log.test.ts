import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createProtocolLog, debugEnabled } from "./index.js";
import { command, failure, init } from "./testdata/transcript.js";

describe("debugEnabled", () => {
  it("matches the namespace by name, wildcard and list, honouring exclusions", () => {
    assert.equal(debugEnabled(undefined), false);
    assert.equal(debugEnabled(""), false);
    assert.equal(debugEnabled("stateserv-event-sourcing"), true);
    assert.equal(debugEnabled("*"), true);
    assert.equal(debugEnabled("stateserv-*"), true);
    assert.equal(debugEnabled("express,stateserv-event-sourcing"), true);
    assert.equal(debugEnabled("express other"), false);
    assert.equal(debugEnabled("*,-stateserv-event-sourcing"), false);
    assert.equal(debugEnabled("stateserv.event.sourcing"), false, "dots are literal");
  });
});

describe("createProtocolLog", () => {
  it("writes one line per message when enabled, nothing when disabled", () => {
    const lines: string[] = [];
    const log = createProtocolLog(true, (l) => lines.push(l));
    log.inbound(7, init("cart-1"));
    log.inbound(7, command(1, [], "Process", "cart-1"));
    log.outbound(7, failure(1, "nope"));
    assert.equal(lines.length, 3);
    assert.equal(lines[0], "stateserv-event-sourcing stream 7 <- Init entity=cart-1 no snapshot");
    assert.match(
      lines[1] ?? "",
      /^stateserv-event-sourcing stream 7 <- Command 1 Process entity=cart-1 type\.googleapis\.com\/.*Request \(\d+ bytes\)$/,
    );
    assert.equal(lines[2], 'stateserv-event-sourcing stream 7 -> Failure 1 "nope"');
    const silent: string[] = [];
    const off = createProtocolLog(false, (l) => silent.push(l));
    off.inbound(1, init());
    assert.deepEqual(silent, []);
  });
});
