export { checkProperty, PropertyFailure, type PropertySettings, type RunContext } from "./check-property.js";
export {
  checkModelPredictsEveryAnswer,
  checkReplayEquivalence,
  checkTranscriptInvariants,
  type SequenceSettings,
} from "./command-sequence-properties.js";
export { JournaledEntity } from "./journaled-entity.js";
export { type ModelCommand, modelEntityPropertySubject } from "./model-entity-property-subject.js";
export type { Mismatch, PredictedAnswer, PropertySubject, ReplyMessage } from "./property-subject.js";
export { shoppingCartPropertySubject } from "./shopping-cart-property-subject.js";
export { describeViolations, transcriptViolations } from "./transcript-invariants.js";
