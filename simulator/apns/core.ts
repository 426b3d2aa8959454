/**
 * The state one mock APNs shares across its connections: device registry, rules, counters, the
 * JWT verifier and its cache, the per-token rate limiter, and the validation context every
 * connection starts from (connection.ts adds the auth).
 */
import { InvalidArgumentError } from '../../core/errors.js';
import { isApnsReason } from '../../core/reasons.js';
import type { ConnectionSettings } from './connection.js';
import { createDeviceRegistry, type DeviceRegistry } from './devices.js';
import { createJsonObjectCheck } from './json-check.js';
import { createProviderTokenVerifier, type ProviderTokenVerifier } from './jwt-verifier.js';
import type { ResolvedMockApnsOptions } from './options.js';
import { createDeviceRateLimiter } from './rate-limit.js';
import { createPushRules, type PushRules } from './rules.js';
import { MockApnsCounters } from './stats.js';
import { defaultMaxPayloadBytes, defaultMaxVoipPayloadBytes, type LateRejection, type ValidatedPush } from './validate.js';

export interface MockCore {
  readonly devices: DeviceRegistry;
  readonly rules: PushRules;
  readonly counters: MockApnsCounters;
  readonly verifier: ProviderTokenVerifier;
  readonly settings: ConnectionSettings;
}

/** `synchronousTokens`: verify new provider tokens without the thread pool (jwt-verifier.ts `synchronous`; the simulated mock, simulator/virtual/). */
export function createMockCore(resolved: ResolvedMockApnsOptions, mtls: boolean, synchronousTokens = false): MockCore {
  const { clock, config } = resolved;
  const devices = createDeviceRegistry(clock);
  for (const [token, timestamp] of resolved.unregistered) devices.unregister(token, timestamp);
  loadConfig(devices, config, clock.now());
  const rules = createPushRules();
  for (const topic of config.topics?.disallowed ?? []) rules.disallowTopic(topic);
  for (const topic of config.topics?.forbidden ?? []) rules.forbidTopic(topic);
  for (const [token, steps] of Object.entries(config.script ?? {})) rules.script(token, steps);

  const verifier = createProviderTokenVerifier(resolved.trustedKeys, {
    clock,
    maxTokenAgeMs: resolved.maxTokenAgeMs,
    maxClockSkewMs: resolved.maxClockSkewMs,
    synchronous: synchronousTokens,
  });
  const limiter = resolved.deviceRateLimit === undefined ? undefined : createDeviceRateLimiter(resolved.deviceRateLimit, clock);
  const { onPush } = resolved;

  // After every check passed: the rate limit, then a scripted step, then the user's handler.
  const final = (push: ValidatedPush): LateRejection | undefined => {
    if (limiter !== undefined && limiter.hit(push.token)) return { reason: 'TooManyRequests' };
    const step = rules.nextStep(push.token);
    if (step !== undefined && step !== 'accept') return step === 'Unregistered' ? { reason: step, timestamp: clock.now() } : { reason: step };
    if (onPush === undefined) return undefined;
    const reason = onPush(push);
    if (reason === undefined || reason === null) return undefined;
    if (typeof reason !== 'string' || !isApnsReason(reason)) {
      // Thrown on purpose: the caller turns it into 500 InternalServerError, as Pushy does.
      throw new InvalidArgumentError(`onPush returned ${JSON.stringify(reason)}, which is not an APNs reason`);
    }
    return reason === 'Unregistered' ? { reason, timestamp: clock.now() } : { reason };
  };

  const environment = resolved.sandbox ? 'sandbox' : 'production';
  return {
    devices,
    rules,
    counters: new MockApnsCounters(),
    verifier,
    settings: {
      base: {
        deviceTokenPattern: resolved.deviceTokenPattern,
        devices,
        topicRule: rules.topicRule,
        final,
        isJsonObject: createJsonObjectCheck(),
        maxPayloadBytes: defaultMaxPayloadBytes,
        maxVoipPayloadBytes: defaultMaxVoipPayloadBytes,
      },
      tokenAuth: {
        verifier,
        keysById: new Map(resolved.trustedKeys.map((key) => [key.keyId, key])),
        clock,
        updateWindowMs: resolved.tokenUpdateWindowMs,
        environment,
      },
      environment,
      mtls,
      initialStreams: resolved.initialStreams,
      maxConcurrentStreams: resolved.maxConcurrentStreams,
    },
  };
}

function loadConfig(devices: DeviceRegistry, config: ResolvedMockApnsOptions['config'], now: number): void {
  for (const [topic, tokens] of Object.entries(config.devices ?? {})) for (const token of tokens) devices.register(token, topic);
  const { unregistered } = config;
  if (Array.isArray(unregistered)) for (const token of unregistered as readonly string[]) devices.unregister(token, now);
  else for (const [token, at] of Object.entries(unregistered ?? {})) devices.unregister(token, at);
  for (const token of config.expired ?? []) devices.expire(token);
  if (config.strictDevices === true) devices.setStrict(true);
}
