export {
  type CallId,
  type ClientGoneSignal,
  type EntityInput,
  type EntityOutput,
  type EntityStateMachineConfig,
  type EntityTimeouts,
  type EntityTimer,
  callId,
  defaultEntityConfig,
} from "./entity-protocol.js";
export { EntityStateMachine } from "./entity-state-machine.js";
export { EntityShell, type EntityShellOptions } from "./entity-shell.js";
export { type EntityRegistry, type EntityRegistryOptions, createEntityRegistry } from "./entity-registry.js";
export { type EntityObserver, type PassivationReport, type RecoveryReport, combineObservers } from "./entity-observer.js";
export { type LifecycleLogOptions, createLifecycleLog } from "./lifecycle-log.js";
export { type UserFunctionHealth, type UserFunctionHealthOptions, watchUserFunctionHealth } from "./user-function-health.js";
export {
  type OpenEntityStream,
  type UserFunctionClient,
  type UserFunctionTls,
  createUserFunctionClient,
  userFunctionCredentials,
} from "./user-function-client.js";
