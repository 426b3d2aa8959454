/**
 * One Result from the results of several shards of a run: one scenario split over machines or
 * processes, each writing its own result.json, all running at the same time.
 *
 *   shard result.json ─┐
 *   shard result.json ─┼─ mergeResults ──► Result ──► text.ts / json.ts / compare.ts
 *   shard result.json ─┘
 *
 * Latency summaries are recomputed from the merged HDR histograms (autocannon aggregateResult.js):
 * averaging the shards' percentiles would be wrong whenever the shards differ.
 */
import { InvalidArgumentError } from '../core/errors.js';
import { maxOf, minOf } from '../core/arrays.js';
import { outcomeStatuses } from '../sender/outcome.js';
import type { OutcomeStatus } from '../sender/outcome.js';
import { mergeLedgerSummaries } from '../simulator/ledger/ledger.js';
import { decodeHistogram, mergeEncoded } from './histogram.js';
import { mergeVerdicts, orderShards, startAtWarning } from './merge-shards.js';
import type { MergeInput } from './merge-shards.js';
import { RESULT_SCHEMA, achievedRate } from './result.js';
import type { BreakerTransition, DeliverySummary, FaultInjection, LatencyEntry, LoadModel, ProviderOutcomes, RealPushes, Result, ResultCounts, TokenToPrune } from './result.js';
import type { TimelineSecond } from './timeline.js';
import type { RunConfig } from './run-config.js';

/**
 * Merges shard results into the result of the whole run. Pure: no I/O, no clock.
 *
 * - counts, `byReason`, `faults[].injected` (by id) and `delivery` are summed; an optional counter
 *   is present when any shard has it.
 * - `latencyMs` and `attemptLatencyMs` come from the merged `hdr` histograms, never from averaged
 *   percentiles.
 * - The shards ran concurrently: `startedAt` is the earliest start, `durationMs` runs from it to the
 *   latest end. `rate.target` is the sum of the targets (null if any shard had none); `rate.achieved`
 *   is the sum of the shards' own achieved rates (`achievedRate` of each shard's counts over its own
 *   duration), so shards started a second apart, each at full rate, still add up to the full rate:
 *   dividing all completions by the merged span would count the skew as idle time. `mergeWarnings`
 *   says when the starts were apart (or the shards did not overlap at all).
 * - `scenario`, `target`, `targets` and `pushsim` are kept when every shard has the same value, and left out
 *   otherwise: a made-up joined name could pass for a real scenario in a later comparison.
 * - `tokensToPrune` is de-duplicated by provider and token (first report wins).
 * - `breakerTransitions` are re-based on the merged start and, with two or more shards, their origin
 *   gets a ` [shard I/N]` suffix (a shard of `pushsim run --shard`), else ` [shard k]` (k = position in
 *   `results`, from 1): each shard had its own breaker.
 * - `thresholds` are dropped: a shard's verdict says nothing about the whole, so re-evaluate the
 *   scenario's thresholds on the merged result.
 * - `loadModel` is kept when any shard ran the closed model (its latency is not corrected for
 *   coordinated omission, so neither is the merge), with the shards' in-flight counts summed.
 * - `timeline` seconds are aligned on the merged start (each shard shifted by its start, rounded to
 *   the second) and their counts summed; where two or more shards had a second, its percentiles come
 *   from their added per-second histograms (`hdr`, which shards write), exactly, and are null if a
 *   shard lacks its histogram (results from before them); per-second pauses are the worst shard's.
 *   The merged seconds keep their histograms only with `keepSecondHistograms` (a merge that is
 *   itself a shard's part, to be merged again).
 * - Results of `pushsim run --shard I/N` must be every shard of one run, once each (merge-shards.ts
 *   `orderShards`: same N, same scenario digest); they are merged in shard order whatever the order
 *   given, and the merged result says `shards` (N, scenario digest, agreed start, start skew).
 * - `timeline` seconds' `retries` and `injected` are summed, present when any shard has them.
 * - `config` is kept when every shard has the same (shards of one run do), and left out otherwise.
 * - `providers` (a run to several providers) are summed per provider, their accepted latency from
 *   the merged HDR histograms.
 * - `realPushes` is summed exactly (sent, dry run, by provider) over the results that have it; a
 *   result without it sent nothing to a real provider (a run against the mocks), so the sums stay
 *   exact when only some have it. The caps are the shards' common caps (the run's, applied before
 *   it was split); results held to different caps (separate runs) keep the largest of each.
 * - `validity`, `interrupted`, `unreachable`, `phases`, `pauses` and `warnings` are merged as
 *   merge-shards.ts `mergeVerdicts` says: the whole is only as good as its worst shard.
 *
 * The merged result passes `parseResult`, and `checkInvariant` when every shard does.
 * Throws InvalidArgumentError for an empty list, an unparseable `startedAt`, or shards that are not
 * every shard of one run (`names`, e.g. the files, name them in the message).
 */
