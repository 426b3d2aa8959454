/** Public API of the simulator: mock providers and the building blocks they share. */
export { createRandom, type Random } from './random.js';
export {
  createSampler,
  latencyKinds,
  validateLatencySpec,
  type LatencyKind,
  type LatencySampler,
  type LatencySpec,
} from './distributions.js';
export {
  appleCertificateOids,
  defaultServerHosts,
  generateCertificateAuthority,
  generateClientCertificate,
  generateServerCertificate,
  clientCertificateNamePrefixes,
  type ClientCertificateOptions,
  type PemKeyPair,
  type ServerCertificate,
  type ServerCertificateOptions,
} from './tls.js';
export {
  generateApnsSigningKey,
  isPrivateKeyPem,
  loadApnsVerificationKey,
  randomAppleId,
  type ApnsSigningKey,
} from './apns/credentials.js';
export { createDeviceRegistry, type DeviceRegistry, type DeviceRejection } from './apns/devices.js';
export { createPushRules, type PushRules, type ScriptStep } from './apns/rules.js';
export { loadMockApnsConfig, parseMockApnsConfig, type MockApnsConfig } from './apns/config.js';
export { bundleOf, topicFitsPushType, topicSuffixByPushType, tokenAuthOnlyPushTypes } from './apns/push-types.js';
export { certificateEnvironment, type CertificateEnvironment } from './apns/cert-auth.js';
export { isJsonObject } from './apns/json-check.js';
export type { DeviceRateLimit } from './apns/rate-limit.js';
export {
  createProviderTokenVerifier,
  type ProviderTokenVerifier,
  type ProviderTokenVerifierOptions,
  type ProviderTokenVerifierStats,
  type TrustedSigningKey,
  type TokenVerdict,
  type ValidToken,
} from './apns/jwt-verifier.js';
export {
  apnsPushTypes,
  defaultDeviceTokenPattern,
  defaultMaxPayloadBytes,
  defaultMaxVoipPayloadBytes,
  findDuplicateHeader,
  responseApnsId,
  validateApnsRequest,
  type ApnsAccept,
  type ApnsReject,
  type ApnsValidationContext,
  type ApnsVerdict,
  type AuthCheck,
  type LateRejection,
  type RequestHeaders,
  type ValidatedPush,
} from './apns/validate.js';
export type { ApnsPushHandler, ApnsTrustedKey, MockApnsMtlsMaterial, MockApnsOptions, MockApnsTlsMaterial } from './apns/options.js';
export type { MockApnsStats } from './apns/stats.js';
export type { MockControlOption, MockFaultOptions, MockFaultsOption } from './mock-faults.js';
export { startMockApns, type ApnsClientCertificate, type MockApns } from './apns/server.js';
export {
  canStartMockApnsInWorker,
  startMockApnsInWorker,
  type MockApnsInWorker,
  type MockApnsWorkerOptions,
  type WorkerRuntimeOptions,
} from './apns/in-worker.js';
export { checkMockWorkers, maxMockWorkers, startMockApnsCluster, startMockCluster, startMockFcmCluster, startMockWebPushCluster, type MockApnsCluster, type MockCluster, type MockClusterRuntime, type MockClusterState, type MockFcmCluster, type MockWebPushCluster } from './cluster/primary.js';
export type { MockFcmWorkerOptions, MockWebPushWorkerOptions } from './cluster/protocol.js';
export type { FcmClusterTokens, WebPushClusterSubscriptions } from './cluster/live-state.js';
export type { ClusterControlEngine } from './cluster/control.js';
export { providerHosts, serverHosts, type ImpersonatedProvider, type ImpersonationOptions } from './impersonate.js';
export { installRedirect } from './redirect/install.js';
export { findRedirect, formatRedirects, parseRedirects, redirectEnv, redirectsTo, type RedirectRule } from './redirect/spec.js';
