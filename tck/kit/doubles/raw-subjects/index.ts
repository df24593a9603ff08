export { fileDescriptorOf } from "./file-descriptor-of.js";
export { type RawModelEntityOptions, startRawModelEntity } from "./raw-model-entity.js";
export { type RawShoppingCartOptions, startRawShoppingCart } from "./raw-shopping-cart.js";
export { inputTypesOf, type RawSubjectOptions, startRawSubject } from "./raw-subject.js";
