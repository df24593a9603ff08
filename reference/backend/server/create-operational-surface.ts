import type { Server } from "@grpc/grpc-js";
import type { OperationalSurface } from "./operational-surface.js";
import type { UserService } from "../discovery/index.js";
// Not ops/index.js: that loads the reflection service, which in-process users (the TCK) may not want in their process.
import { createHealthService, type HealthService } from "../ops/health-service.js";

export interface OperationalSurfaceOptions {
  readonly health?: HealthService;
  /** Adds server reflection for the served service (ops/add-reflection.ts); none when absent. */
  readonly addReflection?: (server: Server, service: UserService) => void;
}

/**
 * gRPC health (and reflection, when given): health is NOT_SERVING from the
 * moment the server listens until the user service is served, and again once
 * the backend stops.
 */
export interface ReportingOperationalSurface extends OperationalSurface {
  /**
   * The journal could (true) or could not (false) be written: while it cannot, health says
   * NOT_SERVING for the server and the served service; SERVING again once it can.
   */
  storageAvailable(available: boolean): void;
  /**
   * The user function has been unreachable for longer than allowed (false) or answers again
   * (true): NOT_SERVING meanwhile, as for the journal. Health is SERVING only when both are fine.
   */
  userFunctionAvailable(available: boolean): void;
}

export function createOperationalSurface(options: OperationalSurfaceOptions = {}): ReportingOperationalSurface {
  const health = options.health ?? createHealthService();
  let served: string | undefined;
  let storageOk = true;
  let userFunctionOk = true;
  let stopped = false;
  const report = () => {
    if (!served || stopped) return;
    const status = storageOk && userFunctionOk ? "SERVING" : "NOT_SERVING";
    health.setStatus(served, status);
    health.setStatus("", status);
  };
  return {
    storageAvailable(available: boolean) {
      storageOk = available;
      report();
    },
    userFunctionAvailable(available: boolean) {
      userFunctionOk = available;
      report();
    },
    attach(server: Server) {
      health.setStatus("", "NOT_SERVING");
      health.addTo(server);
    },
    serving(server, service) {
      options.addReflection?.(server, service);
      served = service.name;
      report();
    },
    stopping() {
      stopped = true;
      health.setStatus("", "NOT_SERVING");
      if (served) health.setStatus(served, "NOT_SERVING");
      // Open Watch calls would otherwise hold the server's graceful shutdown open.
      health.close();
    },
  };
}
