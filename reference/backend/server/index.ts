export { type CommandDispatcher, createCommandDispatcher } from "./command-dispatcher.js";
export {
  type OperationalSurfaceOptions,
  type ReportingOperationalSurface,
  createOperationalSurface,
} from "./create-operational-surface.js";
export { registerUserService } from "./register-user-service.js";
