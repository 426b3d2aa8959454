/**
 * Shards: part I of N of one scenario, so N processes (N pods of a Kubernetes Indexed Job, N
 * machines) run it together and `pushsim merge` adds their results up to the result of the whole.
 *
 *   whole run     0 1 2 3 4 5 6 7 8 …     notification i planned at plannedOffsetMs(i)
 *   shard 0/3     0     3     6     …     i ≡ 0 (mod 3), each at the whole run's planned time
 *   shard 1/3       1     4     7   …     i ≡ 1 (mod 3)
 *   shard 2/3         2     5     8 …     i ≡ 2 (mod 3)
 *
 * Interleaved rather than contiguous blocks, so each shard runs at rate/N over the whole run's
 * schedule and the merged timeline is the whole run's (k6's execution segments share the same idea).
 * Notification i keeps its provider, recipient and payload whatever shard it falls in: the runner
 * derives them from i (mix.ts `createRecipientSequence`), never from what one process sent before.
 * Shards count from 0, as Kubernetes' JOB_COMPLETION_INDEX does, so `--shard $JOB_COMPLETION_INDEX/N`
 * — or nothing at all, the variable being read — is shard I of an Indexed Job with N completions.
 *
 * The shards agree on a start (`startAt`, wall-clock epoch ms): each gets ready (mocks, connections,
 * warm-up), waits until then, and starts its measured run's clock there, so their clocks are one.
 */
import { createHash } from 'node:crypto';
import { InvalidArgumentError } from '../core/errors.js';
import type { ShardInfo } from '../reports/result.js';
import type { ScenarioConfig } from './config.js';
import { recipientsIdentity } from './recipients-config.js';
import type { RecipientsConfig } from './recipients-config.js';
import { arrivalSchedule, plannedCount, plannedRate } from './executors/index.js';
import type { ExecutorRuntime, LoadConfig, TimeSource } from './executors/index.js';
import { createClosedModel } from './executors/closed.js';
import { realTime, runOpenModel } from './executors/open-model.js';
import type { ArrivalSchedule } from './executors/open-model.js';

/** Part `index` (from 0) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** Bounds on what a user could mistype (docs/limits.md). */
export const shardLimits = {
  /** Shards of one run: more processes than that is a mistyped N, and merge reads every result. */
  maxShards: 1000,
  /** How far ahead a scheduled start may be: further is a mistyped date, not a plan (a CronJob schedules days ahead). */
  maxStartAheadMs: 3600 * 1000,
  /** How far in the past a scheduled start may already be when the command starts: a little, for clocks a little apart. */
  maxStartBehindMs: 5000,
} as const;

/** The environment variables a shard reads (Kubernetes sets the first in every pod of an Indexed Job). */
export const shardEnvironment = {
  index: 'JOB_COMPLETION_INDEX',
  count: 'PUSHSIM_SHARDS',
  startAt: 'PUSHSIM_START_AT',
} as const;

const shardsFromZero = `shards count from 0, as Kubernetes' ${shardEnvironment.index} does`;

/** `I/N` (e.g. `0/3`, `1/3`, `2/3`), as `--shard` takes it; `source` names where it came from in the message. */
export function parseShard(text: string, source = '--shard'): Shard {
  const match = /^(\d{1,7})\/(\d{1,7})$/.exec(text.trim());
  const problem = `${source} must be I/N, shard I of N, with 0 ≤ I < N ≤ ${shardLimits.maxShards} (${shardsFromZero}: 0/3, 1/3, 2/3)`;
  if (match === null) throw new InvalidArgumentError(`${problem}, got ${JSON.stringify(text)}`);
  const shard = { index: Number(match[1]), count: Number(match[2]) };
  const invalid = shardProblem(shard);
  if (invalid !== undefined) throw new InvalidArgumentError(`${problem}, got "${text}": ${invalid}`);
  return shard;
}

