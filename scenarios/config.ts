/**
 * Scenario configuration: pure data (what a YAML file or a built-in describes), validated with every
 * problem reported at once (k6 executors' `Validate() []error`). The runtime lives in runner.ts.
 */
import type { Provider } from '../core/reasons.js';
import type { LatencySpec } from '../simulator/distributions.js';
import { validateLatencySpec } from '../simulator/distributions.js';
import { validateProfileTarget } from './profile-target.js';
import type { FaultsDocument } from '../simulator/faults/spec.js';
import { validateFaultsDocument } from '../simulator/faults/spec.js';
import type { ApnsPushType } from '../sender/providers/apns.js';
import { apnsPushTypes } from '../sender/providers/apns.js';
import type { ResiliencePolicies } from '../sender/policies.js';
import { retry } from '../sender/interceptors/retry.js';
import { CircuitBreaker } from '../sender/interceptors/circuit-breaker.js';
import { pushAll } from '../core/arrays.js';
import type { LoadConfig } from './executors/index.js';
import { validateLoad } from './executors/index.js';
import { rampingDurationMs } from './executors/ramping-arrival-rate.js';
import { validateThresholds } from './thresholds.js';
import type { ValidityConfig } from './overload.js';
import { validateValidity } from './overload.js';
import type { ProviderMix } from './mix.js';
import { mixProviders, mixShares, populationSizes, validateMix } from './mix.js';
import type { RecipientsConfig } from './recipients-config.js';
import { validateRecipients } from './recipients-config.js';

/**
 * pushsim starts its own mocks and sends to them: the mock APNs (in a worker thread when it can),
 * the mock FCM and the mock Web Push service (in-process: they have no worker mode).
 */
export interface MockTarget {
  readonly kind: 'mock';
  /** The provider to mock, or several: the scenario's `mix` then says which share each gets. */
  readonly provider: Provider | readonly Provider[];
  /** TLS with a generated certificate instead of cleartext h2c, for every mock. */
  readonly tls: boolean;
  /** Latency the mock APNs adds before answering (the FCM and Web Push mocks add none). */
  readonly latency: LatencySpec;
  /** Run the mock APNs in a worker thread so it does not share the sender's event loop. */
  readonly worker: boolean;
  /**
   * A profile file (`pushsim run --record-profile`) whose per-attempt latency and answer mix the
   * mocks replay, for each provider it holds (scenarios/profile-target.ts). For APNs it replaces
   * `latency`.
   */
  readonly profile?: string;
}

/** An APNs origin that is already running (our mock in another process, the fault proxy, Apple's sandbox). */
export interface UrlTarget {
  readonly kind: 'url';
  readonly provider: 'apns';
  readonly url: string;
  /** Paths to read the .p8 key from, and its ids. */
  readonly credentials: { readonly keyFile: string; readonly keyId: string; readonly teamId: string };
  /** PEM file of a CA to trust (our mock's generated certificate). */
  readonly caFile?: string;
  /** Sending to Apple's production host needs this set, on purpose. */
  readonly allowProduction?: boolean;
}

/** A fault proxy pushsim starts for the run in front of a provider (simulator/proxy/), the sender pointed at it. */
export interface ProxyConfig {
  /** The faults it injects; none: a pass-through that still counts and times every exchange. */
  readonly faults?: FaultsDocument;
}

/**
 * APNs as a real provider. Secrets are named here, read when the run opens its target (and never
 * written anywhere): token auth from `keyFile` / `keyEnv` / $APNS_KEY_FILE with `keyId` / $APNS_KEY_ID
 * and `teamId` / $APNS_TEAM_ID; certificate auth from `certificateFile` / $APNS_CERT_FILE.
 */
export interface ApnsProviderTarget {
  /** `sandbox`, `production` or an origin URL. @default 'sandbox' */
  readonly url?: string;
  readonly keyFile?: string;
  readonly keyEnv?: string;
  readonly keyId?: string;
  readonly teamId?: string;
  readonly certificateFile?: string;
  readonly passphraseEnv?: string;
  readonly caFile?: string;
  readonly allowProduction?: boolean;
  readonly proxy?: ProxyConfig;
}

