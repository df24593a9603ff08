export { describeActions, type ModelPrediction, predictModelEntity, snapshotDue } from "./model-entity-model.js";
export { type CompositeKey, type ModelAction, type ModelResponse, ModelEntitySubject } from "./model-entity-subject.js";
export {
  applyCartEvent,
  type CartCommand,
  type CartPrediction,
  describeCartCommand,
  describeCartEvent,
  describeItems,
  predictCart,
  sameCartEvent,
  sameItems,
} from "./shopping-cart-model.js";
export { type CartEvent, type LineItem, ShoppingCartSubject } from "./shopping-cart-subject.js";
export { type CartRuleName, type CartRules, cartRuleSets, cartRulesOf } from "./rule-sets.js";