export function mergeResults(given: readonly Result[], names: readonly string[] = [], options: { readonly keepSecondHistograms?: boolean } = {}): Result {
  if (given.length === 0) throw new InvalidArgumentError('mergeResults needs at least one result');
  const virtual = virtualParts(given, names);
  const { ordered, shards } = orderShards(virtual?.results ?? given, names);
  const results = ordered.map((o) => o.result);
  const { startedAt, durationMs } = span(results);
  const inputs: MergeInput[] = results.map((result, i) => ({ result, label: labelOf(result, i), offsetMs: Date.parse(result.startedAt) - startedAt }));
  const counts = mergeCounts(results);
  const targets = results.map((r) => r.rate.target);
  const attempts = results.flatMap((r) => (r.attemptLatencyMs === undefined ? [] : [r.attemptLatencyMs]));
  const scenario = common(results.map((r) => r.scenario));
  const target = common(results.map((r) => r.target));
  const targetsJson = common(results.map((r) => (r.targets === undefined ? undefined : JSON.stringify(r.targets))));
  const pushsim = common(results.map((r) => r.pushsim));
  const delivery = mergeDelivery(results.flatMap((r) => (r.delivery === undefined ? [] : [r.delivery])));
  const anyHas = (key: keyof Result): boolean => results.some((r) => r[key] !== undefined);
  const latencyMs = Object.fromEntries(outcomeStatuses.map((s) => [s, mergeEntries(results.map((r) => r.latencyMs[s]))])) as Record<OutcomeStatus, LatencyEntry>;
  const timings = mergedTimings(results);
  const config = common(results.map((r) => (r.config === undefined ? undefined : JSON.stringify(r.config))));

  return {
    schema: RESULT_SCHEMA,
    startedAt: new Date(startedAt).toISOString(),
    durationMs,
    counts,
    byReason: sumReasons(results),
    latencyMs,
    rate: {
      // Rounded as a run's own: shards' shares of one planned rate (1000 / 3 each) add up to it.
      target: targets.some((t) => t === null) ? null : Math.round(targets.reduce<number>((sum, t) => sum + (t ?? 0), 0) * 1000) / 1000,
      achieved: summedRate(results),
    },
    ...(scenario !== undefined && { scenario }),
    ...(shards !== undefined && { shards: { ...shards, startSkewMs: shardTiming(results).startSkewMs } }),
    ...(target !== undefined && { target }),
    ...(targetsJson !== undefined && { targets: JSON.parse(targetsJson) as Record<string, string> }),
    ...(pushsim !== undefined && { pushsim }),
    ...(attempts.length > 0 && { attemptLatencyMs: mergeEntries(attempts) }),
    ...(anyHas('breakerTransitions') && { breakerTransitions: mergeTransitions(inputs) }),
    ...(anyHas('tokensToPrune') && { tokensToPrune: mergePrune(results) }),
    ...(delivery !== undefined && { delivery }),
    ...(anyHas('faults') && { faults: sumFaults(results) }),
    ...(anyHas('timeline') && { timeline: mergeTimelines(results, startedAt, options.keepSecondHistograms ?? false) }),
    ...(anyHas('loadModel') && { loadModel: mergeLoadModel(results) }),
    ...(anyHas('deliveredBy') && { deliveredBy: sumRecords(results.map((r) => r.deliveredBy)) }),
    ...(anyHas('providerFallbacks') && { providerFallbacks: sumRecords(results.map((r) => r.providerFallbacks)) }),
    ...timings,
    ...(config !== undefined && { config: JSON.parse(config) as RunConfig }),
    ...(anyHas('providers') && { providers: mergeProviders(results) }),
    ...(virtual !== undefined && { virtual: { durationMs, ...(virtual.seed !== undefined && { seed: virtual.seed }) } }),
    ...(anyHas('realPushes') && { realPushes: mergeRealPushes(results) }),
    ...mergeVerdicts(inputs, { scheduled: counts.scheduled, ...(timings.sendLagMs !== undefined && { sendLagMs: timings.sendLagMs }), acceptedP99Ms: latencyMs.accepted.count > 0 ? latencyMs.accepted.p99 : null }),
  };
}