/** FCM HTTP v1: a service account from `serviceAccountFile` / `serviceAccountEnv` / $GOOGLE_APPLICATION_CREDENTIALS. */
export interface FcmProviderTarget {
  /** @default 'https://fcm.googleapis.com' */
  readonly url?: string;
  readonly serviceAccountFile?: string;
  readonly serviceAccountEnv?: string;
  readonly projectId?: string;
  /** The OAuth2 token endpoint, instead of the service account's `token_uri`. */
  readonly tokenUrl?: string;
  /** Dry run: every message sent with `validate_only: true` (FCM checks it and delivers nothing). */
  readonly validateOnly?: boolean;
  readonly allowProduction?: boolean;
  readonly caFile?: string;
  readonly proxy?: ProxyConfig;
}

/** Web Push: VAPID keys from `vapidFile` or $VAPID_PUBLIC_KEY / $VAPID_PRIVATE_KEY / $VAPID_SUBJECT, and the subscriptions to push to. */
export interface WebPushProviderTarget {
  readonly vapidFile?: string;
  readonly subject?: string;
  readonly subscriptionsFile: string;
  /** Push services not on this machine (the browsers' real ones) need this. */
  readonly allowPushServices?: boolean;
  readonly caFile?: string;
}

/** Real providers (or anything reachable by URL), each named with its credentials; several split the load by `mix`. */
export interface ProvidersTarget {
  readonly kind: 'providers';
  readonly apns?: ApnsProviderTarget;
  readonly fcm?: FcmProviderTarget;
  readonly webpush?: WebPushProviderTarget;
}

export type Target = MockTarget | UrlTarget | ProvidersTarget;

/** Caps for a run against real providers (scenarios/safety.ts): a file can lower the command line's ceilings, never raise them. */
export interface SafetyConfig {
  /** Notifications in all, warm-up included. */
  readonly maxNotifications?: number;
  /** Notifications per second. */
  readonly maxRate?: number;
}

export interface ScenarioConfig {
  readonly name: string;
  readonly description: string;
  readonly target: Target;
  /** The load model (scenarios/executors/): a constant or a ramping arrival rate. */
  readonly load: LoadConfig;
  /**
   * Weights of the target's providers (normalized), e.g. `{ apns: 0.6, fcm: 0.3, webpush: 0.1 }`:
   * notification i goes to a provider drawn from them with `tokens.seed` (scenarios/mix.ts).
   * @default an equal share for each provider of the target
   */
  readonly mix?: ProviderMix;
  readonly tokens: {
    /** Recipients in all, split between the providers by the mix. */
    readonly count: number;
    /**
     * Share of each provider's recipients that are dead: APNs 410 Unregistered, FCM 404
     * UNREGISTERED, Web Push expired subscriptions (410 Gone). Mock targets only.
     */
    readonly unregisteredRatio: number;
    readonly seed: number;
  };
  readonly notification: {
    readonly topic: string;
    readonly pushType: ApnsPushType;
    readonly priority?: 10 | 5 | 1;
    readonly payload: object;
    /** Title and body for FCM and Web Push (default: the APNs alert's); `{{name}}` placeholders are filled per recipient (notification-template.ts). */
    readonly title?: string;
    readonly body?: string;
    /** Key-value data: FCM `data`, Web Push `data`; from a file without `payload`, also top-level keys of the APNs payload. */
    readonly data?: Readonly<Record<string, string>>;
  };
  readonly sender: {
    readonly connections: number;
    readonly maxInFlight: number;
    readonly maxQueue: number;
    readonly requestTimeoutMs: number;
  };
  /** After the last notification is fired, how long to wait for answers before giving up on them. */
  readonly gracefulStopMs: number;
  /** Retry and circuit breaker (sender/policies.ts); both on with their defaults when absent. */
  readonly policies?: Pick<ResiliencePolicies, 'retry' | 'circuitBreaker'>;
  /**
   * Notifications sent before the measured run and left out of the result, so the first second
   * measures the provider rather than V8 compiling pushsim. @default 0
   */
  readonly warmup?: number;
  /** Pass/fail criteria (scenarios/thresholds.ts); a failed one makes `pushsim run` exit 99. */
  readonly thresholds?: readonly string[];
  /**
   * Faults the embedded mocks inject (simulator/faults/: kinds, phases, seed), each mock applying
   * those meant for its provider. They start with the measured run, after a healthy warm-up, so
   * phases line up with the result. Mock targets only: in front of an external origin, run
   * `pushsim proxy --faults FILE` and point `target.url` at the proxy.
   */
  readonly faults?: FaultsDocument;
  /**
   * When a run is not a valid measurement of the target because pushsim fell behind its schedule
   * (scenarios/overload.ts), and whether that fails it (exit 97). @default the bounds of validityDefaults, failing
   */
  readonly validity?: ValidityConfig;
  /** Caps for a run against real providers; see SafetyConfig. */
  readonly safety?: SafetyConfig;
  /**
   * Recipients from a CSV / NDJSON / JSON file (recipients-config.ts), streamed, instead of the
   * generated tokens: notification i goes to row i mod rows, to its first channel among the
   * target's providers, falling back to its others (recipients-send.ts).
   */
  readonly recipients?: RecipientsConfig;
}

