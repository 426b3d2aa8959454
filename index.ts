/**
 * pushsim's programmatic API: the mock providers for your own test suites, the sender, the
 * scenario runner and the reports. Everything here is typed; see README.md for examples.
 */
export * from './simulator/index.js';
export * from './simulator/faults/index.js';
export * from './simulator/ledger/index.js';
export * from './simulator/proxy/index.js';
export * from './simulator/control/index.js';
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

export { ScenarioRun } from './scenarios/runner.js';
export type { RunEvents, RunOptions, RunProgress, RunStart } from './scenarios/runner.js';
export type { MockTarget, ScenarioConfig, UrlTarget } from './scenarios/config.js';
export { validateScenario } from './scenarios/config.js';
export { builtinScenarios } from './scenarios/builtin/index.js';

export { apnsReasons, classifyRejection, isApnsReason } from './core/reasons.js';
export type { ApnsReason, Provider, ReasonInfo, RetryClass } from './core/reasons.js';
export { CredentialError, InvalidArgumentError, InvalidConfigError, PushSimError, isPushSimError } from './core/errors.js';
export type { ErrorCode } from './core/errors.js';
export { ExitCode } from './core/exit-codes.js';
export type { Clock } from './core/clock.js';