/**
 * Simulations (`pushsim simulate`) all start at virtual zero whatever real time they were made at:
 * they are merged as if started together, at the earliest `startedAt`. A simulation and a real run
 * cannot be merged (virtual and real seconds do not add up). Undefined when none is virtual.
 */
function virtualParts(results: readonly Result[], names: readonly string[]): { results: Result[]; seed: number | undefined } | undefined {
  const simulated = results.filter((r) => r.virtual !== undefined);
  if (simulated.length === 0) return undefined;
  if (simulated.length < results.length) {
    const real = results.findIndex((r) => r.virtual === undefined);
    throw new InvalidArgumentError(`${names[real] ?? `result ${real + 1}`} is a real run and others are simulations (pushsim simulate, virtual time): merge results of one kind`);
  }
  const startedAt = new Date(minOf(startsOf(results))).toISOString();
  const seeds = new Set(simulated.map((r) => r.virtual?.seed));
  return { results: results.map((r) => ({ ...r, startedAt })), seed: seeds.size === 1 ? simulated[0]?.virtual?.seed : undefined };
}

/** `shard I/N` for a shard of `pushsim run --shard`, else `shard k` by position (from 1). */
function labelOf(result: Result, position: number): string {
  return result.shard === undefined ? `shard ${position + 1}` : `shard ${result.shard.index}/${result.shard.count}`;
}

/** Any closed-model shard makes the merged latency uncorrected too; the shards' in-flight counts add up. */
function mergeLoadModel(results: readonly Result[]): LoadModel {
  const inFlight = results.reduce((sum, r) => sum + (r.loadModel?.inFlight ?? 0), 0);
  return { kind: 'closed', inFlight, latencyCorrectedForCoordinatedOmission: false };
}

/** Send lag, queue wait and wire latency from the merged histograms, each when any shard has it. */
function mergedTimings(results: readonly Result[]): Pick<Result, 'sendLagMs' | 'queueWaitMs' | 'wireLatencyMs'> {
  const merged: { -readonly [K in 'sendLagMs' | 'queueWaitMs' | 'wireLatencyMs']?: LatencyEntry } = {};
  for (const key of ['sendLagMs', 'queueWaitMs', 'wireLatencyMs'] as const) {
    const entries = results.flatMap((r) => (r[key] === undefined ? [] : [r[key]]));
    if (entries.length > 0) merged[key] = mergeEntries(entries);
  }
  return merged;
}

/** Earliest start (epoch ms) and the time from it to the latest end. */
function span(results: readonly Result[]): { startedAt: number; durationMs: number } {
  const starts = startsOf(results);
  // minOf/maxOf, not Math.min(...starts): a spread of many shards would overflow the stack.
  const startedAt = minOf(starts);
  const end = maxOf(results.map((r, i) => (starts[i] ?? startedAt) + r.durationMs));
  return { startedAt, durationMs: end - startedAt };
}

function startsOf(results: readonly Result[]): number[] {
  return results.map((r) => {
    const at = Date.parse(r.startedAt);
    if (Number.isNaN(at)) throw new InvalidArgumentError(`startedAt must be an ISO 8601 date, got "${r.startedAt}"`);
    return at;
  });
}

/** Each shard's completions over its own duration, added up (shards run side by side); 3 decimals. */
function summedRate(results: readonly Result[]): number {
  return Math.round(results.reduce((sum, r) => sum + achievedRate(r.counts, r.durationMs), 0) * 1000) / 1000;
}

/** When the shards started, relative to the earliest, and for how long all of them ran at once. */
export interface ShardTiming {
  /** Per shard, in `results` order: ms after the earliest start. */
  readonly startOffsetsMs: readonly number[];
  /** Latest start − earliest start. */
  readonly startSkewMs: number;
  /** Earliest end − latest start: how long every shard was running; ≤ 0 when they never all ran at once. */
  readonly overlapMs: number;
}

export function shardTiming(results: readonly Result[]): ShardTiming {
  if (results.length === 0) throw new InvalidArgumentError('shardTiming needs at least one result');
  const starts = startsOf(results);
  const first = minOf(starts);
  const last = maxOf(starts);
  const ends = results.map((r, i) => (starts[i] ?? first) + r.durationMs);
  return {
    startOffsetsMs: starts.map((at) => at - first),
    startSkewMs: last - first,
    overlapMs: minOf(ends) - last,
  };
}

