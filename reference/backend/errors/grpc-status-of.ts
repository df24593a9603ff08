import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import type { BackendCode } from "./backend-code.js";
import { BackendError } from "./backend-error.js";

const statusOf: Record<BackendCode, status> = {
  invalid_argument: status.INVALID_ARGUMENT,
  unknown: status.UNKNOWN,
  internal: status.INTERNAL,
  unavailable: status.UNAVAILABLE,
  deadline_exceeded: status.DEADLINE_EXCEEDED,
  resource_exhausted: status.RESOURCE_EXHAUSTED,
  aborted: status.ABORTED,
  unimplemented: status.UNIMPLEMENTED,
};

/** The gRPC status code of a backend code: the only place the two meet. */
export function grpcStatusOf(code: BackendCode): status {
  return statusOf[code];
}

/** Any failure as the error grpc-js sends to a client (`details` is the message as is). */
export function toServiceError(error: unknown): Partial<ServiceError> & { code: status; details: string } {
  const backendError = BackendError.from(error);
  return {
    name: backendError.name,
    message: backendError.message,
    code: grpcStatusOf(backendError.code),
    details: backendError.message,
    metadata: new Metadata(),
  };
}