const productionHosts = new Set(['api.push.apple.com']);
/** The mock Web Push service creates at most this many subscriptions (simulator/webpush/options.ts). */
const maxSubscriptions = 100_000;

/**
 * Bounds on what a user could mistype (docs/limits.md): a token count that would fill the heap, a
 * rate so low the run never ends, a timeout that never fires.
 */
export const scenarioLimits = {
  /** Recipients are made up front (~100 bytes each, and every dead one can end up in result.json). */
  maxTokens: 1_000_000,
  /** The load's planned duration: a longer soak is several runs. */
  maxPlannedMs: 24 * 3600 * 1000,
  maxConnections: 1024,
  maxInFlight: 1_000_000,
  maxQueue: 10_000_000,
  /** requestTimeoutMs and gracefulStopMs. */
  maxWaitMs: 3600 * 1000,
  maxThresholds: 100,
} as const;

/** The providers a target sends to, in the order it names them. A URL target is APNs. */
export function targetProviders(target: Target): readonly Provider[] {
  if (target.kind === 'url') return ['apns'];
  if (target.kind === 'providers') return mixProviders.filter((p) => target[p] !== undefined);
  return Array.isArray(target.provider) ? target.provider : [target.provider as Provider];
}

export function validateScenario(config: ScenarioConfig): string[] {
  const problems: string[] = [];
  const { target, tokens, sender, notification } = config;
  if (typeof config.name !== 'string' || config.name.length === 0) problems.push('name must be a non-empty string');
  if (target.kind === 'mock') {
    pushAll(problems, validateMockProviders(target.provider));
    pushAll(problems, validateLatencySpec(target.latency).map((p) => `target.${p}`));
    if (problems.length === 0) pushAll(problems, validateProfileTarget(target.profile, targetProviders(target)));
  } else if (target.kind === 'providers') {
    pushAll(problems, validateProvidersTarget(target));
  } else {
    let url: URL | undefined;
    try {
      url = new URL(target.url);
    } catch {
      problems.push(`target.url must be a URL such as https://127.0.0.1:8443, got ${JSON.stringify(target.url)}`);
    }
    if (url && productionHosts.has(url.hostname) && target.allowProduction !== true) {
      problems.push(`target.url points at Apple's production service (${url.hostname}); set target.allowProduction: true if you really mean to send real notifications`);
    }
  }
  const loadProblems = validateLoad(config.load);
  pushAll(problems, loadProblems);
  const plannedMs = loadProblems.length === 0 ? plannedDurationMs(config.load) : undefined;
  if (plannedMs !== undefined && plannedMs > scenarioLimits.maxPlannedMs) {
    problems.push(`load plans ${Math.round(plannedMs / 1000)} s of sending; at most ${scenarioLimits.maxPlannedMs / 1000} s (24 h) are allowed: raise the rate or lower the count (is the rate per second?)`);
  }
  const providers = targetProviders(target);
  const mixProblems =
    target.kind === 'mock'
      ? validateMix(config.mix, providers, 'target.mock')
      : target.kind === 'providers'
        ? validateMix(config.mix, providers, 'the target')
        : validateMix(config.mix, providers, 'the target', 'a URL target is an APNs origin; remove its weight, or send to the mocks with target.mock');
  pushAll(problems, mixProblems);
  if (!Number.isInteger(tokens.count) || tokens.count < 1 || tokens.count > scenarioLimits.maxTokens) {
    problems.push(`tokens.count must be a whole number from 1 to ${scenarioLimits.maxTokens}, got ${JSON.stringify(tokens.count)}`);
  } else if (mixProblems.length === 0 && providers.every((p) => mixProviders.includes(p))) {
    const subscriptions = populationSizes(tokens.count, mixShares(config.mix, providers)).get('webpush') ?? 0;
    if (subscriptions > maxSubscriptions) problems.push(`tokens.count gives Web Push ${subscriptions} subscriptions; the mock makes at most ${maxSubscriptions}, so lower tokens.count or the webpush weight`);
  }
  if (!(tokens.unregisteredRatio >= 0 && tokens.unregisteredRatio <= 1)) problems.push(`tokens.unregisteredRatio must be from 0 to 1, got ${JSON.stringify(tokens.unregisteredRatio)}`);
  const whole = (path: string, value: unknown, min: number, max: number): void => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) problems.push(`${path} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  };
  // Checked here, not only where the seed is used: a scenario file's own number is its to fix (exit 104 at its line), not a flag's (exit 2).
  whole('tokens.seed', tokens.seed, 0, Number.MAX_SAFE_INTEGER);
  if (typeof notification.topic !== 'string' || notification.topic.length === 0) problems.push('notification.topic must be a bundle id such as com.example.app');
  if (!apnsPushTypes.includes(notification.pushType)) problems.push(`notification.pushType must be one of ${apnsPushTypes.join(', ')}, got ${JSON.stringify(notification.pushType)}`);
  whole('sender.connections', sender.connections, 1, scenarioLimits.maxConnections);
  whole('sender.maxInFlight', sender.maxInFlight, 1, scenarioLimits.maxInFlight);
  whole('sender.maxQueue', sender.maxQueue, 0, scenarioLimits.maxQueue);
  whole('sender.requestTimeoutMs', sender.requestTimeoutMs, 1, scenarioLimits.maxWaitMs);
  whole('gracefulStopMs', config.gracefulStopMs, 0, scenarioLimits.maxWaitMs);
  if (config.warmup !== undefined && (!Number.isInteger(config.warmup) || config.warmup < 0 || config.warmup > 1_000_000)) {
    problems.push(`warmup must be a whole number of notifications from 0 to 1000000, got ${JSON.stringify(config.warmup)}`);
  }
  if (config.thresholds !== undefined) {
    if (config.thresholds.length > scenarioLimits.maxThresholds) problems.push(`thresholds: ${config.thresholds.length} given; at most ${scenarioLimits.maxThresholds}`);
    else pushAll(problems, validateThresholds(config.thresholds));
  }
  pushAll(problems, validatePolicies(config.policies));
  pushAll(problems, validateValidity(config.validity));
  pushAll(problems, validateSafety(config.safety));
  pushAll(problems, validateRecipients(config.recipients, notification, config.mix !== undefined, providers));
  if (config.faults !== undefined) {
    if (target.kind === 'url') {
      problems.push('faults apply to the embedded mocks (target.mock); in front of an external origin run `pushsim proxy --upstream URL --faults FILE` and point target.url at the proxy');
    } else if (target.kind === 'providers') {
      problems.push('faults apply to the embedded mocks (target.mock); in front of a real provider give it a proxy: target.apns.proxy: { faults: FILE }');
    } else {
      pushAll(problems, validateFaultsDocument(config.faults).map((p) => `faults.${p}`));
    }
  }
  return problems;
}

/** The named APNs hosts (protocols.md §1.1). */
export const apnsHosts = { sandbox: 'https://api.sandbox.push.apple.com', production: 'https://api.push.apple.com' } as const;
export const fcmOrigin = 'https://fcm.googleapis.com';

/** An APNs target's origin: `sandbox` and `production` by name, else the URL as given. */
export function apnsOrigin(url: string | undefined): string {
  return url === undefined || url === 'sandbox' ? apnsHosts.sandbox : url === 'production' ? apnsHosts.production : url;
}

function validateProvidersTarget(target: ProvidersTarget): string[] {
  const problems: string[] = [];
  if (targetProviders(target).length === 0) problems.push('target must name at least one provider: apns, fcm or webpush');
  const origin = (path: string, url: string): URL | undefined => {
    try {
      const parsed = new URL(url);
      if (parsed.protocol === 'https:' || parsed.protocol === 'http:') return parsed;
    } catch {
      // reported below
    }
    problems.push(`${path} must be an http(s) URL such as https://127.0.0.1:8443${path.startsWith('target.apns') ? ', or sandbox / production' : ''}, got ${JSON.stringify(url)}`);
    return undefined;
  };
  const { apns, fcm, webpush } = target;
  if (apns !== undefined) {
    origin('target.apns.url', apnsOrigin(apns.url));
    const token = apns.keyFile !== undefined || apns.keyEnv !== undefined;
    if (token && apns.certificateFile !== undefined) problems.push('target.apns: give token auth (keyFile or keyEnv) or certificate auth (certificateFile), not both');
    if (apns.keyFile !== undefined && apns.keyEnv !== undefined) problems.push('target.apns: give the key as keyFile or as keyEnv, not both');
  }
  if (fcm !== undefined) {
    if (fcm.url !== undefined) origin('target.fcm.url', fcm.url);
    if (fcm.tokenUrl !== undefined) origin('target.fcm.tokenUrl', fcm.tokenUrl);
    if (fcm.serviceAccountFile !== undefined && fcm.serviceAccountEnv !== undefined) problems.push('target.fcm: give the service account as serviceAccountFile or as serviceAccountEnv, not both');
  }
  if (webpush !== undefined && (typeof webpush.subscriptionsFile !== 'string' || webpush.subscriptionsFile === '')) {
    problems.push('target.webpush.subscriptionsFile must name a JSON file of push subscriptions');
  }
  if (fcm?.proxy !== undefined || apns?.proxy !== undefined) {
    for (const provider of ['apns', 'fcm'] as const) {
      const faults = target[provider]?.proxy?.faults;
      if (faults !== undefined) pushAll(problems, validateFaultsDocument(faults).map((p) => `target.${provider}.proxy.faults.${p}`));
    }
  }
  return problems;
}

