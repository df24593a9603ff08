export { type CommandOutcome, DrivenEntity } from "./driven-entity.js";
export { HandleStream, type Observation } from "./handle-stream.js";
export {
  abbreviate,
  describeAny,
  formatIn,
  formatOut,
  grpcCodeName,
  type PayloadDescriber,
  Transcript,
  type TranscriptEntry,
} from "../../kit/transcript/transcript.js";
export {
  createUserFunctionDriver,
  type ReadyResult,
  type UserFunctionDriver,
  type UserFunctionDriverOptions,
} from "./user-function-driver.js";
