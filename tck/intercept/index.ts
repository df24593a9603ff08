export { interceptUsage, runInterceptCommand, untilSignal, type InterceptCommandIo } from "./cli/intercept-command.js";
export {
  startInterceptor,
  type InterceptorOptions,
  type InterceptorSummary,
  type RunningInterceptor,
  type ViolationReport,
} from "./driver/interceptor.js";
export {
  createProtocolInvariants,
  type InvariantViolation,
  type ProtocolInvariants,
  type StreamEnd,
} from "../kit/protocol/protocol-invariants.js";
export {
  formatTranscript,
  streamInJson,
  streamOutJson,
  type StreamOutcome,
  type InterceptTranscriptEntry,
} from "../kit/transcript/intercept-transcript.js";
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
} from "./faults/fault-spec.js";
export { createFaultInjector, describeFault, type AppliedFault, type FaultInjector, type StreamFaults } from "./faults/faults.js";
export { createFaultOracle, definedCallCodes, type ClientCallOutcome, type FaultOracle } from "./faults/fault-oracle.js";
