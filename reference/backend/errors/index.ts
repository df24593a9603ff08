export { type BackendCode, backendCodes } from "./backend-code.js";
export { BackendError } from "./backend-error.js";
export { grpcStatusOf, toServiceError } from "./grpc-status-of.js";
