export { cartDomainPackage, cartFileDescriptor, cartPackage, cartPersistenceId, cartServiceName } from "./cart-descriptor.js";
export { encodeFileDescriptor } from "./file-descriptor.js";
export {
  startInstrumentedUserFunction,
  type InstrumentedUserFunction,
  type InstrumentedUserFunctionOptions,
} from "./instrumented-user-function.js";
export type { UserFunctionFaults } from "./faults.js";
export type { Hold, Misbehaviour, MisbehaviourKind } from "./misbehaviour.js";
export { modelFileDescriptor, modelPackage, modelPersistenceId, modelServiceName, type ModelDescriptorShape } from "./model-descriptor.js";
export { UnusablePayloadError, type CommandOutcome, type EntityBehaviour } from "./entity-behaviour.js";
export { createModelEntityBehaviour, modelTypes } from "./model-entity-behaviour.js";
export { cartTypes } from "./cart-entity-behaviour.js";
export { instrumentedSubjectNames, subjectOf, type Subject, type InstrumentedSubjectName, type SubjectOptions } from "./subject.js";
export { TrafficLog, type BackendViolation, type RecordedStream } from "./traffic-log.js";
export { freePort } from "./free-port.js";