/** Start skew beyond which `mergeWarnings` speaks: more than timer and process start-up jitter. */
export const START_SKEW_WARNING_MS = 100;

/**
 * What the user should know about merging these shards: starts further apart than `skewMs`
 * (naming each late shard and by how much), and shards that never ran at the same time at all.
 * `names` label the shards (file names); `shard N` (from 1) without them.
 */
export function mergeWarnings(results: readonly Result[], names: readonly string[] = [], skewMs = START_SKEW_WARNING_MS): string[] {
  if (results.length < 2) return [];
  const timing = shardTiming(results);
  const name = (i: number): string => names[i] ?? `shard ${i + 1}`;
  const differentStarts = startAtWarning(results);
  const warnings: string[] = differentStarts === undefined ? [] : [differentStarts];
  if (timing.startSkewMs > skewMs) {
    const earliest = timing.startOffsetsMs.indexOf(0);
    const late = timing.startOffsetsMs.flatMap((offset, i) => (offset > skewMs ? [`${name(i)} +${seconds(offset)}`] : []));
    warnings.push(
      `the shards started up to ${seconds(timing.startSkewMs)} apart (after ${name(earliest)}: ${late.join(', ')}): the achieved rate is summed over each shard's own ` +
        'duration, so the skew does not lower it, but the merged latency and per-second counts mix moments that were not simultaneous; start shards together (e.g. at a shared wall-clock time)',
    );
  }
  if (timing.overlapMs <= 0) {
    warnings.push(
      `the shards never all ran at the same time (the last started ${seconds(-timing.overlapMs)} after the first ended): merge is for shards of one concurrent run, and their summed rate overstates what ran at once`,
    );
  }
  return warnings;
}

const seconds = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);

/** The value every result has, or undefined when they differ or one lacks it. */
function common(values: readonly (string | undefined)[]): string | undefined {
  const [first] = values;
  return values.every((v) => v === first) ? first : undefined;
}

function mergeCounts(results: readonly Result[]): ResultCounts {
  const sum = (key: keyof ResultCounts): number => results.reduce((total, r) => total + (r.counts[key] ?? 0), 0);
  const optional = (['retries', 'fallbacks', 'duplicates', 'shutdownInFlight', 'shutdownQueued'] as const).filter((key) => results.some((r) => r.counts[key] !== undefined));
  return {
    scheduled: sum('scheduled'),
    attempts: sum('attempts'),
    accepted: sum('accepted'),
    rejected: sum('rejected'),
    failed: sum('failed'),
    expired: sum('expired'),
    dropped: sum('dropped'),
    ...Object.fromEntries(optional.map((key) => [key, sum(key)])),
  };
}

/** Real pushes summed over the results that have them; the caps as mergeResults' comment says. */
function mergeRealPushes(results: readonly Result[]): RealPushes {
  const real = results.flatMap((r) => (r.realPushes === undefined ? [] : [r.realPushes]));
  return {
    sent: real.reduce((sum, r) => sum + r.sent, 0),
    dryRun: real.reduce((sum, r) => sum + r.dryRun, 0),
    byProvider: sumRecords(real.map((r) => r.byProvider as Readonly<Record<string, number>>)),
    maxNotifications: maxOf(real.map((r) => r.maxNotifications)),
    maxRate: maxOf(real.map((r) => r.maxRate)),
  };
}

/** Counts by key, summed over the results that have them (deliveredBy, providerFallbacks). */
function sumRecords(records: readonly (Readonly<Record<string, number>> | undefined)[]): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const record of records) for (const [key, n] of Object.entries(record ?? {})) sums[key] = (sums[key] ?? 0) + n;
  return sums;
}

/** Summed, then sorted by count descending and key, as ResultCollector does. */
function sumReasons(results: readonly Result[]): Record<string, number> {
  const byReason = new Map<string, number>();
  for (const r of results) for (const [key, n] of Object.entries(r.byReason)) byReason.set(key, (byReason.get(key) ?? 0) + n);
  return Object.fromEntries([...byReason].sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : ka > kb ? 1 : 0)));
}

