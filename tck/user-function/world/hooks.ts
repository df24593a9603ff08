import { setTimeout as delay } from "node:timers/promises";
import { After, Before, Status, setDefaultTimeout, setWorldConstructor } from "@cucumber/cucumber";
import { sequenceMediaType } from "../../kit/run/sequence-entry.js";
import { TckWorld } from "./tck-world.js";

setWorldConstructor(TckWorld);

// A second guard only: every wait on the wire is already bounded by --timeout.
setDefaultTimeout(120_000);

Before(function (this: TckWorld, { pickle }) {
  this.scenarioTags = pickle.tags.map((tag) => tag.name);
});

After(async function (this: TckWorld, { result }) {
  // A short settle lets a stray extra answer arrive before the check (a guard; D3 checks it properly).
  if (result?.status === Status.PASSED && this.openedStreams) await delay(Math.min(100, this.timeoutMs));
  const unverified = result?.status === Status.PASSED ? this.unverifiedMessages() : [];
  if (unverified.length > 0) {
    // Checked before teardown, so the verdict still has the transcript.
    this.attach(this.transcriptText(), { mediaType: "text/plain", fileName: "transcript.txt" });
    this.attach(JSON.stringify(this.transcriptSequence()), { mediaType: sequenceMediaType });
    await this.teardown.run();
    this.fail("no message from the user function beyond one answer per command", `unasked-for ${unverified.join("; ")}`);
  }
  if (result && result.status !== Status.PASSED) {
    this.attach(this.transcriptText(), { mediaType: "text/plain", fileName: "transcript.txt" });
    this.attach(JSON.stringify(this.transcriptSequence()), { mediaType: sequenceMediaType });
  }
  const errors = await this.teardown.run();
  if (errors.length > 0) throw new AggregateError(errors, "tearing the scenario down failed");
});
