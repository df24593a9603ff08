export {
  type ModelEntityOptions,
  type ModelRequest,
  type ModelResponse,
  type RequestAction,
  ModelEntityThrow,
  createModelEntity,
  defaultModelSnapshotEvery,
  modelPersistenceId,
  modelServiceName,
} from "./model-entity.js";
export { type ModelEntityServeOptions, startModelEntity } from "./start-model-entity.js";
