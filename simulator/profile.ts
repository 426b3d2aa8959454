/**
 * A provider profile, schema `pushsim.profile/1`: what one provider did during a run, per attempt —
 * how long it took to answer (an HDR histogram, microseconds, encoded as in result.json) and the mix
 * of its answers (status + reason, counted). `pushsim run --record-profile FILE` writes one
 * (reports/profile.ts); a mock replays it (`latency: { kind: recorded, file }` and the
 * `recorded-answers` fault kind), so later runs start from what the real service did.
 *
 *   { "schema": "pushsim.profile/1", "recordedAt": "…", "source": { "scenario", "target" },
 *     "providers": { "apns": { "attempts": 10000,
 *                              "latencyMs": { "count", "p50", "p90", "p99", "p999", "max", "hdr" },
 *                              "answers": [ { "status": 200, "count": 9300 },
 *                                           { "status": 503, "reason": "ServiceUnavailable", "count": 500 } ],
 *                              "failures": { "timeout": 2 } } } }
 *
 * Read synchronously (a sampler and a fault kind are built synchronously), bounded in size, checked
 * field by field with every problem named by its path, and cached by path: the APNs latency, the FCM
 * latency and the answers of one mock target read the file once.
 */
import { resolve } from 'node:path';
import { InvalidConfigError } from '../core/errors.js';
import { KiB, MiB, readTextFileSync } from '../core/files.js';
import { parseJson } from '../core/json-document.js';
import type { Provider } from '../core/reasons.js';

export const PROFILE_SCHEMA = 'pushsim.profile/1';

export const profileProviders: readonly Provider[] = ['apns', 'fcm', 'webpush'];

export const profileLimits = {
  /** A profile is three histograms (a few KiB each) and a few dozen answers; 1 MiB is far above any real one. */
  maxBytes: 1 * MiB,
  /** Distinct answers per provider: every reason of core/reasons.ts fits many times over. */
  maxAnswers: 200,
  /** An encoded histogram (compressed base64); a 10-minute range at 3 digits is ~10 KiB. */
  maxHdrChars: 256 * KiB,
} as const;

/** How often a provider gave one answer. No reason: an acceptance (APNs 200, FCM 200, Web Push 201). */
export interface ProfileAnswer {
  readonly status: number;
  readonly reason?: string;
  readonly count: number;
  /** The Retry-After (seconds) the provider sent with this answer most often, when it sent one. */
  readonly retryAfterSeconds?: number;
}

export interface ProfileLatency {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
  /** Compressed base64 HDR histogram, microseconds (result.json's encoding). */
  readonly hdr: string;
}

export interface ProviderProfile {
  /** Attempts that reached the provider: answered, or failed on the way (failures). */
  readonly attempts: number;
  /**
   * The provider's time per answered attempt, what a mock replays: the time on the wire (stream
   * opened → answer, pushsim's own queueing left out) less the recording machine's own round trip
   * (`Profile.localRoundTripMs.subtractedMs`), or the wire time itself when the profile has no
   * `localRoundTripMs`.
   */
  readonly latencyMs: ProfileLatency;
  /** The time on the wire as measured, before the subtraction (only when something was subtracted). */
  readonly wireLatencyMs?: ProfileLatency;
  /** Sorted by count, largest first. */
  readonly answers: readonly ProfileAnswer[];
  /** Attempts that got no HTTP answer, by transport failure kind (reset, goaway, timeout, connect). Recorded, not replayed. */
  readonly failures?: Readonly<Record<string, number>>;
}

/**
 * The recording machine's own round trip (an HTTP/2 request answered at once on 127.0.0.1, probed
 * during the run: reports/profile-probe.ts) and what was taken off every wire time because of it.
 */
export interface LocalRoundTrip {
  readonly method: 'loopback-probe';
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  /** Milliseconds subtracted from every recorded wire time (the probe's mean). */
  readonly subtractedMs: number;
}

