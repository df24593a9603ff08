import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { status } from "@grpc/grpc-js";
import { StreamEndTracker, type SettledEnd } from "./stream-end.js";

type Event = "end" | "after-io" | "cancelled" | "close" | { upstream: number; details?: string };

/** Feeds grpc-js's events in one order; returns what the interceptor was told to do, and how the stream ended. */
function play(events: Event[]): { actions: string[]; settled: SettledEnd | undefined } {
  const tracker = new StreamEndTracker();
  const actions: string[] = [];
  let settled: SettledEnd | undefined;
  const settle = () => {
    const end = tracker.settle();
    if (!end) return;
    assert.equal(settled, undefined, "settled once");
    if (end.halfCloseFirst) actions.push("half-close");
    settled = end;
  };
  for (const event of events) {
    if (event === "end") tracker.backendEnded();
    else if (event === "after-io") {
      if (tracker.interpretEnd()) actions.push("half-close");
    } else if (event === "cancelled") {
      if (tracker.serverCancelled()) actions.push("cancel upstream");
      settle();
    } else if (event === "close") {
      tracker.serverClosed();
      settle();
    } else {
      if (tracker.upstreamEnded({ code: event.upstream, details: event.details ?? "" })) actions.push("forward status");
      settle();
    }
  }
  return { actions, settled };
}

const cancelledUpstream = { upstream: status.CANCELLED, details: "Cancelled on client" };

describe("how an intercepted stream ended", () => {
  it("a backend's cancel is a cancel whether grpc-js reports end before cancelled or after it", () => {
    for (const events of [
      ["end", "cancelled", "after-io", cancelledUpstream],
      ["cancelled", "end", "after-io", cancelledUpstream],
      ["end", "cancelled", cancelledUpstream, "after-io"],
      ["cancelled", cancelledUpstream, "end", "after-io"],
      ["cancelled", cancelledUpstream],
    ] as Event[][]) {
      const { actions, settled } = play(events);
      assert.deepEqual(actions, ["cancel upstream"], JSON.stringify(events));
      assert.deepEqual(
        settled,
        { halfCloseFirst: false, outcome: "cancelled-by-backend", status: "CANCELLED", persistence: "cancelled" },
        JSON.stringify(events),
      );
    }
  });

  it("a half-close then the user function's OK is completed; its own close or cancelled after the status changes nothing", () => {
    for (const events of [
      ["end", "after-io", { upstream: status.OK, details: "OK" }, "close", "cancelled"],
      ["end", "after-io", { upstream: status.OK }, "cancelled", "close"],
      // The status arrives in the same poll phase as the end, before the deferred interpretation.
      ["end", { upstream: status.OK }, "cancelled", "after-io"],
    ] as Event[][]) {
      const { actions, settled } = play(events);
      assert.deepEqual([...actions].sort(), ["forward status", "half-close"], JSON.stringify(events));
      assert.equal(settled?.outcome, "completed", JSON.stringify(events));
      assert.equal(settled.status, "OK");
      assert.equal(settled.persistence, "completed");
    }
  });

  it("the user function ending the stream on its own: completed-by-user-function, or user-function-failed with its status", () => {
    assert.deepEqual(play([{ upstream: status.OK }, "close", "cancelled"]), {
      actions: ["forward status"],
      settled: { halfCloseFirst: false, outcome: "completed-by-user-function", status: "OK", persistence: "completed" },
    });
    assert.deepEqual(play([{ upstream: status.FAILED_PRECONDITION, details: "bad stream" }, "cancelled", "close"]), {
      actions: ["forward status"],
      settled: {
        halfCloseFirst: false,
        outcome: "user-function-failed",
        status: "FAILED_PRECONDITION: bad stream",
        persistence: "completed",
      },
    });
  });

  it("a stream cut as the interceptor closes is not the backend's cancel", () => {
    const tracker = new StreamEndTracker();
    assert.equal(tracker.serverCancelled(true), true);
    tracker.upstreamEnded({ code: status.CANCELLED, details: "Cancelled on client" });
    assert.deepEqual(tracker.settle(), {
      halfCloseFirst: false,
      outcome: "cut-by-interceptor-shutdown",
      status: "CANCELLED",
      persistence: "cancelled",
    });
  });

  it("nothing is settled before both sides are done", () => {
    assert.equal(play(["end", "after-io"]).settled, undefined);
    assert.equal(play(["end", "cancelled"]).settled, undefined);
    assert.equal(play([{ upstream: status.OK }]).settled, undefined);
  });
});
