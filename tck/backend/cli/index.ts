export { backendUsage, parseBackendModeArgs, type BackendModeConfig } from "./backend-mode-config.js";
export { runBackendCommand } from "./backend-command.js";