function mergeEntries(entries: readonly LatencyEntry[]): LatencyEntry {
  const hdr = mergeEncoded(entries.map((e) => e.hdr));
  const histogram = decodeHistogram(hdr);
  try {
    return { ...histogram.summary(), hdr };
  } finally {
    histogram.destroy();
  }
}

function mergeTransitions(inputs: readonly MergeInput[]): BreakerTransition[] {
  const merged = inputs.flatMap(({ result, label, offsetMs }) =>
    (result.breakerTransitions ?? []).map((t) => ({
      ...t,
      atMs: t.atMs + offsetMs,
      origin: inputs.length > 1 ? `${t.origin} [${label}]` : t.origin,
    })),
  );
  // Stable: transitions of one shard at the same instant keep their order.
  return merged.sort((a, b) => a.atMs - b.atMs);
}

function mergePrune(results: readonly Result[]): TokenToPrune[] {
  const byToken = new Map<string, TokenToPrune>();
  for (const r of results) {
    for (const t of r.tokensToPrune ?? []) {
      const key = JSON.stringify([t.provider, t.token]);
      if (!byToken.has(key)) byToken.set(key, t);
    }
  }
  return [...byToken.values()];
}

/** The ledger's default `maxTokensListed`. */
const TOKENS_LISTED = 100;

/**
 * The ledger's own merge (one mock per provider in a mixed run is the same problem), with one
 * refinement: shards of one scenario share their tokens, so a token with duplicates in two shards
 * would count twice in `tokensWithDuplicates`. When every shard listed all of its tokens, the
 * distinct count is exact; otherwise the sum is the best bound left.
 */
function mergeDelivery(deliveries: readonly DeliverySummary[]): DeliverySummary | undefined {
  if (deliveries.length === 0) return undefined;
  const { recordsKept: _recordsKept, ...merged } = mergeLedgerSummaries(
    deliveries.map((d) => ({ ...d, recordsKept: 0 })),
    Number.MAX_SAFE_INTEGER,
  );
  const complete = deliveries.every((d) => Object.keys(d.duplicatesByToken).length === d.tokensWithDuplicates);
  return {
    ...merged,
    ...(complete && { tokensWithDuplicates: Object.keys(merged.duplicatesByToken).length }),
    // All tokens were needed for the count above; the file keeps the ledger's usual top list.
    duplicatesByToken: Object.fromEntries(Object.entries(merged.duplicatesByToken).slice(0, TOKENS_LISTED)),
    ...mergeAcknowledgements(deliveries, merged.byProvider),
  };
}

/**
 * Delivered-but-not-acknowledged counts summed, when every shard has them: each shard set its own
 * sender's outcomes against its own mock's ledger, so the sums stay exact if each part was.
 */
function mergeAcknowledgements(deliveries: readonly DeliverySummary[], byProvider: Readonly<Record<string, { delivered: number; duplicates: number }>>): Partial<DeliverySummary> {
  if (!deliveries.every((d) => d.acknowledged !== undefined && d.notAcknowledged !== undefined)) return {};
  const sum = (pick: (d: DeliverySummary) => number | undefined): number => deliveries.reduce((total, d) => total + (pick(d) ?? 0), 0);
  return {
    acknowledged: sum((d) => d.acknowledged),
    notAcknowledged: sum((d) => d.notAcknowledged),
    notAcknowledgedExact: deliveries.every((d) => d.notAcknowledgedExact === true),
    byProvider: Object.fromEntries(
      Object.entries(byProvider).map(([provider, counts]) => [
        provider,
        { ...counts, acknowledged: sum((d) => d.byProvider[provider]?.acknowledged), notAcknowledged: sum((d) => d.byProvider[provider]?.notAcknowledged) },
      ]),
    ),
  };
}

/** Summed by id, in the order the ids first appear. */
function sumFaults(results: readonly Result[]): FaultInjection[] {
  const byId = new Map<string, FaultInjection>();
  for (const r of results) {
    for (const f of r.faults ?? []) {
      const seen = byId.get(f.id);
      byId.set(f.id, { id: f.id, kind: seen?.kind ?? f.kind, injected: (seen?.injected ?? 0) + f.injected });
    }
  }
  return [...byId.values()];
}

/**
 * Per-second counts summed on the merged clock; percentiles as they were where one shard had the
 * second, else from the shards' added histograms of that second (null if one lacks its histogram).
 */
