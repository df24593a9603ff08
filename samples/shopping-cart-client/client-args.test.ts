import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseClientArgs, targetOf } from "./client-args.js";

describe("client arguments", () => {
  it("defaults to the backend's default address", () => {
    assert.deepEqual(parseClientArgs([]), { kind: "args", args: { host: "127.0.0.1", port: 9000 } });
  });

  it("reads --host and --port in both forms", () => {
    assert.deepEqual(parseClientArgs(["--host", "cart.local", "--port=9100"]), { kind: "args", args: { host: "cart.local", port: 9100 } });
  });

  it("answers --help and refuses bad input with a readable message", () => {
    assert.equal(parseClientArgs(["-h"]).kind, "help");
    assert.throws(() => parseClientArgs(["--port", "x"]), /--port: "x" is not a port number/);
    assert.throws(() => parseClientArgs(["--port", "0"]), /not a port number/);
    assert.throws(() => parseClientArgs(["--host"]), /--host needs a value/);
    assert.throws(() => parseClientArgs(["--user", "u"]), /unknown argument "--user"/);
  });

  it("brackets IPv6 hosts in the target", () => {
    assert.equal(targetOf({ host: "::1", port: 9000 }), "[::1]:9000");
    assert.equal(targetOf({ host: "localhost", port: 9000 }), "localhost:9000");
  });
});
