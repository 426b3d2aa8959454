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
  defaultServerHosts,
  generateCertificateAuthority,
  generateClientCertificate,
  generateServerCertificate,
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
export { createDeviceRegistry, type DeviceRegistry } from './apns/devices.js';
export {
  createProviderTokenVerifier,
  type ProviderTokenVerifier,
  type ProviderTokenVerifierOptions,
  type ProviderTokenVerifierStats,
  type TrustedSigningKey,
} from './apns/jwt-verifier.js';
export {
  apnsPushTypes,
  defaultDeviceTokenPattern,
  defaultMaxPayloadBytes,
  defaultMaxVoipPayloadBytes,
  responseApnsId,
  validateApnsRequest,
  type ApnsAccept,
  type ApnsReject,
  type ApnsValidationContext,
  type ApnsVerdict,
  type AuthCheck,
  type RequestHeaders,
} from './apns/validate.js';
export type { ApnsTrustedKey, MockApnsOptions, MockApnsTlsMaterial } from './apns/options.js';
export type { MockApnsStats } from './apns/stats.js';
export { startMockApns, type MockApns } from './apns/server.js';
export {
  canStartMockApnsInWorker,
  startMockApnsInWorker,
  type MockApnsInWorker,
  type MockApnsWorkerOptions,
  type WorkerRuntimeOptions,
} from './apns/in-worker.js';
