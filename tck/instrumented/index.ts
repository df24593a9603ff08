export { fileDescriptorOf } from "./file-descriptor-of.js";
export { type ModelEntityFaults, type RawModelEntityOptions, type RunningUserFunction, startRawModelEntity } from "./raw-model-entity.js";
