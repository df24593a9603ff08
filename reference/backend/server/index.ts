export { type CommandDispatcher, createCommandDispatcher } from "./command-dispatcher.js";
export { registerUserService } from "./register-user-service.js";
