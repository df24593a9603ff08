import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connectivityState } from "@grpc/grpc-js";
import { watchUserFunctionHealth, type WatchedChannel } from "./user-function-health.js";

/** A channel that stays in one state and never changes (the streams decide here). */
function steadyChannel(state: connectivityState): WatchedChannel {
  return { getConnectivityState: () => state, watchConnectivityState: () => {} } as unknown as WatchedChannel;
}

describe("user-function health from stream outcomes", () => {
  it("reports down once streams have failed to open for the setting, and up at the first answered stream", async () => {
    const changes: boolean[] = [];
    let changed: (() => void) | undefined;
    // Bounded by a (ref'd) timer of its own: the health timer is unref'd, as it should be in a server.
    const nextChange = () =>
      new Promise<void>((resolve, reject) => {
        const bound = setTimeout(() => reject(new Error(`no health change within 5 s; changes so far: ${JSON.stringify(changes)}`)), 5_000);
        changed = () => (clearTimeout(bound), resolve());
      });
    const health = watchUserFunctionHealth({
      channel: steadyChannel(connectivityState.READY),
      unhealthyAfterMs: 50,
      onChange: (available) => {
        changes.push(available);
        changed?.();
      },
    });
    try {
      const down = nextChange();
      health.streamOpenOutcome(false);
      health.streamOpenOutcome(false); // still the same outage: one report
      await down;
      assert.deepEqual(changes, [false]);
      const up = nextChange();
      health.streamOpenOutcome(true);
      await up;
      assert.deepEqual(changes, [false, true]);
    } finally {
      health.stop();
    }
  });

  it("reports nothing for a failure followed by a success within the setting", () => {
    const changes: boolean[] = [];
    const health = watchUserFunctionHealth({
      channel: steadyChannel(connectivityState.IDLE),
      unhealthyAfterMs: 60_000,
      onChange: (available) => changes.push(available),
    });
    health.streamOpenOutcome(false);
    health.streamOpenOutcome(true);
    health.stop();
    assert.deepEqual(changes, []);
  });
});
