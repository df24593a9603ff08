import type { Server } from "@grpc/grpc-js";
import type { OperationalSurface } from "../backend.js";
import { addReflection, createHealthService, type HealthService } from "../ops/index.js";

/**
 * gRPC health and server reflection for a backend: health is NOT_SERVING
 * from the moment the server listens until the user service is served, and
 * again once the backend stops; reflection lists the user's service.
 */
export function createOperationalSurface(health: HealthService = createHealthService()): OperationalSurface {
  let served: string | undefined;
  return {
    attach(server: Server) {
      health.setStatus("", "NOT_SERVING");
      health.addTo(server);
    },
    serving(server, service) {
      addReflection(server, service);
      served = service.name;
      health.setStatus(service.name, "SERVING");
      health.setStatus("", "SERVING");
    },
    stopping() {
      health.setStatus("", "NOT_SERVING");
      if (served) health.setStatus(served, "NOT_SERVING");
      // Open Watch calls would otherwise hold the server's graceful shutdown open.
      health.close();
    },
  };
}