/** What is wrong with a shard given as data (the library's `RunOptions.shard`), or undefined. */
export function shardProblem(shard: Shard): string | undefined {
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1 || count > shardLimits.maxShards) return `the number of shards must be a whole number from 1 to ${shardLimits.maxShards}, got ${JSON.stringify(count)}`;
  if (!Number.isInteger(index) || index < 0 || index >= count) return `shard ${JSON.stringify(index)} of ${count} does not exist: ${shardsFromZero}, so they are 0 to ${count - 1}`;
  return undefined;
}

function wholeNumber(text: string, source: string, what: string): number {
  if (!/^\d{1,7}$/.test(text.trim())) throw new InvalidArgumentError(`${source} must be ${what}, got ${JSON.stringify(text)}`);
  return Number(text.trim());
}

export interface ShardFlags {
  /** `--shard I/N`. */
  readonly shard?: string;
  /** `--shards N`: with the index from JOB_COMPLETION_INDEX. */
  readonly shards?: number;
}

/**
 * The shard a command runs, from its flags and environment, or undefined for the whole scenario:
 * `--shard I/N` first; else `JOB_COMPLETION_INDEX` (Kubernetes, Indexed Job) with N from `--shards`
 * or `PUSHSIM_SHARDS`. A count without an index, or an index without a count, is an error rather
 * than a guess: either guess would run the whole scenario N times, or 1/N of it once.
 */
export function resolveShard(flags: ShardFlags, env: NodeJS.ProcessEnv): Shard | undefined {
  const index = env[shardEnvironment.index];
  const countText = env[shardEnvironment.count];
  const count = flags.shards ?? (countText === undefined || countText === '' ? undefined : wholeNumber(countText, shardEnvironment.count, `the number of shards, a whole number from 1 to ${shardLimits.maxShards}`));
  const countSource = flags.shards !== undefined ? '--shards' : shardEnvironment.count;
  if (flags.shard !== undefined) {
    const shard = parseShard(flags.shard);
    if (count !== undefined && count !== shard.count) throw new InvalidArgumentError(`--shard ${flags.shard} says ${shard.count} shards but ${countSource} says ${count}: give the same number, or only one of them`);
    return shard;
  }
  if (index !== undefined && index !== '') {
    if (count === undefined) {
      throw new InvalidArgumentError(
        `${shardEnvironment.index} is set (${JSON.stringify(index)}: a pod of a Kubernetes Indexed Job) but not how many shards there are: set ${shardEnvironment.count} or --shards to the Job's completions, or --shards 1 to run the whole scenario in each pod`,
      );
    }
    const shard = { index: wholeNumber(index, shardEnvironment.index, 'a shard index, a whole number'), count };
    const invalid = shardProblem(shard);
    if (invalid !== undefined) throw new InvalidArgumentError(`${shardEnvironment.index}=${index} with ${countSource} ${count}: ${invalid}`);
    return shard;
  }
  if (count !== undefined) {
    throw new InvalidArgumentError(`${countSource} ${count} needs the shard's index: give --shard I/N instead, or run in a Kubernetes Indexed Job, which sets ${shardEnvironment.index} in each pod`);
  }
  return undefined;
}

/**
 * A scheduled start, as `--start-at` or PUSHSIM_START_AT take it: an ISO 8601 time with its zone
 * (`2026-12-06T04:30:00Z`, `…+01:00`; without a zone it would mean a different instant on each
 * machine), or milliseconds since the epoch. Returns epoch ms. Refuses a start more than
 * `maxStartBehindMs` in the past or more than `maxStartAheadMs` ahead of `now`.
 */
export function parseStartAt(text: string, source = '--start-at', now = Date.now()): number {
  const value = text.trim();
  const example = `an ISO time with its zone such as ${new Date(Math.ceil((now + 120_000) / 60_000) * 60_000).toISOString()}, or milliseconds since the epoch`;
  let at: number;
  if (/^\d+$/.test(value)) {
    at = Number(value);
    if (at < 1e11) throw new InvalidArgumentError(`${source} ${value} looks like seconds since the epoch; give milliseconds (${value}000) or ${example}`);
  } else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i.test(value)) {
    at = Date.parse(value);
  } else {
    at = Number.NaN;
  }
  if (!Number.isFinite(at)) throw new InvalidArgumentError(`${source} must be ${example}, got ${JSON.stringify(text)}`);
  const problem = startAtProblem(at, now);
  if (problem !== undefined) throw new InvalidArgumentError(`${source} ${value}: ${problem}`);
  return at;
}

