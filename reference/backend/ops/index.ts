export {
  createHealthService,
  healthServiceDefinition,
  healthServiceName,
  type HealthService,
  type HealthServiceOptions,
  type ServingStatus,
} from "./health-service.js";
export { addReflection } from "./add-reflection.js";
export { type BackendMetrics, type BackendMetricsOptions, createBackendMetrics } from "./metrics.js";
export { type AdminServer, type AdminServerOptions, startAdminServer } from "./admin-server.js";
export { toggleDebugOnSignal } from "./toggle-debug.js";
