import { Then, When } from "@cucumber/cucumber";
import { parseModelActions } from "../../world/parse-model-actions.js";
import type { BackendWorld } from "../world/backend-world.js";

const kinds = { KIND_UNSPECIFIED: 0, KIND_ONE: 1, KIND_TWO: 2 } as const;
const escapePart = (part: string) => part.replace(/\\/g, "\\\\").replace(/-/g, "\\-");

When(
  /^the client processes (.+) through ProcessComposite with key "([^"]*)", (-?\d+), (true|false), (KIND_UNSPECIFIED|KIND_ONE|KIND_TWO)$/,
  async function (this: BackendWorld, actionsText: string, partA: string, partB: string, partC: string, partD: keyof typeof kinds) {
    const actions = parseModelActions(actionsText);
    const key = { partA: `${partA}~${this.parameters.runId}`, partB: Number(partB), partC: partC === "true", partD: kinds[partD] };
    const before = this.uf.traffic.streams.length;
    await this.processComposite(key, actions);
    // The entity id is the backend's join: learn it from the traffic, for the transcript and the invariant checks.
    for (const stream of this.uf.traffic.streams.slice(before)) if (stream.entityId?.startsWith(escapePart(key.partA))) this.touched.add(stream.entityId);
    this.memory.set("composite part a", key.partA);
  },
);

Then("the entity id starts with {string} escaped and then {string}", function (this: BackendWorld, _partA: string, rest: string) {
  const partA = this.memory.get("composite part a") as string;
  const expected = escapePart(partA) + rest;
  const ids = this.uf.traffic.streams.flatMap((s) => (s.entityId?.includes(this.parameters.runId) ? [s.entityId] : []));
  const recent = ids.at(-1);
  if (!ids.some((id) => id.startsWith(expected))) this.fail(`an entity id starting ${JSON.stringify(expected)}`, recent === undefined ? "no stream" : JSON.stringify(recent));
});
