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
export {
  FaultSpecError,
  faultKinds,
  faultSpecHelp,
  formatFaultSpec,
  parseFaultSpec,
  type FaultDirection,
  type FaultKind,
  type FaultPlan,
  type NamedFault,
} from "./fault-spec.js";
export { createFaultInjector, describeFault, type AppliedFault, type FaultInjector, type StreamFaults } from "./faults.js";
export { createFaultOracle, definedCallCodes, type ClientCallOutcome, type FaultOracle } from "./fault-oracle.js";
