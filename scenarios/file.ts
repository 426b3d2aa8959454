/**
 * Scenario files (YAML or JSON). Every section is optional and falls back on the default scenario,
 * so a file says only what it changes. Problems are all reported at once, each with its path in the
 * file (k6 style), as an InvalidConfigError (exit code 104).
 *
 *   name: brownout
 *   target: { mock: apns, latency: { kind: lognormal, medianMs: 20, sigma: 0.8 } }
 *   load: { rate: 2000, count: 20000 }
 *   load: { executor: ramping-arrival-rate, startRate: 0, stages: [{ durationMs: 30000, target: 5000 }] }
 *   load: { executor: closed, inFlight: 100, count: 100000 }   # or durationMs: the most the target can take
 *   thresholds: ["p(99)<250", "rate(accepted)>=0.97"]
 *   validity: { maxSendLagMs: 1000, maxShedPercent: 0, failOnOverload: true }   # overload: exit 97
 *
 *   name: mixed                                  # several providers: one mock each
 *   target: { mock: [apns, fcm, webpush] }
 *   mix: { apns: 0.6, fcm: 0.3, webpush: 0.1 }   # weights, normalized; equal shares when absent
 */
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { parseYaml } from '../core/documents.js';
import { InvalidConfigError } from '../core/errors.js';
import { readTextFile, readTextFileSync } from '../core/files.js';
import { fileLimits } from '../core/limits.js';
import type { Provider } from '../core/reasons.js';
import { latencyKinds } from '../simulator/distributions.js';
import { parseFaultsDocument } from '../simulator/faults/spec-file.js';
import type { FaultsDocument } from '../simulator/faults/spec.js';
import { apnsPushTypes } from '../sender/providers/apns.js';
import { defaultLoad, defaultScenario } from './builtin/default.js';
import type { LoadConfig } from './executors/index.js';
import { mixProviders } from './mix.js';
import type { MockTarget, ScenarioConfig, UrlTarget } from './config.js';
import { validateScenario } from './config.js';

const positive = z.number().positive();
const whole = z.number().int();

const provider = z.enum(mixProviders as [Provider, ...Provider[]]);

const mockTarget = z.strictObject({
  mock: z.union([provider, z.array(provider)], { error: `must be one of ${mixProviders.join(', ')}, or a list of them such as [${mixProviders.join(', ')}]` }),
  tls: z.boolean().optional(),
  worker: z.boolean().optional(),
  latency: z.looseObject({ kind: z.enum(latencyKinds as [string, ...string[]]) }).optional(),
});
const urlTarget = z.strictObject({
  url: z.string(),
  provider: z.literal('apns').optional(),
  credentials: z.strictObject({ keyFile: z.string(), keyId: z.string(), teamId: z.string() }),
  caFile: z.string().optional(),
  allowProduction: z.boolean().optional(),
});

/**
 * One of two shapes, chosen from the value (`isSecond`) before checking it: a plain union would
 * report only "Invalid input" for the whole section instead of the field at fault.
 */
function eitherOf<A extends z.ZodType, B extends z.ZodType>(first: A, second: B, isSecond: (value: object) => boolean) {
  return z.unknown().transform((value, ctx): z.output<A> | z.output<B> => {
    const schema = typeof value === 'object' && value !== null && isSecond(value) ? second : first;
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data as z.output<A> | z.output<B>;
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
    return z.NEVER;
  });
}

/** Mock or URL, chosen by key. */
const target = eitherOf(mockTarget, urlTarget, (value) => 'url' in value);

const constantLoad = z.strictObject({ executor: z.literal('constant-arrival-rate').optional(), rate: positive.optional(), count: whole.optional() });
const rampingLoad = z.strictObject({
  executor: z.literal('ramping-arrival-rate'),
  startRate: z.number().optional(),
  stages: z.array(z.strictObject({ durationMs: whole, target: z.number() })),
});
const closedLoad = z.strictObject({ executor: z.literal('closed'), inFlight: whole, count: whole.optional(), durationMs: whole.optional() });
const executorOf = (value: object): unknown => (value as { executor?: unknown }).executor;
/** Constant unless `executor` names a ramp or the closed model; the numbers themselves are checked by validateLoad. */
const load = eitherOf(
  constantLoad,
  eitherOf(rampingLoad, closedLoad, (value) => executorOf(value) === 'closed'),
  (value) => executorOf(value) === 'ramping-arrival-rate' || executorOf(value) === 'closed',
);

const retryPolicy = z.union([
  z.literal(false),
  z.strictObject({ maxAttempts: whole.optional(), baseDelayMs: whole.optional(), maxDelayMs: whole.optional(), maxRetryAfterMs: whole.optional(), retryMaybeProcessed: z.boolean().optional(), budget: z.strictObject({ ratio: z.number().optional(), reserve: z.number().optional() }).optional() }),
]);
const breakerPolicy = z.union([
  z.literal(false),
  z.strictObject({ errorRate: z.number().optional(), minRequests: whole.optional(), consecutiveFailures: whole.optional(), windowMs: whole.optional(), openMs: whole.optional(), halfOpenProbes: whole.optional() }),
]);

const fileSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  target: target.optional(),
  load: load.optional(),
  // Only the shape here: weights ≥ 0, a sum > 0 and providers of the target are checked by validateMix, for files and code alike.
  mix: z.strictObject({ apns: z.number().optional(), fcm: z.number().optional(), webpush: z.number().optional() }).optional(),
  tokens: z.strictObject({ count: whole.optional(), unregisteredRatio: z.number().optional(), seed: whole.optional() }).optional(),
  notification: z
    .strictObject({ topic: z.string().optional(), pushType: z.enum(apnsPushTypes).optional(), priority: z.union([z.literal(10), z.literal(5), z.literal(1)]).optional(), payload: z.record(z.string(), z.unknown()).optional() })
    .optional(),
  sender: z.strictObject({ connections: whole.optional(), maxInFlight: whole.optional(), maxQueue: whole.optional(), requestTimeoutMs: whole.optional() }).optional(),
  policies: z.strictObject({ retry: retryPolicy.optional(), circuitBreaker: breakerPolicy.optional() }).optional(),
  gracefulStopMs: whole.optional(),
  warmup: whole.optional(),
  thresholds: z.array(z.string()).optional(),
  // The numbers are checked by validateValidity, for files and code alike.
  validity: z.strictObject({ maxSendLagMs: z.number().optional(), maxShedPercent: z.number().optional(), failOnOverload: z.boolean().optional(), maxPauseSharePercent: z.number().optional() }).optional(),
  // A fault spec, or the path of a spec file relative to the scenario file; checked by validateScenario.
  faults: z.union([z.string().min(1), z.record(z.string(), z.unknown())], { error: 'must be a fault spec ({ seed?, phases?, faults: [...] }) or the path of a YAML/JSON spec file' }).optional(),
});

type ScenarioFile = z.infer<typeof fileSchema>;

/** Reads, parses and validates a scenario file; a `faults` path is read relative to it. */
export async function loadScenarioFile(path: string): Promise<ScenarioConfig> {
  const { text, problem } = await readTextFile(path, fileLimits.scenario);
  if (problem !== undefined) throw new InvalidConfigError(path, [`the file ${problem}`]);
  return parseScenario(text, path, dirname(path));
}

/** Parses YAML or JSON text (JSON is YAML) into a validated ScenarioConfig; a `faults` path is relative to `baseDir`. */
export function parseScenario(text: string, source: string, baseDir = '.'): ScenarioConfig {
  const document = parseYaml(text, { source });
  const parsed = fileSchema.safeParse(document);
  if (!parsed.success) {
    throw new InvalidConfigError(source, parsed.error.issues.map((issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`));
  }
  const faults = resolveFaults(parsed.data.faults, baseDir);
  const config = toConfig(parsed.data, typeof faults === 'string' ? undefined : faults);
  // A broken spec file's problems are listed with the scenario's own, not after they are fixed.
  const problems = [...(typeof faults === 'string' ? [faults] : []), ...validateScenario(config)];
  if (problems.length > 0) throw new InvalidConfigError(source, problems);
  return config;
}

/** A ramp as written; a constant rate with what it leaves out taken from the default scenario. */
function toLoad(load: ScenarioFile['load']): LoadConfig {
  if (load?.executor === 'ramping-arrival-rate') return { executor: 'ramping-arrival-rate', stages: load.stages, ...(load.startRate !== undefined && { startRate: load.startRate }) };
  if (load?.executor === 'closed') {
    return { executor: 'closed', inFlight: load.inFlight, ...(load.count !== undefined && { count: load.count }), ...(load.durationMs !== undefined && { durationMs: load.durationMs }) };
  }
  const constant = load as z.output<typeof constantLoad> | undefined;
  return { executor: 'constant-arrival-rate', rate: constant?.rate ?? defaultLoad.rate, count: constant?.count ?? defaultLoad.count };
}

/** The spec itself, read from its file when given as a path; a string is the problem with that file. */
function resolveFaults(faults: ScenarioFile['faults'], baseDir: string): FaultsDocument | undefined | string {
  if (typeof faults !== 'string') return faults as FaultsDocument | undefined;
  const path = resolve(baseDir, faults);
  const { text, problem } = readTextFileSync(path, fileLimits.faultSpec);
  if (problem !== undefined) return `faults: the fault spec ${path} ${problem}; the path is relative to the scenario file`;
  try {
    return parseFaultsDocument(text, path);
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    return `faults: the fault spec ${path} has ${error.problems.length} problem(s): ${error.problems.join('; ')}`;
  }
}

function toConfig(file: ScenarioFile, faults: FaultsDocument | undefined): ScenarioConfig {
  const base = defaultScenario;
  const t = file.target;
  let target: MockTarget | UrlTarget = base.target;
  if (t && 'mock' in t) {
    const defaults = base.target as MockTarget;
    target = { kind: 'mock', provider: t.mock, tls: t.tls ?? defaults.tls, worker: t.worker ?? defaults.worker, latency: (t.latency as MockTarget['latency'] | undefined) ?? defaults.latency };
  } else if (t) {
    target = { kind: 'url', provider: 'apns', url: t.url, credentials: t.credentials, ...(t.caFile !== undefined && { caFile: t.caFile }), ...(t.allowProduction !== undefined && { allowProduction: t.allowProduction }) };
  }
  return {
    name: file.name,
    description: file.description ?? `scenario ${file.name}`,
    target,
    load: toLoad(file.load),
    ...(file.mix !== undefined && { mix: file.mix }),
    tokens: { ...base.tokens, ...file.tokens },
    notification: { ...base.notification, ...file.notification } as ScenarioConfig['notification'],
    sender: { ...base.sender, ...file.sender },
    gracefulStopMs: file.gracefulStopMs ?? base.gracefulStopMs,
    ...((file.warmup ?? base.warmup) !== undefined && { warmup: file.warmup ?? base.warmup }),
    ...(file.policies !== undefined && { policies: file.policies }),
    ...(file.thresholds !== undefined && { thresholds: file.thresholds }),
    ...(file.validity !== undefined && { validity: file.validity }),
    ...(faults !== undefined && { faults }),
  };
}
