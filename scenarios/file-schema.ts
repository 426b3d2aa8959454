/**
 * The shape of a scenario file (zod): what file.ts checks first, the source of the shipped JSON
 * Schema (scenarios/json-schema.ts; the descriptions here are what an editor shows), and the keys a
 * "did you mean" picks from. The numbers' ranges are checked by validateScenario (config.ts), for
 * files and code alike.
 */
import { z } from 'zod';
import type { Provider } from '../core/reasons.js';
import type { PathSegment } from '../core/locations.js';
import { latencyKinds } from '../simulator/distributions.js';
import { apnsPushTypes } from '../sender/providers/apns.js';
import { mixProviders } from './mix.js';
import { recipientsFormats } from './recipients-read.js';
import type { RecipientsFormat } from './recipients-read.js';

const positive = z.number().positive();
const whole = z.number().int();

const provider = z.enum(mixProviders as [Provider, ...Provider[]]);

const mockTarget = z.strictObject({
  mock: z
    .union([provider, z.array(provider)], { error: `must be one of ${mixProviders.join(', ')}, or a list of them such as [${mixProviders.join(', ')}]` })
    .describe('the embedded mock(s) pushsim starts and sends to; several split the load by `mix`'),
  tls: z.boolean().optional().describe('TLS with a generated certificate instead of cleartext h2c (default false)'),
  worker: z.boolean().optional().describe('run the mock APNs in a worker thread, off the sender\'s event loop (default true)'),
  latency: z
    .looseObject({ kind: z.enum(latencyKinds as [string, ...string[]]) })
    .optional()
    .describe('latency the mock APNs adds: { kind: fixed, ms } | { kind: uniform, minMs, maxMs } | { kind: normal, meanMs, stdDevMs } | { kind: lognormal, medianMs, sigma } | { kind: recorded, file, provider? } (a profile from pushsim run --record-profile)'),
  profile: z.string().optional().describe('a profile file (pushsim run --record-profile FILE): the mocks replay its per-attempt latency and answer mix for each provider it holds; relative to the scenario file'),
});
const urlTarget = z.strictObject({
  url: z.string().describe('an APNs origin that is already running: pushsim mock apns, pushsim proxy, Apple\'s sandbox'),
  provider: z.literal('apns').optional(),
  credentials: z.strictObject({ keyFile: z.string(), keyId: z.string(), teamId: z.string() }).describe('the .p8 token-signing key file and its ids'),
  caFile: z.string().optional().describe('PEM file of a CA to trust (a mock\'s generated certificate)'),
  allowProduction: z.boolean().optional().describe('sending to Apple\'s production host needs this, on purpose'),
});

/** Faults a fault proxy started for the run injects in front of a provider: a fault spec, or the path of a spec file relative to the scenario file. */
const proxyFaults = z
  .union([z.string().min(1), z.record(z.string(), z.unknown())], { error: 'must be a fault spec ({ seed?, phases?, faults: [...] }) or the path of a YAML/JSON spec file' })
  .describe('the fault spec the proxy injects, inline or the path of a spec file relative to this file');
const proxy = z
  .strictObject({ faults: proxyFaults.optional() })
  .describe('start a fault proxy (pushsim proxy) for the run in front of this provider and send through it');
const caFile = z.string().optional().describe('PEM file of a CA to trust besides the system ones (a mock\'s or a proxy\'s generated certificate)');

