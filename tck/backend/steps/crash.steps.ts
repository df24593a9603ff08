import { Then, When } from "@cucumber/cucumber";
import { noteMediaType } from "../../kit/run/verdict-collector.js";
import type { BackendWorld } from "../world/backend-world.js";
import type { CrashTrial } from "../world/step-memory.js";

const entitiesPerTrial = 4;
const callsPerEntity = 6;

// H8 (and E2, seen from outside): Jepsen style, many trials of "acknowledge, then die at once".
When(
  "the backend is killed with kill -9 right after its replies arrive and restarted, {int} times",
  async function (this: BackendWorld, trials: number) {
    if (!Number.isInteger(trials) || trials < 1) throw new Error(`H8 needs at least 1 trial, got ${trials}`);
    const results: CrashTrial[] = [];
    for (let trial = 1; trial <= trials; trial++) {
      const names = Array.from({ length: entitiesPerTrial }, (_, e) => `h8-${this.scenarioTag}-t${trial}-e${e + 1}`);
      // Every entity gets its calls one after another (so its acknowledged events are a known string); entities run side by side.
      const acknowledged = await Promise.all(
        names.map(async (name) => {
          let state = "";
          for (let call = 0; call < callsPerEntity; call++) {
            const letter = String.fromCharCode(97 + call);
            const record = await this.process(name, [{ emit: letter }]);
            if (!record.outcome.ok) {
              this.fail(
                `call ${call + 1} of ${callsPerEntity} to ${record.entityId} to succeed before the kill (trial ${trial})`,
                `${record.outcome.codeName}: ${record.outcome.details}`,
              );
            }
            state += letter;
          }
          return { name, state };
        }),
      );
      // The last reply is in: kill the backend before it can flush anything it only promised.
      await this.stage.crashAndRestart();
      const losses: Array<CrashTrial["losses"][number]> = [];
      for (const { name, state } of acknowledged) {
        const record = await this.process(name, []);
        const recovered = this.decodeState(record);
        if (recovered === state) continue;
        const kept = recovered.length <= state.length && state.startsWith(recovered) ? recovered.length : 0;
        losses.push({ entityId: record.entityId, acknowledged: state, recovered, lost: state.length - kept });
      }
      results.push({ trial, acknowledged: acknowledged.length * callsPerEntity, losses });
    }
    this.remembered.crashTrials = results;
  },
);

Then("every event acknowledged before a kill -9 was there after the restart", function (this: BackendWorld) {
  const results = this.recall("crashTrials");
  const acknowledged = results.reduce((sum, t) => sum + t.acknowledged, 0);
  const lost = results.reduce((sum, t) => sum + t.losses.reduce((s, l) => s + l.lost, 0), 0);
  const summary = `H8: ${results.length} trials, ${acknowledged} acknowledged events, ${lost} lost`;
  this.attach(summary, { mediaType: noteMediaType });
  const faulty = results.filter((t) => t.losses.length > 0);
  if (faulty.length === 0) return;
  const detail = faulty
    .map(
      (t) =>
        `trial ${t.trial}: ${t.losses.map((l) => `${l.entityId} acknowledged ${JSON.stringify(l.acknowledged)}, recovered ${JSON.stringify(l.recovered)}`).join("; ")}`,
    )
    .join("\n");
  this.fail(
    "every event whose reply reached the client to survive a kill -9 of the backend right after (H8: a reply only once its events are durable)",
    `${summary} in ${faulty.length} of ${results.length} trials: the backend acknowledged events it had not made durable\n${detail}`,
  );
});