export interface Profile {
  readonly schema: typeof PROFILE_SCHEMA;
  /** ISO 8601. */
  readonly recordedAt: string;
  /** What was measured: the scenario and the provider origin(s), never credentials. */
  readonly source?: { readonly scenario?: string; readonly target?: string; readonly pushsim?: string };
  /** Absent in profiles recorded without the probe: their latencies are the wire times. */
  readonly localRoundTripMs?: LocalRoundTrip;
  readonly providers: Readonly<Partial<Record<Provider, ProviderProfile>>>;
}

const cache = new Map<string, Profile>();

/** Reads and checks a profile file (cached by absolute path); InvalidConfigError (exit 104) naming the file and each bad field. */
export function loadProfileSync(file: string): Profile {
  const path = resolve(file);
  const cached = cache.get(path);
  if (cached !== undefined) return cached;
  const read = readTextFileSync(path, profileLimits.maxBytes);
  if (read.problem !== undefined) throw new InvalidConfigError(`profile ${file}`, [`the file ${read.problem}`]);
  const profile = parseProfile(read.text, `profile ${file}`);
  cache.set(path, profile);
  return profile;
}

/** Parses and checks profile JSON text; `source` names it in errors. */
export function parseProfile(text: string, source: string): Profile {
  const value = parseJson(text, { source });
  const problems = validateProfile(value);
  if (problems.length > 0) throw new InvalidConfigError(source, problems);
  return value as Profile;
}

/** One provider's part of a profile; InvalidConfigError when the file has none for it. */
export function providerProfile(profile: Profile, provider: Provider, file: string): ProviderProfile {
  const part = profile.providers[provider];
  if (part === undefined) {
    const held = Object.keys(profile.providers).join(', ');
    throw new InvalidConfigError(`profile ${file}`, [`providers.${provider}: the profile has no ${provider} part (it holds ${held}); record one from a run that sent to ${provider}, or name one of those`]);
  }
  return part;
}

/** Every problem with a parsed profile, each with its path, e.g. `providers.apns.answers[2].status: …`. */
export function validateProfile(value: unknown): string[] {
  if (!isRecord(value)) return [`a profile must be a JSON object with schema '${PROFILE_SCHEMA}', got ${describe(value)}`];
  const problems: string[] = [];
  if (value['schema'] !== PROFILE_SCHEMA) {
    return [`schema must be '${PROFILE_SCHEMA}', got ${describe(value['schema'])}: is this a profile written by pushsim run --record-profile?`];
  }
  if (typeof value['recordedAt'] !== 'string' || Number.isNaN(Date.parse(value['recordedAt']))) problems.push(`recordedAt must be an ISO 8601 time, got ${describe(value['recordedAt'])}`);
  if (value['localRoundTripMs'] !== undefined) problems.push(...validateLocalRoundTrip(value['localRoundTripMs']));
  const providers = value['providers'];
  if (!isRecord(providers)) return [...problems, `providers must be an object such as { apns: { … } }, got ${describe(providers)}`];
  const names = Object.keys(providers);
  if (names.length === 0) problems.push(`providers must hold at least one of ${profileProviders.join(', ')}`);
  for (const name of names) {
    if (!(profileProviders as readonly string[]).includes(name)) problems.push(`providers.${name} is not a provider (${profileProviders.join(', ')})`);
    else problems.push(...validateProviderProfile(providers[name], `providers.${name}`));
  }
  return problems;
}