const apnsProvider = z.strictObject({
  url: z.string().optional().describe('sandbox (https://api.sandbox.push.apple.com, the default), production (https://api.push.apple.com), or any APNs origin URL'),
  keyFile: z.string().optional().describe('token auth: the .p8 signing key file (default: the path in $APNS_KEY_FILE)'),
  keyEnv: z.string().optional().describe('token auth: the environment variable that holds the .p8 key\'s PEM text, instead of keyFile'),
  keyId: z.string().optional().describe('token auth: the key\'s 10-character id (default: $APNS_KEY_ID)'),
  teamId: z.string().optional().describe('token auth: the team id (default: $APNS_TEAM_ID)'),
  certificateFile: z.string().optional().describe('certificate auth: a PKCS#12 (.p12/.pfx) file or a PEM file with the certificate and its key (default: the path in $APNS_CERT_FILE)'),
  passphraseEnv: z.string().optional().describe('certificate auth: the environment variable holding the certificate\'s passphrase (default APNS_CERT_PASSPHRASE, when set)'),
  caFile,
  allowProduction: z.boolean().optional().describe('production needs this and `pushsim run --allow-production`: real notifications to real devices'),
  proxy: proxy.optional(),
});
const fcmProvider = z.strictObject({
  url: z.string().optional().describe('the FCM origin (default https://fcm.googleapis.com)'),
  serviceAccountFile: z.string().optional().describe('the service-account JSON file (default: the path in $GOOGLE_APPLICATION_CREDENTIALS)'),
  serviceAccountEnv: z.string().optional().describe('the environment variable that holds the service-account JSON text, instead of a file'),
  projectId: z.string().optional().describe('the Firebase project (default: the service account\'s project_id)'),
  tokenUrl: z.string().optional().describe('the OAuth2 token endpoint (default: the service account\'s token_uri, https://oauth2.googleapis.com/token)'),
  validateOnly: z.boolean().optional().describe('dry run: FCM validates every message (validate_only) and delivers none; `pushsim run --dry-run` sets it'),
  allowProduction: z.boolean().optional().describe('sending for real (not validateOnly) needs this and `pushsim run --allow-production`: FCM has no sandbox'),
  caFile,
  proxy: proxy.optional(),
});
const webPushProvider = z.strictObject({
  vapidFile: z.string().optional().describe('JSON file { publicKey, privateKey, subject } (what `pushsim mock webpush` writes); default: $VAPID_PUBLIC_KEY, $VAPID_PRIVATE_KEY, $VAPID_SUBJECT'),
  subject: z.string().optional().describe('the VAPID contact, mailto: or https: (overrides the file\'s and $VAPID_SUBJECT)'),
  subscriptionsFile: z.string().describe('JSON list of push subscriptions ({ endpoint, keys: { p256dh, auth } }, as PushSubscription.toJSON() gives)'),
  allowPushServices: z.boolean().optional().describe('sending to a push service that is not on this machine (real browsers) needs this, on purpose'),
  caFile,
});
export const providersTarget = z.strictObject({
  apns: apnsProvider.optional().describe('APNs: sandbox, production or a URL; token (.p8) or certificate auth'),
  fcm: fcmProvider.optional().describe('FCM HTTP v1: a service account; validateOnly for a dry run'),
  webpush: webPushProvider.optional().describe('Web Push: VAPID keys and the subscriptions to send to'),
});

/** The two shapes of each `eitherOf` schema: the JSON Schema offers both, and "did you mean" knows both's keys. */
export const alternatives = new WeakMap<z.ZodType, readonly z.ZodType[]>();

/**
 * One of two shapes, chosen from the value (`isSecond`) before checking it: a plain union would
 * report only "Invalid input" for the whole section instead of the field at fault.
 */
function eitherOf<A extends z.ZodType, B extends z.ZodType>(first: A, second: B, isSecond: (value: object) => boolean) {
  const schema = z.unknown().transform((value, ctx): z.output<A> | z.output<B> => {
    const chosen = typeof value === 'object' && value !== null && isSecond(value) ? second : first;
    const parsed = chosen.safeParse(value);
    if (parsed.success) return parsed.data as z.output<A> | z.output<B>;
    // Re-raised as they are, under this value's path; an unknown key carries the chosen shape's keys for "did you mean".
    for (const issue of parsed.error.issues) {
      // (A nested eitherOf already chose: its keys are kept.)
      const known = issue.code === 'unrecognized_keys' && !('known' in issue) ? { known: keysAt(chosen, issue.path as PathSegment[]) } : {};
      ctx.issues.push({ ...issue, ...known, input: value } as (typeof ctx.issues)[number]);
    }
    return z.NEVER;
  });
  alternatives.set(schema, [first, second]);
  return schema;
}

/** Mock, URL (APNs) or real providers, chosen by key. */
const target = eitherOf(
  mockTarget,
  eitherOf(urlTarget, providersTarget, (value) => !('url' in value)),
  (value) => 'url' in value || 'apns' in value || 'fcm' in value || 'webpush' in value,
);

export const constantLoad = z.strictObject({
  executor: z.literal('constant-arrival-rate').optional().describe('open model, a constant rate (the default)'),
  rate: positive.optional().describe('notifications per second (default 5000)'),
  count: whole.optional().describe('notifications in the measured run (default 50000)'),
});
const rampingLoad = z.strictObject({
  executor: z.literal('ramping-arrival-rate').describe('open model, the rate moving linearly stage by stage'),
  startRate: z.number().optional().describe('rate at the start, per second (default 0)'),
  stages: z.array(z.strictObject({ durationMs: whole, target: z.number().describe('rate reached at the end of the stage, per second') })),
});
const closedLoad = z.strictObject({
  executor: z.literal('closed').describe('closed model: a fixed number in flight, the next sent when one is answered (the maximum throughput; latency not corrected for coordinated omission)'),
  inFlight: whole.describe('notifications kept in flight'),
  count: whole.optional().describe('stop after this many'),
  durationMs: whole.optional().describe('or after this long, whichever comes first'),
});
const executorOf = (value: object): unknown => (value as { executor?: unknown }).executor;
/** Constant unless `executor` names a ramp or the closed model; the numbers themselves are checked by validateLoad. */
const load = eitherOf(
  constantLoad,
  eitherOf(rampingLoad, closedLoad, (value) => executorOf(value) === 'closed'),
  (value) => executorOf(value) === 'ramping-arrival-rate' || executorOf(value) === 'closed',
);

