import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { listenOptionsFrom } from "./index.js";

describe("listenOptionsFrom", () => {
  it("prefers flags, then HOST/PORT, else leaves the default to the caller", () => {
    assert.deepEqual(listenOptionsFrom({}, {}), {});
    assert.deepEqual(listenOptionsFrom({}, { HOST: "10.0.0.1", PORT: "9090" }), { host: "10.0.0.1", port: 9090 });
    assert.deepEqual(listenOptionsFrom({ host: "::1", port: "0" }, { HOST: "10.0.0.1", PORT: "9090" }), { host: "::1", port: 0 });
    assert.deepEqual(listenOptionsFrom({ port: "" }, { PORT: " 81 " }), { port: 81 });
  });

  it("refuses a port that is not a whole number in range", () => {
    for (const bad of ["-1", "65536", "80a", "8.5", "0x50"]) {
      assert.throws(() => listenOptionsFrom({ port: bad }, {}), /invalid port/);
    }
  });
});

describe("listenOptionsFrom: TLS and the receive limit", () => {
  it("reads TLS_CERT, TLS_KEY and TLS_CLIENT_CA files and MAX_RECEIVE_MESSAGE_SIZE", () => {
    const dir = mkdtempSync(join(tmpdir(), "listen-options-"));
    try {
      for (const name of ["c.pem", "k.pem", "ca.pem"]) writeFileSync(join(dir, name), `${name} text`);
      const options = listenOptionsFrom(
        {},
        {
          TLS_CERT: join(dir, "c.pem"),
          TLS_KEY: join(dir, "k.pem"),
          TLS_CLIENT_CA: join(dir, "ca.pem"),
          MAX_RECEIVE_MESSAGE_SIZE: "32MiB",
        },
      );
      assert.equal(options.tls?.cert.toString(), "c.pem text");
      assert.equal(options.tls?.key.toString(), "k.pem text");
      assert.equal(options.tls?.clientCa?.toString(), "ca.pem text");
      assert.equal(options.maxReceiveMessageBytes, 32 * 1024 * 1024);
      assert.throws(() => listenOptionsFrom({}, { TLS_CERT: join(dir, "c.pem") }), /TLS_CERT and TLS_KEY come together/);
      assert.throws(
        () => listenOptionsFrom({}, { TLS_CLIENT_CA: join(dir, "ca.pem") }),
        /TLS_CLIENT_CA is set but TLS_CERT and TLS_KEY are not/,
      );
      assert.throws(
        () => listenOptionsFrom({}, { TLS_CERT: join(dir, "missing.pem"), TLS_KEY: join(dir, "k.pem") }),
        /TLS_CERT: cannot read ".*missing\.pem" \(ENOENT\)/,
      );
      for (const bad of ["16 MB", "12", "-1KiB"]) {
        assert.throws(() => listenOptionsFrom({}, { MAX_RECEIVE_MESSAGE_SIZE: bad }), /invalid MAX_RECEIVE_MESSAGE_SIZE/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
