/**
 * `pushsim/sender`: the senders alone — APNs, FCM and Web Push over pooled HTTP/2 with their
 * policies, and the reasons and errors their outcomes carry — for code that sends and does not
 * need the mocks, the runner or the reports (and should not pay for importing them).
 */
export { ApnsSender } from './apns-sender.js';
export type { ApnsSenderOptions } from './apns-sender.js';
export { ApnsTokenSigner } from './auth/apns-token.js';
export type { ApnsTokenCredentials, ApnsTokenSignerOptions } from './auth/apns-token.js';
export { Http2Pool } from './http2/pool.js';
export type { Http2PoolOptions } from './http2/pool.js';
export { apnsPushTypes, buildApnsRequest, apnsOutcome } from './providers/apns.js';
export type { ApnsNotification, ApnsPushType } from './providers/apns.js';
export { compose } from './transport.js';
export type { Dispatch, FailureKind, Interceptor, Transport, TransportFailure, TransportRequest, TransportResponse, TransportResult, TransportStats } from './transport.js';
export type { Accepted, DropCause, Dropped, Expired, Failed, Outcome, OutcomeStatus, Rejected } from './outcome.js';
export { outcomeStatuses, reasonKey } from './outcome.js';
export type { ConnectionListener, SenderListener } from './listener.js';

export { FcmSender } from './fcm-sender.js';
export type { FcmSenderOptions } from './fcm-sender.js';
export { WebPushSender, isRealPushService } from './webpush-sender.js';
export type { WebPushSenderOptions } from './webpush-sender.js';
export { GoogleAccessTokens, firebaseMessagingScope, parseServiceAccount } from './auth/google-oauth.js';
export type { GoogleAccessTokensOptions, ServiceAccount } from './auth/google-oauth.js';
export { VapidSigner } from './auth/vapid.js';
export type { VapidCredentials, VapidSignerOptions } from './auth/vapid.js';
export { Http2Agent } from './http2/agent.js';
export type { Http2AgentOptions } from './http2/agent.js';
export { buildFcmRequest, fcmAdapter, fcmOutcome } from './providers/fcm.js';
export type { FcmNotification } from './providers/fcm.js';
export { buildWebPushRequest, webPushAdapter, webPushOutcome } from './providers/webpush.js';
export type { WebPushNotification, WebPushSubscription } from './providers/webpush.js';
export { Sender } from './sender.js';
export type { SenderOptions } from './sender.js';
export type { ProviderAdapter } from './providers/provider.js';
export { resilienceInterceptors } from './policies.js';
export type { ResiliencePolicies } from './policies.js';
export { retry } from './interceptors/retry.js';
export type { RetryOptions } from './interceptors/retry.js';
export { RetryBudget } from './interceptors/retry-budget.js';
export { CircuitBreaker, circuitBreaker } from './interceptors/circuit-breaker.js';
export type { BreakerState, CircuitBreakerOptions } from './interceptors/circuit-breaker.js';
export { fallback } from './interceptors/fallback.js';
export type { FallbackOptions } from './interceptors/fallback.js';
export { rateLimit } from './interceptors/rate-limit.js';
export type { RateLimitOptions } from './interceptors/rate-limit.js';
export { WebhookTransport } from './webhook-transport.js';
export type { WebhookTransportOptions } from './webhook-transport.js';
export { assertProductionAllowed, isProductionOrigin, productionHosts } from './production-guard.js';

export { apnsReasons, classifyRejection, isApnsReason, fcmReasons, isFcmReason, webPushReasonFor, webPushReasons } from '../core/reasons.js';
export type { ApnsReason, Provider, ReasonInfo, RetryClass, FcmReason, FcmReasonInfo, WebPushReason } from '../core/reasons.js';
export { CredentialError, InvalidArgumentError, InvalidConfigError, PushSimError, isPushSimError } from '../core/errors.js';
export type { ErrorCode } from '../core/errors.js';
export type { Clock } from '../core/clock.js';
