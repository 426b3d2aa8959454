/**
 * Scenario files (YAML or JSON). Every section is optional and falls back on the default scenario,
 * so a file says only what it changes. Problems are all reported at once — a wrong shape does not
 * hide the others — each with its path in the file (k6 style) and its line and column, an unknown
 * key with the closest known one, as an InvalidConfigError (exit code 104).
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
import type { z } from 'zod';
import { parseYamlLocated } from '../core/documents.js';
import type { ProblemLocation } from '../core/errors.js';
import { InvalidConfigError } from '../core/errors.js';
import { readTextFile, readTextFileSync } from '../core/files.js';
import { fileLimits } from '../core/limits.js';
import type { Locate, PathSegment } from '../core/locations.js';
import { didYouMean } from '../core/did-you-mean.js';
import { formatPath, locateProblem } from '../core/locations.js';
import { parseFaultsDocument } from '../simulator/faults/spec-file.js';
import { resolveProfilePaths } from './profile-target.js';
import type { FaultsDocument } from '../simulator/faults/spec.js';
import { defaultLoad, defaultScenario } from './builtin/default.js';
import type { LoadConfig } from './executors/index.js';
import type { MockTarget, ProvidersTarget, ScenarioConfig, Target } from './config.js';
import { validateScenario } from './config.js';
import { apnsPayloadFrom } from './notification-template.js';
import type { ScenarioFile, constantLoad, providersTarget as providersTargetSchema } from './file-schema.js';
import { isRealTarget } from './safety.js';
import { fileSchema, keysAt } from './file-schema.js';

/** A problem and where it is (in the scenario, or in the fault spec file it names). */
interface Problem {
  readonly message: string;
  readonly location: ProblemLocation | undefined;
}

/** Reads, parses and validates a scenario file; a `faults` path is read relative to it. */
export async function loadScenarioFile(path: string): Promise<ScenarioConfig> {
  const { text, problem } = await readTextFile(path, fileLimits.scenario);
  if (problem !== undefined) throw new InvalidConfigError(path, [`the file ${problem}`]);
  return parseScenario(text, path, dirname(path));
}

/** Parses YAML or JSON text (JSON is YAML) into a validated ScenarioConfig; a `faults` path is relative to `baseDir`. */
export function parseScenario(text: string, source: string, baseDir = '.'): ScenarioConfig {
  const { value, locate } = parseYamlLocated(text, { source });
  const problems: Problem[] = [];
  const removed: string[] = [];
  const file = checkShape(value, locate, problems, removed);
  if (file !== undefined) {
    for (const message of resolveProfilePaths(file.target as Record<string, unknown> | undefined, baseDir)) problems.push({ message, location: locate(['target', 'profile']) });
    const faults = resolveFaults(file.faults, baseDir, locate);
    // A broken spec file's problems are listed with the scenario's own, not after they are fixed.
    if (Array.isArray(faults)) problems.push(...faults);
    const proxyFaults = resolveProxyFaults(file.target, baseDir, locate, problems);
    const config = toConfig(file, Array.isArray(faults) ? undefined : (faults as FaultsDocument | undefined), proxyFaults, baseDir);
    for (const message of validateScenario(config)) {
      // A removed value's default is not what the user wrote: problems about it would mislead.
      if (removed.some((path) => message.startsWith(path) || message.includes(` ${path}`))) continue;
      problems.push({ message, location: locateProblem(message, locate) });
    }
    if (problems.length === 0) return config;
  }
  throw new InvalidConfigError(
    source,
    problems.map((p) => p.message),
    problems.map((p) => p.location),
  );
}

/** Rounds of the shape check: each removes what the last found wrong, so the rest can be checked. */
const maxShapeRounds = 10;

/**
 * The file's shape checked, every problem added to `problems`. A wrong value is removed (its default
 * applies; its path added to `removed`) and the shape checked again, so the caller can still check
 * the numbers of everything else (a shape error does not hide the others); undefined when nothing is
 * left to check. The problems are the first round's: later rounds only see what removing made.
 */