/** What is wrong with a scheduled start at `at` (epoch ms) seen at `now`, or undefined. */
export function startAtProblem(at: number, now = Date.now()): string | undefined {
  if (!Number.isFinite(at)) return `the start must be a time, got ${String(at)}`;
  if (at < now - shardLimits.maxStartBehindMs) {
    return `that is ${seconds(now - at)} ago (now ${new Date(now).toISOString()}); the shards would not start together: choose a time a minute or two ahead, far enough for every shard to get ready`;
  }
  if (at > now + shardLimits.maxStartAheadMs) {
    return `that is ${seconds(at - now)} ahead (now ${new Date(now).toISOString()}); at most ${shardLimits.maxStartAheadMs / 60_000} minutes ahead are allowed (is the date or the zone right?)`;
  }
  return undefined;
}

/** `--start-at`, else PUSHSIM_START_AT, as epoch ms; undefined when neither is set. */
export function resolveStartAt(flag: string | undefined, env: NodeJS.ProcessEnv, now = Date.now()): number | undefined {
  if (flag !== undefined) return parseStartAt(flag, '--start-at', now);
  const text = env[shardEnvironment.startAt];
  return text === undefined || text === '' ? undefined : parseStartAt(text, shardEnvironment.startAt, now);
}

const seconds = (ms: number): string => (ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 60_000).toFixed(1)} min`);

/** How many of `total` notifications (indices 0 … total−1) fall in `shard`: those with i ≡ index (mod count). */
export function shardSize(total: number, shard: Shard): number {
  return total > shard.index ? Math.floor((total - 1 - shard.index) / shard.count) + 1 : 0;
}

/** The whole run's index of the shard's `k`-th notification. */
export function wholeIndex(k: number, shard: Shard): number {
  return shard.index + k * shard.count;
}

/** Every problem of running `load` as `shard` (each shard needs at least one notification, and one in flight). */
export function validateShardLoad(load: LoadConfig, shard: Shard): string[] {
  const problems: string[] = [];
  const invalid = shardProblem(shard);
  if (invalid !== undefined) return [invalid];
  const count = plannedCount(load);
  if (count !== undefined && count < shard.count) problems.push(`the load plans ${count} notification(s); ${shard.count} shards need at least ${shard.count}, one each: use fewer shards or a larger count`);
  if (load.executor === 'closed' && load.inFlight < shard.count) {
    problems.push(`the closed model keeps ${load.inFlight} in flight, split between the shards; ${shard.count} shards need at least ${shard.count}: raise --in-flight or use fewer shards`);
  }
  return problems;
}

/** The shard's part of a closed model's in-flight notifications: the whole's, split as evenly as whole numbers allow. */
export function shardInFlight(inFlight: number, shard: Shard): number {
  return Math.floor(inFlight / shard.count) + (shard.index < inFlight % shard.count ? 1 : 0);
}

/** The whole run's schedule restricted to the shard: its k-th notification keeps the planned time of whole index I + k·N. */
export function shardSchedule(whole: ArrivalSchedule, shard: Shard): ArrivalSchedule {
  return {
    count: shardSize(whole.count, shard),
    plannedOffsetMs: (k) => whole.plannedOffsetMs(wholeIndex(k, shard)),
    // Whole indices 0 … due−1 are due; the shard's among them are as many as a run of `due` has.
    dueBy: (elapsedMs) => shardSize(whole.dueBy(elapsedMs), shard),
  };
}

/**
 * The executor of the shard: the whole load's schedule (open model) or its in-flight slots and
 * count (closed model) restricted to the shard, calling `fire` with whole-run indices.
 */
export function createShardExecutor(load: LoadConfig, shard: Shard, time: TimeSource = realTime): ExecutorRuntime {
  const schedule = arrivalSchedule(load);
  let runtime: ExecutorRuntime;
  if (schedule !== undefined) {
    runtime = runOpenModel(shardSchedule(schedule, shard), time);
  } else if (load.executor === 'closed') {
    runtime = createClosedModel({ ...load, inFlight: shardInFlight(load.inFlight, shard), ...(load.count !== undefined && { count: shardSize(load.count, shard) }) }, time);
  } else {
    throw new TypeError(`executor ${JSON.stringify(load.executor)} has neither a schedule nor in-flight slots to shard`);
  }
  return { run: (fire, signal) => runtime.run((k, plannedAt) => fire(wholeIndex(k, shard), plannedAt), signal) };
}

/**
 * The shard's planned rate (result.json `rate.target`): its share of the whole's, unrounded so the
 * shards' add up to it (merge rounds the sum); null for the closed model.
 */
export function shardPlannedRate(load: LoadConfig, shard: Shard): number | null {
  const rate = plannedRate(load);
  const count = plannedCount(load);
  if (rate === null || count === undefined || count === 0) return rate;
  return (rate * shardSize(count, shard)) / count;
}

/** For the banner: which notifications this shard sends. */
export function describeShard(load: LoadConfig, shard: Shard): string {
  const count = plannedCount(load);
  const which = shard.count === 1 ? 'all notifications' : `every ${ordinal(shard.count)} notification from index ${shard.index}`;
  const size = count === undefined ? '' : `, ${shardSize(count, shard)} of ${count}`;
  const inFlight = load.executor === 'closed' ? `, ${shardInFlight(load.inFlight, shard)} of ${load.inFlight} in flight` : '';
  return `shard ${shard.index}/${shard.count}: ${which}${size}${inFlight}`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/**
 * A fingerprint of the scenario as run (flags applied), so merge can refuse shards of different
 * scenarios, rates, counts or seeds: sha256 of its canonical JSON (keys sorted), first 16 hex
 * digits. The warm-up is left out: each process warms itself up, and it is never measured. A
 * recipients file counts by its content digest (from the run's validation pass; before it, by its
 * name relative to the scenario), never by its absolute path: two machines with the same file in
 * different directories, or named differently on their command lines, agree.
 */
export function scenarioDigest(config: ScenarioConfig): string {
  const { warmup: _warmup, recipients, ...measured } = config;
  // A recipients file by what it holds (its sha256 once checked), not by where it is on this machine.
  const fingerprint = recipients === undefined ? measured : { ...measured, recipients: recipientsFingerprint(recipients) };
  return createHash('sha256').update(canonicalJson(fingerprint)).digest('hex').slice(0, 16);
}

/** What result.json says about the shard a run was: which, of what scenario, and when it started against the agreed start. */
export function shardInfo(config: ScenarioConfig, shard: Shard, startAt: number | undefined, lateMs: number | undefined): ShardInfo {
  return {
    index: shard.index,
    count: shard.count,
    scenarioDigest: scenarioDigest(config),
    ...(startAt !== undefined && { startAt: new Date(startAt).toISOString() }),
    ...(lateMs !== undefined && { lateMs }),
  };
}

function recipientsFingerprint(recipients: RecipientsConfig): object {
  const { file, ...identity } = recipientsIdentity(recipients);
  return identity.sha256 !== undefined ? identity : { file, ...identity };
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Waits until `at` (epoch ms, wall clock: the shards' machines share it through NTP) or the
 * signal, whichever comes first. Returns how late it woke (ms, ≥ 0): more than a few ms means the
 * shard got ready after the agreed start.
 */
export async function waitUntil(at: number, signal?: AbortSignal, now: () => number = Date.now): Promise<number> {
  const wait = at - now();
  if (wait > 0 && signal?.aborted !== true) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, wait);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
  return Math.max(0, now() - at);
}
