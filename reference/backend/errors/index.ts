export { type BackendCode, backendCodes } from "./backend-code.js";
export { BackendError, maxDetailLength } from "./backend-error.js";
export { echoClientText } from "./echo-client-text.js";
export { grpcStatusOf, maxStatusMessageLength, reportCallFailure, toServiceError, type WireError } from "./grpc-status-of.js";
