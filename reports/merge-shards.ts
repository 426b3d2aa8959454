/**
 * What merge.ts needs beyond adding counts and histograms: that the results are the shards of one
 * run (`pushsim run --shard I/N`), each exactly once, and what becomes of each shard's verdicts —
 * validity, interruption, unreachable target, fault phases, own pauses, warnings — in the result of
 * the whole. Pure: no I/O, no clock.
 *
 * The rule for verdicts: the whole is only as good as its worst part. A run is a valid measurement
 * when every shard was; it was interrupted (or lost its target) when any shard was, at the earliest
 * such moment on the merged clock; pauses are the worst shard's; warnings are kept, each saying
 * which shards said it.
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { ThreadPauses } from '../core/pauses.js';
import type { Interruption, LatencyEntry, MergedShards, OverloadEvidence, OwnPauses, PhaseSpan, RecipientsLost, Result, Unreachable, Validity } from './result.js';

/** The results as merge.ts sees them: each with its label and its start's offset from the merged start (ms). */
export interface MergeInput {
  readonly result: Result;
  /** `shard I/N` for a shard, else the file name (or `shard k` by position, from 1). */
  readonly label: string;
  readonly offsetMs: number;
}

/**
 * Checks that `results` are every shard of one sharded run, once each; returns them in shard order
 * with their names, and the merged `shards` entry. Results without shard information (processes
 * started by hand) are merged as given, in their order. Throws InvalidArgumentError (exit 2 from
 * `pushsim merge`) naming the files when some are shards and some not, when they are shards of
 * different runs (number of shards, scenario), or when a shard is missing or given twice.
 */
export function orderShards(results: readonly Result[], names: readonly string[]): { ordered: { result: Result; name: string }[]; shards?: Omit<MergedShards, 'startSkewMs'> } {
  const named = results.map((result, i) => ({ result, name: names[i] ?? `result ${i + 1}` }));
  const sharded = named.filter((n) => n.result.shard !== undefined);
  if (sharded.length === 0) return { ordered: named };
  const whole = named.find((n) => n.result.shard === undefined);
  if (whole !== undefined) {
    throw new InvalidArgumentError(
      `${whole.name} is not a shard (it ran the whole scenario) but ${sharded[0]?.name} is shard ${label(sharded[0]?.result)}: merge the results of the shards of one run (pushsim run --shard I/N), or only results without shards`,
    );
  }
  const first = sharded[0] as { result: Result; name: string };
  const info = first.result.shard as NonNullable<Result['shard']>;
  const otherCount = sharded.find((n) => n.result.shard?.count !== info.count);
  if (otherCount !== undefined) {
    throw new InvalidArgumentError(`${first.name} is shard ${label(first.result)} but ${otherCount.name} is shard ${label(otherCount.result)}: the shards of one run all have the same N`);
  }
  const otherScenario = sharded.find((n) => n.result.shard?.scenarioDigest !== info.scenarioDigest);
  if (otherScenario !== undefined) {
    throw new InvalidArgumentError(
      `${first.name} and ${otherScenario.name} are shards of different scenarios (${describeScenario(first.result)} vs ${describeScenario(otherScenario.result)}): every shard must run the same scenario with the same flags (rate, count, seed, faults)`,
    );
  }
  const byIndex = new Map<number, { result: Result; name: string }>();
  for (const n of sharded) {
    const index = (n.result.shard as NonNullable<Result['shard']>).index;
    const seen = byIndex.get(index);
    if (seen !== undefined) throw new InvalidArgumentError(`shard ${label(n.result)} is given twice: ${seen.name} and ${n.name}; each shard's result once`);
    byIndex.set(index, n);
  }
  const missing = Array.from({ length: info.count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    const listed = missing.length > 10 ? `${missing.slice(0, 10).join(', ')} … (${missing.length} in all)` : missing.join(', ');
    throw new InvalidArgumentError(`shard${missing.length === 1 ? '' : 's'} ${listed} of ${info.count} missing: merge needs the result of every shard of the run, each once (${sharded.length} given)`);
  }
  const startAts = new Set(sharded.map((n) => n.result.shard?.startAt));
  const [startAt] = startAts;
  return {
    ordered: [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, n]) => n),
    shards: { count: info.count, scenarioDigest: info.scenarioDigest, ...(startAts.size === 1 && startAt !== undefined && { startAt }) },
  };
}

function label(result: Result | undefined): string {
  return result?.shard === undefined ? '?' : `${result.shard.index}/${result.shard.count}`;
}

function describeScenario(result: Result): string {
  return `${result.scenario === undefined ? 'scenario' : `"${result.scenario}"`} ${result.shard?.scenarioDigest ?? ''}`.trim();
}

