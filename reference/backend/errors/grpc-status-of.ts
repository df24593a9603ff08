import { randomBytes } from "node:crypto";
import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import type { Logger } from "../logger.js";
import type { BackendCode } from "./backend-code.js";
import { BackendError } from "./backend-error.js";
import { echoClientText } from "./echo-client-text.js";

const statusOf: Record<BackendCode, status> = {
  invalid_argument: status.INVALID_ARGUMENT,
  unknown: status.UNKNOWN,
  internal: status.INTERNAL,
  unavailable: status.UNAVAILABLE,
  deadline_exceeded: status.DEADLINE_EXCEEDED,
  resource_exhausted: status.RESOURCE_EXHAUSTED,
  failed_precondition: status.FAILED_PRECONDITION,
  aborted: status.ABORTED,
  unimplemented: status.UNIMPLEMENTED,
  cancelled: status.CANCELLED,
};

/**
 * Failures whose cause is on the backend's side of the call: the client gets an
 * error id and the log the detail under it, as for any failure with a detail
 * withheld from the client. The others say all there is to say (a bad request,
 * a full queue, the user function's own Failure description).
 */
const withErrorId: ReadonlySet<BackendCode> = new Set<BackendCode>([
  "internal",
  "unavailable",
  "deadline_exceeded",
  "failed_precondition",
  "aborted",
]);

/**
 * The longest status message sent. grpc-js never delivers a status whose
 * message passes some tens of KB, and the call then hangs; a Failure
 * description from the user function is not bounded otherwise.
 */
export const maxStatusMessageLength = 4096;

/** The gRPC status code of a backend code: the only place the two meet. */
export function grpcStatusOf(code: BackendCode): status {
  return statusOf[code];
}

export type WireError = Partial<ServiceError> & { code: status; details: string };

/** Any failure as the error grpc-js sends to a client; `errorId` is appended to the message when given. */
export function toServiceError(error: unknown, errorId?: string): WireError {
  const backendError = BackendError.from(error);
  const message = echoClientText(backendError.message, maxStatusMessageLength);
  const details = errorId === undefined ? message : `${message} (error id ${errorId})`;
  return {
    name: backendError.name,
    message: details,
    code: grpcStatusOf(backendError.code),
    details,
    metadata: new Metadata(),
  };
}

/**
 * A failed call as the client's status, logged first: a failure on the
 * backend's side gets a fresh error id, in the client's message and beside the
 * detail in the log (warn); the rest is logged at debug.
 */
export function reportCallFailure(error: unknown, logger: Logger, fields: Readonly<Record<string, unknown>>): WireError {
  const backendError = BackendError.from(error);
  if (!withErrorId.has(backendError.code) && backendError.detail === undefined) {
    logger.debug("call failed", { ...fields, code: backendError.code, message: backendError.message });
    return toServiceError(backendError);
  }
  const errorId = randomBytes(6).toString("hex");
  logger.warn("call failed", {
    ...fields,
    errorId,
    code: backendError.code,
    message: backendError.message,
    ...(backendError.detail === undefined ? {} : { detail: backendError.detail }),
  });
  return toServiceError(backendError, errorId);
}
