import type { Server } from "@grpc/grpc-js";
import type { UserService } from "../discovery/index.js";

/**
 * Health and reflection, supplied by `ops/`: attached before the server
 * listens, told when the user service is served and when the backend stops.
 */
export interface OperationalSurface {
  attach(server: Server): void;
  serving(server: Server, service: UserService): void;
  stopping(): void;
  /** The user function has been unreachable for longer than allowed (false), or answers again (true). */
  userFunctionAvailable?(available: boolean): void;
}