/** Shards of one run given different agreed starts: they did not start together, and the merge says so. */
export function startAtWarning(results: readonly Result[]): string | undefined {
  if (results.every((r) => r.shard === undefined)) return undefined;
  const starts = new Set(results.map((r) => r.shard?.startAt));
  if (starts.size <= 1) return undefined;
  return `the shards were given different starts (${[...starts].map((s) => s ?? 'none').join(', ')}): give every shard the same --start-at`;
}

/** Each shard's verdicts, merged as the module comment says. */
export function mergeVerdicts(inputs: readonly MergeInput[], merged: { scheduled: number; sendLagMs?: LatencyEntry; acceptedP99Ms: number | null }): Pick<Result, 'validity' | 'interrupted' | 'unreachable' | 'recipientsLost' | 'phases' | 'pauses' | 'warnings'> {
  const validity = mergeValidity(inputs, merged);
  const interrupted = earliest(inputs, (r) => r.interrupted);
  const unreachable = earliest(inputs, (r) => r.unreachable);
  const recipientsLost = earliest(inputs, (r) => r.recipientsLost);
  const phases = mergePhases(inputs);
  const pauses = mergePauses(inputs.map((i) => i.result), merged.acceptedP99Ms);
  const warnings = mergeWarningTexts(inputs);
  return {
    ...(validity !== undefined && { validity }),
    ...(interrupted !== undefined && { interrupted }),
    ...(unreachable !== undefined && { unreachable }),
    ...(recipientsLost !== undefined && { recipientsLost }),
    ...(phases !== undefined && { phases }),
    ...(pauses !== undefined && { pauses }),
    ...(warnings.length > 0 && { warnings }),
  };
}

/**
 * Valid only when every shard with a verdict was; its reasons are the shards' reasons, each with
 * its shard. The evidence is the worst shard's for lags, event loop, CPU (% of one core: each
 * shard is its own process) and limited shares; shed and in-flight limits and peaks are summed
 * (peaks as an upper bound: they need not have been simultaneous); the send-lag p99 comes from the
 * merged histogram when the shards have one.
 */
function mergeValidity(inputs: readonly MergeInput[], merged: { scheduled: number; sendLagMs?: LatencyEntry }): Validity | undefined {
  const judged = inputs.flatMap((i) => (i.result.validity === undefined ? [] : [{ label: i.label, validity: i.result.validity }]));
  const [first] = judged;
  if (first === undefined) return undefined;
  const evidences = judged.map((j) => j.validity.evidence);
  const max = (pick: (e: OverloadEvidence) => number): number => Math.max(...evidences.map(pick));
  const sum = (pick: (e: OverloadEvidence) => number): number => evidences.reduce((total, e) => total + pick(e), 0);
  const maxOrNull = (pick: (e: OverloadEvidence) => number | null): number | null => {
    const values = evidences.map(pick).filter((v): v is number => v !== null);
    return values.length === 0 ? null : Math.max(...values);
  };
  const shed = sum((e) => e.shed);
  const targetLimits = evidences.map((e) => e.inFlight.targetLimit);
  const invalid = judged.find((j) => !j.validity.valid && j.validity.bottleneck !== undefined);
  const bottleneck = invalid ?? judged.find((j) => j.validity.bottleneck !== undefined);
  return {
    valid: judged.every((j) => j.validity.valid),
    failOnOverload: judged.some((j) => j.validity.failOnOverload),
    bounds: first.validity.bounds,
    reasons: judged.flatMap((j) => j.validity.reasons.map((reason) => `${j.label}: ${reason}`)),
    ...(bottleneck?.validity.bottleneck !== undefined && { bottleneck: { kind: bottleneck.validity.bottleneck.kind, summary: `${bottleneck.label}: ${bottleneck.validity.bottleneck.summary}` } }),
    evidence: {
      sendLagP99Ms: merged.sendLagMs !== undefined ? merged.sendLagMs.p99 : maxOrNull((e) => e.sendLagP99Ms),
      fireLagP99Ms: maxOrNull((e) => e.fireLagP99Ms),
      shed,
      shedPercent: merged.scheduled > 0 ? Math.round(((100 * shed) / merged.scheduled) * 1000) / 1000 : 0,
      eventLoop: { utilization: max((e) => e.eventLoop.utilization), delayP99Ms: max((e) => e.eventLoop.delayP99Ms), delayMaxMs: max((e) => e.eventLoop.delayMaxMs) },
      cpuPercent: max((e) => e.cpuPercent),
      inFlight: {
        senderLimit: sum((e) => e.inFlight.senderLimit),
        targetLimit: targetLimits.some((t) => t === null) ? null : targetLimits.reduce<number>((total, t) => total + (t ?? 0), 0),
        peak: sum((e) => e.inFlight.peak),
        peakQueued: sum((e) => e.inFlight.peakQueued),
        senderLimitedPercent: max((e) => e.inFlight.senderLimitedPercent),
        targetLimitedPercent: max((e) => e.inFlight.targetLimitedPercent),
        connectingPercent: max((e) => e.inFlight.connectingPercent),
      },
    },
  };
}