const retryPolicy = z.union([
  z.literal(false),
  z.strictObject({
    maxAttempts: whole.optional().describe('attempts in all, the first included (default 5)'),
    baseDelayMs: whole.optional().describe('backoff base: a retry waits random(0, min(maxDelayMs, baseDelayMs · 2^n)) (default 100)'),
    maxDelayMs: whole.optional().describe('longest backoff (default 30000)'),
    maxRetryAfterMs: whole.optional().describe('a Retry-After longer than this is not waited for (default 60000)'),
    retryMaybeProcessed: z.boolean().optional().describe('also retry failures the provider may have processed: timeouts, resets mid-request (risks duplicates; default true)'),
    budget: z.strictObject({ ratio: z.number().optional().describe('retries allowed per first attempt (default 0.2)'), reserve: z.number().optional().describe('retries always available, for low traffic (default 10)') }).optional(),
  }),
]);
const breakerPolicy = z.union([
  z.literal(false),
  z.strictObject({
    errorRate: z.number().optional().describe('error rate (0-1] over the window that opens the circuit (default 0.5)'),
    minRequests: whole.optional().describe('requests the window must hold before the error rate counts (default 20)'),
    consecutiveFailures: whole.optional().describe('consecutive failures that open the circuit whatever the rate (default 50)'),
    windowMs: whole.optional().describe('rolling window length, in 10 buckets (default 10000)'),
    openMs: whole.optional().describe('how long the circuit stays open before probing (default 5000)'),
    halfOpenProbes: whole.optional().describe('probes allowed at once while half-open (default 1)'),
  }),
]);