function validateProviderProfile(value: unknown, at: string): string[] {
  if (!isRecord(value)) return [`${at} must be an object with attempts, latencyMs and answers, got ${describe(value)}`];
  const problems: string[] = [];
  const count = (v: unknown, path: string): boolean => {
    const ok = typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
    if (!ok) problems.push(`${path} must be a whole number >= 0, got ${describe(v)}`);
    return ok;
  };
  count(value['attempts'], `${at}.attempts`);
  problems.push(...validateLatency(value['latencyMs'], `${at}.latencyMs`, count));
  if (value['wireLatencyMs'] !== undefined) problems.push(...validateLatency(value['wireLatencyMs'], `${at}.wireLatencyMs`, count));
  const answers = value['answers'];
  if (!Array.isArray(answers) || answers.length === 0) problems.push(`${at}.answers must be a non-empty list of { status, reason?, count }, got ${describe(answers)}`);
  else if (answers.length > profileLimits.maxAnswers) problems.push(`${at}.answers has ${answers.length} entries; at most ${profileLimits.maxAnswers}`);
  else {
    let total = 0;
    answers.forEach((answer: unknown, i) => {
      const path = `${at}.answers[${i}]`;
      if (!isRecord(answer)) {
        problems.push(`${path} must be an object { status, reason?, count }, got ${describe(answer)}`);
        return;
      }
      for (const key of Object.keys(answer)) if (!['status', 'reason', 'count', 'retryAfterSeconds'].includes(key)) problems.push(`${path}.${key} is not a field of an answer (status, reason, count, retryAfterSeconds)`);
      const status = answer['status'];
      if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 599) problems.push(`${path}.status must be an HTTP status from 200 to 599, got ${describe(status)}`);
      const reason = answer['reason'];
      if (reason !== undefined && (typeof reason !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(reason))) problems.push(`${path}.reason must be a reason name such as 'Unregistered' (letters, digits, _ . -), got ${describe(reason)}`);
      if (count(answer['count'], `${path}.count`)) total += answer['count'] as number;
      const retryAfter = answer['retryAfterSeconds'];
      if (retryAfter !== undefined && (typeof retryAfter !== 'number' || !Number.isInteger(retryAfter) || retryAfter < 0 || retryAfter > 86_400)) problems.push(`${path}.retryAfterSeconds must be a whole number of seconds from 0 to 86400, got ${describe(retryAfter)}`);
    });
    if (total === 0 && problems.length === 0) problems.push(`${at}.answers count nothing: no attempt was answered`);
  }
  const failures = value['failures'];
  if (failures !== undefined) {
    if (!isRecord(failures)) problems.push(`${at}.failures must be an object of counts by failure kind, got ${describe(failures)}`);
    else for (const [kind, n] of Object.entries(failures)) count(n, `${at}.failures.${kind}`);
  }
  return problems;
}

function validateLatency(latency: unknown, at: string, count: (v: unknown, path: string) => boolean): string[] {
  if (!isRecord(latency)) return [`${at} must be an object with count, p50, p90, p99, p999, max and hdr, got ${describe(latency)}`];
  const problems: string[] = [];
  const latencyCount = latency['count'];
  count(latencyCount, `${at}.count`);
  for (const field of ['p50', 'p90', 'p99', 'p999', 'max']) problems.push(...milliseconds(latency[field], `${at}.${field}`));
  const hdr = latency['hdr'];
  if (typeof hdr !== 'string' || !/^[A-Za-z0-9+/]+=*$/.test(hdr)) problems.push(`${at}.hdr must be a compressed base64 HDR histogram (as in result.json), got ${describe(hdr)}`);
  else if (hdr.length > profileLimits.maxHdrChars) problems.push(`${at}.hdr is ${hdr.length} characters; at most ${profileLimits.maxHdrChars}`);
  if (latencyCount === 0) problems.push(`${at}.count is 0: no attempt was answered, so there is no latency to replay`);
  return problems;
}

function validateLocalRoundTrip(value: unknown): string[] {
  const at = 'localRoundTripMs';
  if (!isRecord(value)) return [`${at} must be an object with method, count, mean, p50, p90, p99, max and subtractedMs, got ${describe(value)}`];
  const problems: string[] = [];
  if (value['method'] !== 'loopback-probe') problems.push(`${at}.method must be 'loopback-probe', got ${describe(value['method'])}`);
  const n = value['count'];
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) problems.push(`${at}.count must be a whole number >= 1, got ${describe(n)}`);
  for (const field of ['mean', 'p50', 'p90', 'p99', 'max', 'subtractedMs']) problems.push(...milliseconds(value[field], `${at}.${field}`));
  return problems;
}

function milliseconds(v: unknown, path: string): string[] {
  return typeof v !== 'number' || !Number.isFinite(v) || v < 0 ? [`${path} must be a number of milliseconds >= 0, got ${describe(v)}`] : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return `'${value.length > 40 ? `${value.slice(0, 40)}…` : value}'`;
  if (Array.isArray(value)) return 'a list';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}