function validateSafety(safety: SafetyConfig | undefined): string[] {
  if (safety === undefined) return [];
  const problems: string[] = [];
  const { maxNotifications, maxRate } = safety;
  if (maxNotifications !== undefined && (!Number.isInteger(maxNotifications) || maxNotifications < 1)) problems.push(`safety.maxNotifications must be a whole number ≥ 1, got ${JSON.stringify(maxNotifications)}`);
  if (maxRate !== undefined && (typeof maxRate !== 'number' || !(maxRate > 0) || !Number.isFinite(maxRate))) problems.push(`safety.maxRate must be a number of notifications per second > 0, got ${JSON.stringify(maxRate)}`);
  return problems;
}

function validateMockProviders(provider: MockTarget['provider']): string[] {
  const list: readonly unknown[] = typeof provider === 'string' ? [provider] : Array.isArray(provider) ? provider : [provider];
  if (list.length === 0) return [`target.mock must name at least one of ${mixProviders.join(', ')}`];
  const problems: string[] = [];
  list.forEach((p, i) => {
    if (!(mixProviders as readonly unknown[]).includes(p)) problems.push(`target.mock${typeof provider === 'string' ? '' : `[${i}]`} must be one of ${mixProviders.join(', ')}, got ${JSON.stringify(p)}`);
    else if (list.indexOf(p) !== i) problems.push(`target.mock names ${String(p)} twice`);
  });
  return problems;
}

/** The policies' own constructors hold the rules; run them here so a bad value is a config problem (104), found before the run. */
function validatePolicies(policies: ScenarioConfig['policies']): string[] {
  const problems: string[] = [];
  const classify = (): undefined => undefined;
  const attempt = (path: string, build: () => unknown): void => {
    try {
      build();
    } catch (error) {
      problems.push(`${path}: ${(error as Error).message}`);
    }
  };
  if (policies?.retry) {
    const options = policies.retry;
    attempt('policies.retry', () => retry({ ...options, classify }));
  }
  if (policies?.circuitBreaker) {
    const options = policies.circuitBreaker;
    attempt('policies.circuitBreaker', () => new CircuitBreaker({ ...options, classify }));
  }
  return problems;
}

/** How long the load plans to send (not counting the graceful stop); undefined for a model without a plan. */
export function plannedDurationMs(load: LoadConfig): number | undefined {
  if (load.executor === 'constant-arrival-rate') return (load.count / load.rate) * 1000;
  if (load.executor === 'ramping-arrival-rate') return rampingDurationMs(load);
  return undefined;
}