export const fileSchema = z.strictObject({
  name: z.string().min(1).describe('the scenario\'s name, in reports and result.json'),
  description: z.string().optional(),
  target: target.optional().describe('where to send: the embedded mocks (`mock`), a running APNs origin (`url`), or real providers (`apns`, `fcm`, `webpush`); default: the mock APNs'),
  load: load.optional().describe('the load model: a constant rate (default), `executor: ramping-arrival-rate` with stages, or `executor: closed`'),
  // Only the shape here: weights ≥ 0, a sum > 0 and providers of the target are checked by validateMix, for files and code alike.
  mix: z
    .strictObject({ apns: z.number().optional(), fcm: z.number().optional(), webpush: z.number().optional() })
    .optional()
    .describe('weights of the target\'s providers (normalized); equal shares when absent'),
  tokens: z
    .strictObject({
      count: whole.optional().describe('recipients in all, split between the providers by the mix (default 10000)'),
      unregisteredRatio: z.number().optional().describe('share of dead recipients: APNs 410 Unregistered, FCM 404 UNREGISTERED, Web Push 410 Gone (default 0.02; mocks only)'),
      seed: whole.optional().describe('seed of the recipients and the mix (default 1)'),
    })
    .optional(),
  notification: z
    .strictObject({
      topic: z.string().optional().describe('APNs apns-topic: the app\'s bundle id (default com.example.pushsim)'),
      pushType: z.enum(apnsPushTypes).optional().describe('APNs apns-push-type (default alert)'),
      priority: z.union([z.literal(10), z.literal(5), z.literal(1)], { error: 'must be 10, 5 or 1' }).optional().describe('APNs apns-priority: 10 now, 5 power-considerate, 1 low (default 10)'),
      payload: z.record(z.string(), z.unknown()).optional().describe('the APNs JSON payload ({ aps: { alert, badge, sound } }); strings may hold {{variable}} placeholders filled per recipient'),
      title: z.string().optional().describe('title for FCM and Web Push (default: the APNs alert\'s title); may hold {{variable}} placeholders'),
      body: z.string().optional().describe('body for FCM and Web Push (default: the APNs alert\'s body); may hold {{variable}} placeholders'),
      data: z.record(z.string(), z.string()).optional().describe('key-value data for FCM `data` and Web Push `data` (and the APNs payload when `payload` is not given); values may hold {{variable}} placeholders'),
    })
    .optional()
    .describe('what each notification carries: one template, encoded for each provider'),
  sender: z
    .strictObject({
      connections: whole.optional().describe('HTTP/2 connections per provider (Web Push: per push-service origin), 1 to 1024 (default 1)'),
      maxInFlight: whole.optional().describe('requests on the wire per provider, pushsim\'s own limit (default 1000)'),
      maxQueue: whole.optional().describe('requests waiting for a stream before pushsim sheds load (queue-full) (default 100000)'),
      requestTimeoutMs: whole.optional().describe('a request unanswered this long is a timeout (default 10000)'),
    })
    .optional()
    .describe('the HTTP/2 sender\'s pool, one per provider'),
  policies: z
    .strictObject({ retry: retryPolicy.optional().describe('retry with backoff, or false'), circuitBreaker: breakerPolicy.optional().describe('circuit breaker, or false') })
    .optional()
    .describe('resilience policies; both on with their defaults when absent'),
  gracefulStopMs: whole.optional().describe('after the last notification is sent, how long to wait for answers before cutting them (pushsim\'s shutdown) (default 15000)'),
  warmup: whole.optional().describe('notifications sent first and left out of the result, so the run starts warm (default 5000)'),
  thresholds: z.array(z.string()).optional().describe('pass/fail criteria such as "p(99)<250" or "rate(accepted)>=0.97"; a failed one exits 99'),
  // The numbers are checked by validateValidity, for files and code alike.
  validity: z
    .strictObject({
      maxSendLagMs: z.number().optional().describe('p99 of the send lag (planned → on the wire), in ms, above which a run pushsim held back is not valid (default 1000)'),
      maxShedPercent: z.number().optional().describe('percentage of notifications pushsim may shed itself (default 0)'),
      failOnOverload: z.boolean().optional().describe('an invalid measurement exits 97 (default true)'),
      maxPauseSharePercent: z.number().optional().describe('pushsim\'s own pauses in % of the accepted p99 at which the run is not valid (default 50)'),
    })
    .optional()
    .describe('when the run is not a valid measurement of the target (pushsim overloaded), and whether that fails it (exit 97)'),
  // A fault spec, or the path of a spec file relative to the scenario file; checked by validateScenario.
  faults: z
    .union([z.string().min(1), z.record(z.string(), z.unknown())], { error: 'must be a fault spec ({ seed?, phases?, faults: [...] }) or the path of a YAML/JSON spec file' })
    .optional()
    .describe('faults the embedded mocks inject: a fault spec ({ seed, phases, faults }) or the path of a fault spec file, relative to this file'),  // The numbers are checked by validateSafety, for files and code alike.
  safety: z
    .strictObject({
      maxNotifications: whole.optional().describe('real providers: notifications in all (warm-up included) the run may send; at most the command line\'s ceiling (--max-notifications, default 1000)'),
      maxRate: positive.optional().describe('real providers: notifications per second at most; at most the command line\'s ceiling (--max-rate, default 50)'),
    })
    .optional()
    .describe('caps for a run against real providers (any target not on this machine); a file can lower the command line\'s ceilings, never raise them'),
  recipients: z
    .strictObject({
      file: z.string().min(1).describe('CSV, NDJSON or JSON file of recipients (apnsToken, fcmToken, webpush subscription, other columns: variables), relative to this file; streamed'),
      format: z.enum(recipientsFormats as [RecipientsFormat, ...RecipientsFormat[]]).optional().describe('csv, ndjson or json (default: from the file\'s extension)'),
    })
    .optional()
    .describe('recipients from a file instead of generated tokens: notification i goes to row i mod rows, its first channel among the target\'s providers first, the others as fallbacks'),
});

export type ScenarioFile = z.infer<typeof fileSchema>;

/** Keys the objects at `path` may have (every alternative's), for "did you mean". */
export function keysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  const keys = new Set<string>();
  const visit = (node: z.ZodType, rest: readonly PathSegment[]): void => {
    const either = alternatives.get(node);
    if (either !== undefined) return either.forEach((alternative) => visit(alternative, rest));
    const def = (node as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
    if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') return visit(def['innerType'] as z.ZodType, rest);
    if (def.type === 'union') return (def['options'] as z.ZodType[]).forEach((option) => visit(option, rest));
    if (def.type === 'array' && typeof rest[0] === 'number') return visit(def['element'] as z.ZodType, rest.slice(1));
    if (def.type !== 'object') return;
    const shape = def['shape'] as Record<string, z.ZodType>;
    if (rest.length === 0) Object.keys(shape).forEach((key) => keys.add(key));
    else {
      const next = typeof rest[0] === 'string' ? shape[rest[0]] : undefined;
      if (next !== undefined) visit(next, rest.slice(1));
    }
  };
  visit(schema, path);
  return [...keys];
}
