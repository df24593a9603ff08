import { After, Before, Status, setDefaultTimeout, setWorldConstructor } from "@cucumber/cucumber";
import { notRunMediaType } from "../../kit/run/verdict-collector.js";
import { BackendWorld } from "./backend-world.js";
import { notRunReason } from "./not-run-reason.js";
import { sequenceMediaType } from "../../kit/run/sequence-entry.js";

setWorldConstructor(BackendWorld);

// A second guard only: every wait is bounded by --timeout; properties take longest.
setDefaultTimeout(300_000);

Before(function (this: BackendWorld, { pickle }) {
  // Scenarios run one at a time: every stream opened from here on is this scenario's (issue 9, item 3).
  this.streamsAtStart = this.stage.userFunction.traffic.streams.length;
  const tags = pickle.tags.map((t) => t.name);
  const reason = notRunReason(tags, {
    canRestart: this.stage.canRestart,
    durable: this.stage.durable,
    storageFaults: this.stage.storageFaults !== undefined,
    lacks: this.parameters.lacks ?? [],
  });
  if (reason === undefined) return undefined;
  this.attach(`not run: ${reason}`, { mediaType: notRunMediaType });
  return "skipped";
});

After(async function (this: BackendWorld, { result }) {
  // Calls a failing scenario left behind still get awaited: nothing floats past the scenario.
  await Promise.allSettled(this.inFlight);
  const uf = this.stage.userFunction;
  try {
    if (result?.status === Status.PASSED) {
      // The M2 invariants, on every message the backend sent for this scenario's entities.
      // Every stream the user function saw during the scenario, whatever id its Init carried (B2), and
      // older streams of the entities it touched.
      const streams = new Set([
        ...uf.traffic.streams.filter((s) => s.entityId !== undefined && this.touched.has(s.entityId)).map((s) => s.streamId),
        ...uf.traffic.streams.slice(this.streamsAtStart).map((s) => s.streamId),
      ]);
      const unacknowledged = new Set(
        uf.traffic.streams.filter((s) => s.entityId !== undefined && this.unacknowledged.has(s.entityId)).map((s) => s.streamId),
      );
      const violations = uf.traffic.violations.filter(
        (v) => streams.has(v.streamId) && !(v.item === "C4" && unacknowledged.has(v.streamId)),
      );
      if (violations.length > 0) {
        this.attach(this.transcript(), { mediaType: "text/plain", fileName: "transcript.txt" });
        this.attach(JSON.stringify(this.transcriptSequence()), { mediaType: sequenceMediaType });
        this.fail(
          "no protocol violation by the backend",
          violations.map((v) => `${v.item} ${v.rule}: expected ${v.expected}, got ${v.actual} (stream ${v.streamId})`).join("; "),
        );
      }
    } else if (result && result.status !== Status.SKIPPED) {
      this.attach(this.transcript(), { mediaType: "text/plain", fileName: "transcript.txt" });
      this.attach(JSON.stringify(this.transcriptSequence()), { mediaType: sequenceMediaType });
    }
  } finally {
    const errors = await this.teardown.run();
    // A scenario that took the user function down must not leave it down for the next.
    if (!uf.isUp) await uf.comeUp();
    // Nor a backend that never came to serve: the next scenario starts its own.
    if (result?.status === Status.FAILED) await this.stage.discardIfNotServing();
    if (errors.length > 0) throw new AggregateError(errors, "tearing the scenario down failed");
  }
});
