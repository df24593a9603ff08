import * as grpc from "@grpc/grpc-js";
import { loadProtos } from "../../protocol/index.js";
import { echoClientText } from "../errors/index.js";

export type ServingStatus = "UNKNOWN" | "SERVING" | "NOT_SERVING" | "SERVICE_UNKNOWN";

const statusNumbers: Readonly<Record<ServingStatus, number>> = {
  UNKNOWN: 0,
  SERVING: 1,
  NOT_SERVING: 2,
  SERVICE_UNKNOWN: 3,
};

export const healthServiceName = "grpc.health.v1.Health";

/**
 * The gRPC health service (L2). The whole server is the service named "";
 * the backend reports it NOT_SERVING until discovery succeeded, then sets it
 * and the user's service to SERVING. Check answers NOT_FOUND for a service it
 * does not know; Watch answers SERVICE_UNKNOWN and keeps watching.
 */
export interface HealthService {
  setStatus(service: string, status: Exclude<ServingStatus, "SERVICE_UNKNOWN">): void;
  /** The status as Check would report it; undefined for an unknown service. */
  statusOf(service: string): ServingStatus | undefined;
  /** Registers Check and Watch on a server (before it starts). */
  addTo(server: grpc.Server): void;
  /** Ends every open Watch stream, so a server shutting down is not held open by watchers. */
  close(): void;
}

export interface HealthServiceOptions {
  /** The overall ("") status to start with; NOT_SERVING by default. */
  readonly initialStatus?: Exclude<ServingStatus, "SERVICE_UNKNOWN">;
}

export function createHealthService(options: HealthServiceOptions = {}): HealthService {
  return new HealthServiceImpl(options.initialStatus ?? "NOT_SERVING");
}

interface HealthRequest {
  readonly service: string;
}
interface HealthResponse {
  readonly status: ServingStatus;
}

let definition: grpc.ServiceDefinition | undefined;

/** Check and Watch for grpc-js, (de)serialised with the health proto's types. */
export function healthServiceDefinition(): grpc.ServiceDefinition {
  if (definition) return definition;
  const root = loadProtos(["grpc/health/v1/health.proto"]);
  const requestType = root.lookupType("grpc.health.v1.HealthCheckRequest");
  const responseType = root.lookupType("grpc.health.v1.HealthCheckResponse");
  const names = Object.fromEntries(Object.entries(statusNumbers).map(([name, n]) => [n, name])) as Record<number, ServingStatus>;
  const common = {
    requestStream: false,
    requestSerialize: (request: HealthRequest) => Buffer.from(requestType.encode({ service: request.service }).finish()),
    requestDeserialize: (bytes: Buffer): HealthRequest => ({
      service: (requestType.decode(bytes) as unknown as { service?: string }).service ?? "",
    }),
    responseSerialize: (response: HealthResponse) => Buffer.from(responseType.encode({ status: statusNumbers[response.status] }).finish()),
    responseDeserialize: (bytes: Buffer): HealthResponse => ({
      status: names[(responseType.decode(bytes) as unknown as { status?: number }).status ?? 0] ?? "UNKNOWN",
    }),
  };
  definition = {
    Check: { ...common, path: `/${healthServiceName}/Check`, responseStream: false, originalName: "check" },
    Watch: { ...common, path: `/${healthServiceName}/Watch`, responseStream: true, originalName: "watch" },
  };
  return definition;
}

class HealthServiceImpl implements HealthService {
  private readonly statuses = new Map<string, ServingStatus>();
  private readonly watchers = new Map<string, Set<grpc.ServerWritableStream<HealthRequest, HealthResponse>>>();

  constructor(initialStatus: ServingStatus) {
    this.statuses.set("", initialStatus);
  }

  setStatus(service: string, status: Exclude<ServingStatus, "SERVICE_UNKNOWN">): void {
    const previous = this.statuses.get(service);
    this.statuses.set(service, status);
    if (previous === status) return;
    for (const call of this.watchers.get(service) ?? []) call.write({ status });
  }

  statusOf(service: string): ServingStatus | undefined {
    return this.statuses.get(service);
  }

  addTo(server: grpc.Server): void {
    server.addService(healthServiceDefinition(), {
      Check: (call: grpc.ServerUnaryCall<HealthRequest, HealthResponse>, callback: grpc.sendUnaryData<HealthResponse>) => {
        const status = this.statuses.get(call.request.service);
        if (status === undefined) {
          callback({ code: grpc.status.NOT_FOUND, details: `unknown service "${echoClientText(call.request.service, 200)}"` });
        } else {
          callback(null, { status });
        }
      },
      Watch: (call: grpc.ServerWritableStream<HealthRequest, HealthResponse>) => this.watch(call),
    });
  }

  close(): void {
    for (const calls of this.watchers.values()) for (const call of calls) call.end();
    this.watchers.clear();
  }

  private watch(call: grpc.ServerWritableStream<HealthRequest, HealthResponse>): void {
    const service = call.request.service;
    let calls = this.watchers.get(service);
    if (!calls) {
      calls = new Set();
      this.watchers.set(service, calls);
    }
    calls.add(call);
    const forget = () => this.watchers.get(service)?.delete(call);
    call.on("cancelled", forget);
    call.on("error", forget);
    call.write({ status: this.statuses.get(service) ?? "SERVICE_UNKNOWN" });
  }
}
