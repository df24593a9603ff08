import assert from "node:assert/strict";
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
