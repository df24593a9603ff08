import { After, Status, setDefaultTimeout, setWorldConstructor } from "@cucumber/cucumber";
import { TckWorld } from "./tck-world.js";

setWorldConstructor(TckWorld);

// A second guard only: every wait on the wire is already bounded by --timeout.
setDefaultTimeout(120_000);

After(async function (this: TckWorld, { result }) {
  if (result && result.status !== Status.PASSED) {
    this.attach(this.transcriptText(), { mediaType: "text/plain", fileName: "transcript.txt" });
  }
  const errors = await this.teardown.run();
  if (errors.length > 0) throw new AggregateError(errors, "tearing the scenario down failed");
});
