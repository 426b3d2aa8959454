/**
 * Latency distributions as plain data (so they fit in a scenario file, cross a worker boundary and
 * show up verbatim in a report) plus a sampler. Independent of any provider: the APNs mock uses it
 * for response latency and the fault framework can reuse it. Units are in the field names.
 */
import { InvalidArgumentError, InvalidConfigError } from '../core/errors.js';
import type { Provider } from '../core/reasons.js';
import { loadProfileSync, profileProviders, providerProfile } from './profile.js';
import type { Random } from './random.js';
import { quantileTable, recordedSampler } from './recorded-latency.js';

export type LatencySpec =
  /** Always the same delay. */
  | { readonly kind: 'fixed'; readonly ms: number }
  /** Evenly spread between the two bounds. */
  | { readonly kind: 'uniform'; readonly minMs: number; readonly maxMs: number }
  /** Bell curve; samples below 0 are clamped to 0. */
  | { readonly kind: 'normal'; readonly meanMs: number; readonly stddevMs: number }
  /** Long right tail, the usual shape of network latency: `medianMs · e^(sigma · z)`, z standard normal. */
  | { readonly kind: 'lognormal'; readonly medianMs: number; readonly sigma: number }
  /**
   * What a provider did: inverse-CDF sampling of the per-attempt latency a profile file recorded
   * (`pushsim run --record-profile`, simulator/profile.ts). `provider` picks its part of the file;
   * it may be left out when the file holds one provider only.
   */
  | { readonly kind: 'recorded'; readonly file: string; readonly provider?: Provider };

export type LatencyKind = LatencySpec['kind'];

/** Returns a delay in milliseconds, never negative. */
export type LatencySampler = () => number;

const fieldsByKind: Readonly<Record<LatencyKind, readonly string[]>> = {
  fixed: ['ms'],
  uniform: ['minMs', 'maxMs'],
  normal: ['meanMs', 'stddevMs'],
  lognormal: ['medianMs', 'sigma'],
  recorded: ['file', 'provider'],
};

export const latencyKinds = Object.keys(fieldsByKind) as readonly LatencyKind[];

/**
 * Every problem with `spec`, one message each (empty when valid), so a config file with several
 * mistakes is fixed in one pass. Accepts `unknown` because specs come from YAML/JSON.
 */
export function validateLatencySpec(spec: unknown): string[] {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    return [`latency must be an object like { kind: 'fixed', ms: 5 }, got ${describe(spec)}`];
  }
  const record = spec as Record<string, unknown>;
  const kind = record['kind'];
  if (typeof kind !== 'string' || !Object.hasOwn(fieldsByKind, kind)) {
    return [`latency.kind must be one of ${latencyKinds.join(', ')}, got ${describe(kind)}`];
  }
  const problems: string[] = [];
  const allowed = fieldsByKind[kind as LatencyKind];
  for (const key of Object.keys(record)) {
    if (key !== 'kind' && !allowed.includes(key)) {
      problems.push(`latency.${key} is not a field of kind '${kind}' (fields: ${allowed.join(', ')})`);
    }
  }
  const nonNegative = (field: string): number | undefined => {
    const value = record[field];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      problems.push(`latency.${field} must be a finite number >= 0, got ${describe(value)}`);
      return undefined;
    }
    return value;
  };
  switch (kind as LatencyKind) {
    case 'fixed':
      nonNegative('ms');
      break;
    case 'uniform': {
      const min = nonNegative('minMs');
      const max = nonNegative('maxMs');
      if (min !== undefined && max !== undefined && max < min) {
        problems.push(`latency.maxMs (${max}) must be >= latency.minMs (${min})`);
      }
      break;
    }
    case 'normal':
      nonNegative('meanMs');
      nonNegative('stddevMs');
      break;
    case 'lognormal': {
      const median = nonNegative('medianMs');
      if (median === 0) problems.push('latency.medianMs must be > 0 for a lognormal distribution');
      nonNegative('sigma');
      break;
    }
    case 'recorded':
      recordedProblems(record, problems);
      break;
  }
  return problems;
}

/** Builds a sampler; call validateLatencySpec first, a spec with problems throws here. */
export function createSampler(spec: LatencySpec, random: Random): LatencySampler {
  // A profile file's problems are the file's (InvalidConfigError, exit 104), not the spec's.
  if (spec.kind === 'recorded' && typeof spec.file === 'string' && spec.file.length > 0 && (spec.provider === undefined || profileProviders.includes(spec.provider))) {
    const { file } = spec;
    const provider = spec.provider ?? onlyProvider(file);
    return recordedSampler(quantileTable(providerProfile(loadProfileSync(file), provider, file).latencyMs.hdr, `profile ${file} (providers.${provider})`), random);
  }
  const problems = validateLatencySpec(spec);
  if (problems.length > 0) throw new InvalidArgumentError(problems.join('; '));
  switch (spec.kind) {
    case 'fixed': {
      const ms = spec.ms;
      return () => ms;
    }
    case 'uniform': {
      const { minMs, maxMs } = spec;
      return () => minMs + (maxMs - minMs) * random.next();
    }
    case 'normal': {
      const { meanMs, stddevMs } = spec;
      return () => Math.max(0, meanMs + stddevMs * standardNormal(random));
    }
    case 'lognormal': {
      const { medianMs, sigma } = spec;
      return () => medianMs * Math.exp(sigma * standardNormal(random));
    }
    case 'recorded':
      // Handled above; a recorded spec gets here only with problems, thrown above.
      throw new InvalidArgumentError('latency.file must be the path of a profile file');
  }
}

/** Checks a recorded spec's fields, then reads the profile (cached), so a bad file is found with the scenario, not mid-run. */
function recordedProblems(record: Record<string, unknown>, problems: string[]): void {
  const { file, provider } = record;
  if (typeof file !== 'string' || file.length === 0) {
    problems.push(`latency.file must be the path of a profile file (pushsim run --record-profile FILE), got ${describe(file)}`);
    return;
  }
  if (provider !== undefined && !(profileProviders as readonly unknown[]).includes(provider)) {
    problems.push(`latency.provider must be one of ${profileProviders.join(', ')}, got ${describe(provider)}`);
    return;
  }
  try {
    const profile = loadProfileSync(file);
    if (provider === undefined) onlyProvider(file);
    else providerProfile(profile, provider as Provider, file);
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    for (const problem of error.problems) problems.push(`latency.file: profile ${file}: ${problem}`);
  }
}

/** The one provider a profile holds; a file with several needs `provider`. */
function onlyProvider(file: string): Provider {
  const held = Object.keys(loadProfileSync(file).providers) as Provider[];
  if (held.length === 1 && held[0] !== undefined) return held[0];
  throw new InvalidConfigError(`profile ${file}`, [`it holds ${held.join(', ')}: name one with latency.provider`]);
}

/** Box–Muller transform. `1 - next()` is in (0, 1], so the logarithm stays finite. */
function standardNormal(random: Random): number {
  const u1 = 1 - random.next();
  const u2 = random.next();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}
