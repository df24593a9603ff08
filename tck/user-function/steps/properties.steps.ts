import { Then } from "@cucumber/cucumber";
import {
  checkModelPredictsEveryAnswer,
  checkReplayEquivalence,
  checkTranscriptInvariants,
  type SequenceSettings,
} from "../properties/command-sequence-properties.js";
import { modelEntityPropertySubject } from "../properties/model-entity-property-subject.js";
import type { PropertySubject } from "../properties/property-subject.js";
import { shoppingCartPropertySubject } from "../properties/shopping-cart-property-subject.js";
import { cartRuleSets } from "../../kit/subjects/rule-sets.js";
import type { TckWorld } from "../world/tck-world.js";

// Properties bound their own time (fast-check time limit, per-wait timeouts); this is the outer guard.
const propertyTimeout = { timeout: 900_000 };

function settings(world: TckWorld, itemTag: string): SequenceSettings {
  const p = world.parameters;
  // The rerun selects exactly this scenario: its item, and the rule sets it judges or leaves out.
  const ruleTags =
    p.subject === "shopping-cart"
      ? Object.values(cartRuleSets).map(({ tag }) => (world.scenarioTags.includes(tag) ? ` and ${tag}` : ` and not ${tag}`))
      : [];
  const tag = itemTag + ruleTags.join("");
  return {
    target: p.target,
    timeoutMs: p.timeoutMs,
    runs: p.runs,
    snapshotEvery: p.snapshotEvery,
    rerunCommand: p.rerunCommand,
    tag,
    ...(p.seed === undefined ? {} : { seed: p.seed }),
  };
}

function subjectOf(world: TckWorld): PropertySubject<any, any> {
  return world.parameters.subject === "model"
    ? modelEntityPropertySubject(world.model.subject)
    : shoppingCartPropertySubject(world.cart.subject, world.cartRules);
}

Then("for random command sequences every answer is the one the model predicts", propertyTimeout, async function (this: TckWorld) {
  await checkModelPredictsEveryAnswer(subjectOf(this), settings(this, "@M1"));
});

Then(
  "for random command sequences the live state equals a full replay and any snapshot plus the tail",
  propertyTimeout,
  async function (this: TckWorld) {
    await checkReplayEquivalence(subjectOf(this), settings(this, "@M3"));
  },
);

Then("for random command sequences the transcript keeps the protocol invariants", propertyTimeout, async function (this: TckWorld) {
  await checkTranscriptInvariants(subjectOf(this), settings(this, "@M2"));
});
