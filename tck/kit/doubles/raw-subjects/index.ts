export { fileDescriptorOf } from "./file-descriptor-of.js";
export { type RawModelEntityOptions, startRawModelEntity } from "./raw-model-entity.js";
export { type RawShoppingCartOptions, startRawShoppingCart } from "./raw-shopping-cart.js";
export {
  type RawSubject,
  type RawUserFunctionOptions,
  type RunningUserFunction,
  startRawUserFunction,
  type UserFunctionFaults,
} from "./raw-user-function.js";
