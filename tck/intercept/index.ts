export { interceptUsage, runInterceptCommand, untilSignal, type InterceptCommandIo } from "./intercept-command.js";
export {
  startInterceptor,
  type InterceptorOptions,
  type InterceptorSummary,
  type RunningInterceptor,
  type ViolationReport,
} from "./interceptor.js";
export { createProtocolInvariants, type InvariantViolation, type ProtocolInvariants, type StreamEnd } from "./protocol-invariants.js";
export { formatTranscript, streamInJson, streamOutJson, type StreamOutcome, type TranscriptEntry } from "./transcript-entry.js";