function checkShape(value: unknown, locate: Locate, problems: Problem[], removed: string[]): ScenarioFile | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.push({ message: `a scenario must be a mapping of keys (name, target, load, …), got ${Array.isArray(value) ? 'a list' : value === null || value === undefined ? 'an empty file' : typeof value}`, location: locate([]) });
    return undefined;
  }
  let data = structuredClone(value) as Record<string, unknown>;
  for (let round = 0; round < maxShapeRounds; round++) {
    const parsed = fileSchema.safeParse(data);
    if (parsed.success) return parsed.data;
    let repaired = false;
    for (const issue of parsed.error.issues) {
      for (const problem of describeIssue(issue, locate)) {
        if (round === 0) problems.push({ message: problem.message, location: problem.location });
        const gone = remove(data, problem.path);
        if (gone !== undefined) removed.push(gone);
        repaired ||= gone !== undefined;
      }
    }
    // `name` is the one key without a default: a stand-in lets the rest be checked.
    if (typeof data['name'] !== 'string' || data['name'] === '') {
      data = { ...data, name: 'scenario' };
      repaired = true;
    }
    if (!repaired) return undefined;
  }
  return undefined;
}

/** One problem per issue, one per key for unknown keys (each with its own position and suggestion). */
function describeIssue(issue: z.core.$ZodIssue, locate: Locate): { message: string; path: PathSegment[]; location: ProblemLocation | undefined }[] {
  const path = issue.path as PathSegment[];
  if (issue.code === 'unrecognized_keys') {
    const known = (issue as { known?: string[] }).known ?? keysAt(fileSchema, path);
    const where = path.length === 0 ? 'a scenario' : formatPath(path);
    return issue.keys.map((key) => {
      const suggestion = didYouMean(key, known);
      const listed = suggestion === '' ? ` (its fields: ${known.join(', ')})` : suggestion;
      return { message: `${formatPath([...path, key])} is not a field of ${where}${listed}`, path: [...path, key], location: locate([...path, key]) };
    });
  }
  // zod says "expected number, received undefined" for a key left out.
  const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
  const message = missing ? `${formatPath(path)} is required (${issue.expected})` : `${formatPath(path) || '(top level)'}: ${issue.message}`;
  return [{ message, path, location: locate(path) }];
}

