/** Public API of the mock FCM service (and its OAuth2 token endpoint). */
export { startMockFcm, type MockFcm } from './server.js';
export type { MockFcmOptions, MockFcmTlsMaterial } from './options.js';
export type { MockFcmStats } from './stats.js';
export type { FcmFaults, FcmTokenRegistry } from './registry.js';
export type { RateLimit } from './quota.js';
export { generateServiceAccount, type ServiceAccountJson } from './credentials.js';
export { validateSendBody, type FcmTarget, type FieldViolation, type SendValidation, type SendValidationContext } from './validate.js';
export { fcmErrorBody, type FcmErrorBody } from './errors.js';
export { createOAuthIssuer, fcmScopes, googleTokenUri, jwtBearerGrant, type OAuthAnswer, type OAuthIssuer } from '../oauth/issuer.js';
