/** Public API of the fault framework (see engine.ts for the pipeline, hooks.ts for the host contract). */
export { FaultEngine } from './engine.js';
export type { FaultEngineOptions, FaultView } from './engine.js';
export { applyFaultDecision, interceptConnections, recordingAccept, writeFaultResponse } from './hooks.js';
export { resetSocket } from '../sockets.js';
export type { AcceptHook, Proceed } from './hooks.js';
export { handleHttp1 } from './http1.js';
export type { Http1Request, Http1Response } from './http1.js';
export { faultKind, faultKindNames, registerFaultKind } from './registry.js';
export { commonFaultFields, validateFault, validateFaultsDocument } from './spec.js';
export type { FaultMatch, FaultSpec, FaultsDocument } from './spec.js';
export { loadFaultsFile, parseFaultsDocument } from './spec-file.js';
export { faultsThatCannotFire } from './dormant.js';
export type { ProviderTraffic, RunTraffic } from './dormant.js';
export { Timeline } from './timeline.js';
export type { Phase, PhaseSpec, ProbabilitySpec } from './timeline.js';
export { createFaultSampler, faultLatencyKinds, validateFaultLatency } from './distributions.js';
export type { FaultLatencySpec } from './distributions.js';
export { providerError } from './responses.js';
export type { ProviderErrors } from './responses.js';
export { FaultMetrics } from './metrics.js';
export type { FaultMetricsSnapshot, ResponseCount } from './metrics.js';
export { faultProviders } from './types.js';
export type {
  AfterAccept,
  ConnectionVerdict,
  FaultAction,
  FaultBehaviour,
  FaultDecision,
  FaultEffect,
  FaultKind,
  FaultProvider,
  FaultRequestInfo,
  FaultResponse,
  FaultRuntime,
  FiredFault,
  ResolvedRequest,
  FaultSession,
  TrackedSession,
} from './types.js';
export type { Dice } from './dice.js';
