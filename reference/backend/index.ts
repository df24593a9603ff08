export {
  type Backend,
  type BackendAddress,
  type BackendDeps,
  type BackendOptions,
  type OperationalSurface,
  backendOptionsFrom,
  createBackend,
  defaultBackendLimits,
} from "./backend.js";
export type { BackendLimits } from "./config/index.js";
export {
  type BackendCode,
  BackendError,
  backendCodes,
  echoClientText,
  grpcStatusOf,
  reportCallFailure,
  toServiceError,
} from "./errors/index.js";
export {
  type CallId,
  type ClientGoneSignal,
  type EntityInput,
  type EntityOutput,
  type EntityStateMachineConfig,
  type EntityTimeouts,
  type EntityTimer,
  type EntityRegistry,
  type EntityRegistryOptions,
  type OpenEntityStream,
  type UserFunctionClient,
  EntityShell,
  EntityStateMachine,
  callId,
  createEntityRegistry,
  createUserFunctionClient,
  defaultEntityConfig,
} from "./entity/index.js";
export { type CommandDispatcher, createCommandDispatcher, createOperationalSurface, registerUserService } from "./server/index.js";
export { type EntityId, type EntityRef, type PersistenceId, entityId, persistenceId } from "./ids.js";
export { type LogFormat, type LogLevel, type Logger, createLogger, silentLogger } from "./logger.js";