/** Deletes the value at `path`, or the section holding it when it is already absent (a required key missing); the path deleted. */
function remove(data: Record<string, unknown>, path: readonly PathSegment[]): string | undefined {
  for (let depth = path.length; depth > 0; depth--) {
    let node: unknown = data;
    for (const segment of path.slice(0, depth - 1)) node = typeof node === 'object' && node !== null ? (node as Record<PathSegment, unknown>)[segment] : undefined;
    const last = path[depth - 1] as PathSegment;
    if (typeof node !== 'object' || node === null || (node as Record<PathSegment, unknown>)[last] === undefined) continue;
    // A list item is not spliced out (later items would move); its list goes instead.
    if (Array.isArray(node)) continue;
    delete (node as Record<PathSegment, unknown>)[last];
    return formatPath(path.slice(0, depth));
  }
  return undefined;
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

/** The spec itself, read from its file when given as a path; a list is the problems with that file. */
function resolveFaults(faults: ScenarioFile['faults'], baseDir: string, locate: Locate, at: readonly PathSegment[] = ['faults']): FaultsDocument | undefined | Problem[] {
  if (typeof faults !== 'string') return faults as FaultsDocument | undefined;
  const path = resolve(baseDir, faults);
  const key = formatPath(at);
  const { text, problem } = readTextFileSync(path, fileLimits.faultSpec);
  if (problem !== undefined) return [{ message: `${key}: the fault spec ${path} ${problem}; the path is relative to the scenario file`, location: locate(at) }];
  try {
    return parseFaultsDocument(text, path);
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    // Each with its place in the spec file, not the scenario.
    return error.problems.map((message, i) => ({ message: `${key}: the fault spec ${path}: ${message}`, location: error.locations[i] }));
  }
}

/** The fault specs of the proxies a real-provider target asks for, read from their files; problems added to `problems`. */
function resolveProxyFaults(target: ScenarioFile['target'], baseDir: string, locate: Locate, problems: Problem[]): Partial<Record<'apns' | 'fcm', FaultsDocument>> {
  const specs: Partial<Record<'apns' | 'fcm', FaultsDocument>> = {};
  if (target === undefined || 'mock' in target || 'url' in target) return specs;
  for (const provider of ['apns', 'fcm'] as const) {
    const faults = target[provider]?.proxy?.faults;
    const resolved = resolveFaults(faults, baseDir, locate, ['target', provider, 'proxy', 'faults']);
    if (Array.isArray(resolved)) problems.push(...resolved);
    else if (resolved !== undefined) specs[provider] = resolved;
  }
  return specs;
}

/** Paths in a real-provider target, relative to the scenario file as every path in it is. */
function providersTarget(t: z.output<typeof providersTargetSchema>, proxyFaults: Partial<Record<'apns' | 'fcm', FaultsDocument>>, baseDir: string): ProvidersTarget {
  const at = (path: string | undefined): string | undefined => (path === undefined ? undefined : resolve(baseDir, path));
  const defined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
  const proxy = (provider: 'apns' | 'fcm', given: { faults?: unknown } | undefined) => (given === undefined ? undefined : defined({ faults: proxyFaults[provider] }));
  return {
    kind: 'providers',
    ...(t.apns !== undefined && { apns: defined({ ...t.apns, keyFile: at(t.apns.keyFile), certificateFile: at(t.apns.certificateFile), caFile: at(t.apns.caFile), proxy: proxy('apns', t.apns.proxy) }) }),
    ...(t.fcm !== undefined && { fcm: defined({ ...t.fcm, serviceAccountFile: at(t.fcm.serviceAccountFile), caFile: at(t.fcm.caFile), proxy: proxy('fcm', t.fcm.proxy) }) }),
    ...(t.webpush !== undefined && { webpush: defined({ ...t.webpush, vapidFile: at(t.webpush.vapidFile), subscriptionsFile: at(t.webpush.subscriptionsFile) as string, caFile: at(t.webpush.caFile) }) }),
  };
}

function toConfig(file: ScenarioFile, faults: FaultsDocument | undefined, proxyFaults: Partial<Record<'apns' | 'fcm', FaultsDocument>> = {}, baseDir = '.'): ScenarioConfig {
  const base = defaultScenario;
  const t = file.target;
  let target: Target = base.target;
  if (t && 'mock' in t) {
    const defaults = base.target as MockTarget;
    target = { kind: 'mock', provider: t.mock, tls: t.tls ?? defaults.tls, worker: t.worker ?? defaults.worker, latency: (t.latency as MockTarget['latency'] | undefined) ?? defaults.latency, ...(t.profile !== undefined && { profile: t.profile }) };
  } else if (t && !('url' in t)) {
    target = providersTarget(t, proxyFaults, baseDir);
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
    notification: notificationOf(base.notification, file.notification),
    sender: { ...base.sender, ...file.sender },
    gracefulStopMs: file.gracefulStopMs ?? base.gracefulStopMs,
    // Against a real provider a warm-up is real notifications: only when the file asks (scenarios/safety.ts).
    ...((file.warmup ?? (isRealTarget(target) ? undefined : base.warmup)) !== undefined && { warmup: file.warmup ?? base.warmup }),
    ...(file.safety !== undefined && { safety: file.safety }),
    ...(file.policies !== undefined && { policies: file.policies }),
    ...(file.thresholds !== undefined && { thresholds: file.thresholds }),
    ...(file.validity !== undefined && { validity: file.validity }),
    ...(faults !== undefined && { faults }),
    ...(file.recipients !== undefined && { recipients: { ...file.recipients, file: resolve(baseDir, file.recipients.file), name: file.recipients.file } }),
  };
}

/** The file's notification over the default; without a `payload` of its own but with title / body / data, the APNs payload is made from them. */
function notificationOf(base: ScenarioConfig['notification'], given: ScenarioFile['notification']): ScenarioConfig['notification'] {
  const merged = { ...base, ...given } as ScenarioConfig['notification'];
  if (given?.payload !== undefined || (given?.title === undefined && given?.body === undefined && given?.data === undefined)) return merged;
  return { ...merged, payload: apnsPayloadFrom(given.title, given.body, given.data) };
}