/** The earliest interruption (or loss of the target) on the merged clock; during the warm-up counts as the shard's start. */
function earliest<T extends Interruption | Unreachable | RecipientsLost>(inputs: readonly MergeInput[], pick: (r: Result) => T | undefined): T | undefined {
  let found: T | undefined;
  for (const input of inputs) {
    const event = pick(input.result);
    if (event === undefined) continue;
    const rebased = { ...event, atMs: event.atMs + input.offsetMs };
    if (found === undefined || rebased.atMs < found.atMs) found = rebased;
  }
  return found;
}

/** Each phase (by name, in the order they first appear) from its earliest start to its latest end on the merged clock. */
function mergePhases(inputs: readonly MergeInput[]): PhaseSpan[] | undefined {
  if (inputs.every((i) => i.result.phases === undefined)) return undefined;
  const byName = new Map<string, PhaseSpan>();
  for (const input of inputs) {
    for (const phase of input.result.phases ?? []) {
      const startMs = phase.startMs + input.offsetMs;
      const endMs = phase.endMs + input.offsetMs;
      const seen = byName.get(phase.name);
      byName.set(phase.name, seen === undefined ? { name: phase.name, startMs, endMs } : { name: phase.name, startMs: Math.min(seen.startMs, startMs), endMs: Math.max(seen.endMs, endMs) });
    }
  }
  return [...byName.values()];
}

/** Each thread's pauses, field by field the worst shard's; the tail against the merged accepted p99. */
function mergePauses(results: readonly Result[], acceptedP99Ms: number | null): OwnPauses | undefined {
  const all = results.flatMap((r) => (r.pauses === undefined ? [] : [r.pauses]));
  if (all.length === 0) return undefined;
  const sender = worst(all.map((p) => p.sender)) as ThreadPauses;
  const mock = worst(all.flatMap((p) => (p.mock === undefined ? [] : [p.mock])));
  const tails = all.flatMap((p) => (p.tail === undefined ? [] : [p.tail.ownP99Ms]));
  const ownP99Ms = tails.length === 0 ? undefined : Math.max(...tails);
  const tail = ownP99Ms === undefined || acceptedP99Ms === null || acceptedP99Ms <= 0 ? undefined : { ownP99Ms, acceptedP99Ms, percent: Math.round(((100 * ownP99Ms) / acceptedP99Ms) * 1000) / 1000 };
  return { sender, ...(mock !== undefined && { mock }), ...(tail !== undefined && { tail }) };
}

function worst(threads: readonly ThreadPauses[]): ThreadPauses | undefined {
  if (threads.length === 0) return undefined;
  const max = (pick: (t: ThreadPauses) => number): number => Math.max(...threads.map(pick));
  return {
    eventLoopDelayMs: { p50: max((t) => t.eventLoopDelayMs.p50), p99: max((t) => t.eventLoopDelayMs.p99), max: max((t) => t.eventLoopDelayMs.max) },
    gc: { count: max((t) => t.gc.count), totalMs: max((t) => t.gc.totalMs), maxMs: max((t) => t.gc.maxMs), percent: max((t) => t.gc.percent) },
  };
}

/**
 * Every warning of every shard, once, saying which shards said it (`[shards 0/3, 2/3] …`), in the
 * order they first appear; then a line for each interruption and lost target, which the merged
 * `interrupted` / `unreachable` (the earliest) would otherwise hide.
 */
function mergeWarningTexts(inputs: readonly MergeInput[]): string[] {
  const byText = new Map<string, string[]>();
  for (const input of inputs) {
    for (const warning of input.result.warnings ?? []) byText.set(warning, [...(byText.get(warning) ?? []), input.label]);
  }
  const warnings = [...byText].map(([text, labels]) => (inputs.length === 1 ? text : `[${labels.join(', ')}] ${text}`));
  if (inputs.length > 1) {
    for (const { label, result } of inputs) {
      if (result.interrupted !== undefined) warnings.push(`${label} was interrupted by ${result.interrupted.signal}${result.interrupted.duringWarmup === true ? ' before it measured anything' : ` at ${(result.interrupted.atMs / 1000).toFixed(2)} s of its run`}: the merged result is partial`);
      if (result.unreachable !== undefined) warnings.push(`${label} lost its target (${result.unreachable.origin}: ${result.unreachable.cause}): the merged result is partial`);
      if (result.recipientsLost !== undefined) warnings.push(`${label} lost its recipients file (${result.recipientsLost.file} ${result.recipientsLost.problem}): the merged result is partial`);
    }
  }
  return warnings;
}