function mergeTimelines(results: readonly Result[], startedAt: number, keepHistograms: boolean): TimelineSecond[] {
  const merged: { entry: TimelineSecond; parts: TimelineSecond[] }[] = [];
  for (const r of results) {
    const shift = Math.round((Date.parse(r.startedAt) - startedAt) / 1000);
    for (const s of r.timeline ?? []) {
      const second = s.second + shift;
      for (let k = merged.length; k <= second; k++) merged.push({ entry: { second: k, scheduled: 0, accepted: 0, rejected: 0, failed: 0, expired: 0, dropped: 0, p50: null, p99: null, max: null }, parts: [] });
      const slot = merged[second] as { entry: TimelineSecond; parts: TimelineSecond[] };
      const e = slot.entry;
      slot.parts.push(s);
      slot.entry = {
        second,
        scheduled: e.scheduled + s.scheduled,
        ...((e.sent !== undefined || s.sent !== undefined) && { sent: (e.sent ?? 0) + (s.sent ?? 0) }),
        accepted: e.accepted + s.accepted,
        rejected: e.rejected + s.rejected,
        failed: e.failed + s.failed,
        expired: e.expired + s.expired,
        dropped: e.dropped + s.dropped,
        p50: null,
        p99: null,
        max: null,
        ...worstPauses(e, s),
        ...summedEvents(e, s),
      };
    }
  }
  return merged.map(({ entry, parts }) => ({ ...entry, ...secondLatency(parts, keepHistograms) }));
}

/** A merged second's accepted-latency percentiles (and histogram, if kept) from the shards that had it. */
function secondLatency(parts: readonly TimelineSecond[], keepHistogram: boolean): Pick<TimelineSecond, 'p50' | 'p99' | 'max' | 'hdr'> {
  const accepting = parts.filter((p) => p.accepted > 0);
  const [only] = accepting;
  if (accepting.length === 1 && only !== undefined) return { p50: only.p50, p99: only.p99, max: only.max, ...(keepHistogram && only.hdr !== undefined && { hdr: only.hdr }) };
  const histograms = accepting.flatMap((p) => (p.hdr === undefined ? [] : [p.hdr]));
  if (accepting.length === 0 || histograms.length < accepting.length) return { p50: null, p99: null, max: null };
  const hdr = mergeEncoded(histograms);
  const histogram = decodeHistogram(hdr);
  try {
    const { p50, p99, max } = histogram.summary();
    return { p50, p99, max, ...(keepHistogram && { hdr }) };
  } finally {
    histogram.destroy();
  }
}

/** A second's pauses (sender and mock thread) from two shards: the worst of each, when either has it. */
function worstPauses(a: TimelineSecond, b: TimelineSecond): Partial<TimelineSecond> {
  const pauses: { -readonly [K in 'senderDelayMs' | 'senderGcMs' | 'mockDelayMs' | 'mockGcMs']?: number } = {};
  for (const key of ['senderDelayMs', 'senderGcMs', 'mockDelayMs', 'mockGcMs'] as const) {
    const x = a[key];
    const y = b[key];
    if (x !== undefined || y !== undefined) pauses[key] = Math.max(x ?? 0, y ?? 0);
  }
  return pauses;
}

/** A second's retries and injected faults from two shards: summed, when either has them. */
function summedEvents(a: TimelineSecond, b: TimelineSecond): Pick<TimelineSecond, 'retries' | 'injected'> {
  const events: { -readonly [K in 'retries' | 'injected']?: number } = {};
  for (const key of ['retries', 'injected'] as const) {
    if (a[key] !== undefined || b[key] !== undefined) events[key] = (a[key] ?? 0) + (b[key] ?? 0);
  }
  return events;
}

/** Per provider: counts summed, accepted latency from the merged histograms; providers in name order. */
function mergeProviders(results: readonly Result[]): Record<string, ProviderOutcomes> {
  const names = [...new Set(results.flatMap((r) => Object.keys(r.providers ?? {})))].sort();
  return Object.fromEntries(
    names.map((name) => {
      const parts = results.flatMap((r) => (r.providers?.[name] === undefined ? [] : [r.providers[name]]));
      const sum = (key: OutcomeStatus): number => parts.reduce((total, p) => total + p[key], 0);
      return [name, { accepted: sum('accepted'), rejected: sum('rejected'), failed: sum('failed'), expired: sum('expired'), dropped: sum('dropped'), acceptedLatencyMs: mergeEntries(parts.map((p) => p.acceptedLatencyMs)) }];
    }),
  );
}
