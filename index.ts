/**
 * pushsim's programmatic API: the mock providers for your own test suites, the sender, the
 * scenario runner and the reports. Everything here is typed; see README.md for examples.
 */
export * from './simulator/index.js';
export * from './simulator/faults/index.js';
export * from './simulator/ledger/index.js';
export * from './simulator/proxy/index.js';
export * from './simulator/control/index.js';
export * from './simulator/fcm/index.js';
export * from './simulator/webpush/index.js';
export * from './reports/index.js';

export { ApnsSender } from './sender/apns-sender.js';
export type { ApnsSenderOptions } from './sender/apns-sender.js';
export { ApnsTokenSigner } from './sender/auth/apns-token.js';
export type { ApnsTokenCredentials, ApnsTokenSignerOptions } from './sender/auth/apns-token.js';
export { Http2Pool } from './sender/http2/pool.js';
export type { Http2PoolOptions } from './sender/http2/pool.js';
export { apnsPushTypes, buildApnsRequest, apnsOutcome } from './sender/providers/apns.js';
export type { ApnsNotification, ApnsPushType } from './sender/providers/apns.js';
export { compose } from './sender/transport.js';
export type { Dispatch, FailureKind, Interceptor, Transport, TransportFailure, TransportRequest, TransportResponse, TransportResult, TransportStats } from './sender/transport.js';
export type { Accepted, DropCause, Dropped, Expired, Failed, Outcome, OutcomeStatus, Rejected } from './sender/outcome.js';
export { outcomeStatuses, reasonKey } from './sender/outcome.js';
export type { ConnectionListener, SenderListener } from './sender/listener.js';

export { FcmSender } from './sender/fcm-sender.js';
export type { FcmSenderOptions } from './sender/fcm-sender.js';
export { WebPushSender, isRealPushService } from './sender/webpush-sender.js';
export type { WebPushSenderOptions } from './sender/webpush-sender.js';
export { GoogleAccessTokens, firebaseMessagingScope, parseServiceAccount } from './sender/auth/google-oauth.js';
export type { GoogleAccessTokensOptions, ServiceAccount } from './sender/auth/google-oauth.js';
export { VapidSigner } from './sender/auth/vapid.js';
export type { VapidCredentials, VapidSignerOptions } from './sender/auth/vapid.js';
export { Http2Agent } from './sender/http2/agent.js';
export type { Http2AgentOptions } from './sender/http2/agent.js';
export { buildFcmRequest, fcmAdapter, fcmOutcome } from './sender/providers/fcm.js';
export type { FcmNotification } from './sender/providers/fcm.js';
export { buildWebPushRequest, webPushAdapter, webPushOutcome } from './sender/providers/webpush.js';
export type { WebPushNotification, WebPushSubscription } from './sender/providers/webpush.js';
export { Sender } from './sender/sender.js';
export type { SenderOptions } from './sender/sender.js';
export type { ProviderAdapter } from './sender/providers/provider.js';
export { resilienceInterceptors } from './sender/policies.js';
export type { ResiliencePolicies } from './sender/policies.js';
export { retry } from './sender/interceptors/retry.js';
export type { RetryOptions } from './sender/interceptors/retry.js';
export { RetryBudget } from './sender/interceptors/retry-budget.js';
export { CircuitBreaker, circuitBreaker } from './sender/interceptors/circuit-breaker.js';
export type { BreakerState, CircuitBreakerOptions } from './sender/interceptors/circuit-breaker.js';
export { fallback } from './sender/interceptors/fallback.js';
export type { FallbackOptions } from './sender/interceptors/fallback.js';
export { rateLimit } from './sender/interceptors/rate-limit.js';
export type { RateLimitOptions } from './sender/interceptors/rate-limit.js';
export { WebhookTransport } from './sender/webhook-transport.js';
export type { WebhookTransportOptions } from './sender/webhook-transport.js';
export { assertProductionAllowed, isProductionOrigin, productionHosts } from './sender/production-guard.js';

export { ScenarioRun } from './scenarios/runner.js';
export { loadScenarioFile, parseScenario } from './scenarios/file.js';
export { evaluateThresholds, parseThreshold } from './scenarios/thresholds.js';
export type { Threshold, ThresholdVerdict } from './scenarios/thresholds.js';
export type { RunEvents, RunOptions, RunProgress, RunStart, RunWaiting } from './scenarios/runner.js';
export { parseShard, parseStartAt, resolveShard, resolveStartAt, scenarioDigest, shardEnvironment, shardLimits, shardSize } from './scenarios/shard.js';
export type { Shard, ShardFlags } from './scenarios/shard.js';
export type { MockTarget, ScenarioConfig, UrlTarget } from './scenarios/config.js';
export type { ClosedModelConfig, ConstantArrivalRateConfig, LoadConfig, RampingArrivalRateConfig, RampingStage } from './scenarios/executors/index.js';
export { judgeValidity, validityDefaults } from './scenarios/overload.js';
export type { ValidityConfig } from './scenarios/overload.js';
export { validateScenario } from './scenarios/config.js';
export { builtinScenarios } from './scenarios/builtin/index.js';
export { MAX_VARIANTS, expandGrid, tunePolicies, variantLabel } from './scenarios/tune.js';
export type { PolicyGrid, PolicyVariant, TuneOptions } from './scenarios/tune.js';

export { apnsReasons, classifyRejection, isApnsReason, fcmReasons, isFcmReason, webPushReasonFor, webPushReasons } from './core/reasons.js';
export type { ApnsReason, Provider, ReasonInfo, RetryClass, FcmReason, FcmReasonInfo, WebPushReason } from './core/reasons.js';
export { CredentialError, InvalidArgumentError, InvalidConfigError, PushSimError, isPushSimError } from './core/errors.js';
export type { ErrorCode } from './core/errors.js';
export { ExitCode } from './core/exit-codes.js';
export type { Clock } from './core/clock.js';
