export {
  createHealthService,
  healthServiceDefinition,
  healthServiceName,
  type HealthService,
  type HealthServiceOptions,
  type ServingStatus,
} from "./health-service.js";
export { addReflection } from "./add-reflection.js";
