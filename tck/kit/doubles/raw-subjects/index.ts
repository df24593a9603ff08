export { fileDescriptorOf } from "./file-descriptor-of.js";
export { type RawModelEntityOptions, startRawModelEntity } from "./raw-model-entity.js";
export { type RawShoppingCartOptions, startRawShoppingCart } from "./raw-shopping-cart.js";
export { rawSubjectOf, type RawSubjectOptions, type RawSubjectSource, startRawSubject } from "./raw-subject.js";
