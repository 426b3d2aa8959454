/**
 * The terminal summary of a Result (after autocannon printResult.js and k6's end-of-test summary).
 * A pure function of the Result: no clock, no environment, no I/O, so it prints merged and loaded
 * results exactly like live ones.
 */
import { outcomeStatuses } from '../sender/outcome.js';
import { checkInvariant } from './result.js';
import type { Result } from './result.js';
import { describeNotAcknowledged } from './delivery.js';
import type { ThreadPauses } from '../core/pauses.js';
import { duration, ms, percent, perSecond as rate, safe, table } from './format.js';
import { pushAll } from '../core/arrays.js';
import { configRows } from './run-config.js';

export interface FormatTextOptions {
  /** ANSI colours (bold headings, green ✓ / red ✗). @default false */
  readonly color?: boolean;
}

/** The most frequent reasons shown (a provider has a few dozen; more means a merged or generated result). */
const maxReasonRows = 100;

/** Rows per second up to this many; a longer run says where the full series is. */
const maxTimelineRows = 60;

/**
 * Per second: planned, sent (on the wire: falling behind shows as sent < planned), then each final
 * state in its own column, as the outcome table below counts them.
 */
function timelineLines(timeline: NonNullable<Result['timeline']>, bold: (text: string) => string): string[] {
  if (timeline.length > maxTimelineRows) return [`per second: ${timeline.length} seconds, in result.json "timeline"`];
  const cell = (value: number | null): string => (value === null ? '—' : ms(value));
  // Retries and injected faults, when the result counts them (newer results; injected: runs with faults).
  const events = (['retries', 'injected'] as const).filter((key) => timeline.every((s) => s[key] !== undefined));
  const [head = '', ...body] = table([
    ['second', 'planned', 'sent', 'accepted', 'rejected', 'failed', 'expired', 'dropped', 'p50', 'p99', 'max', ...events],
    ...timeline.map((s) => [
      String(s.second),
      String(s.scheduled),
      s.sent === undefined ? '—' : String(s.sent),
      ...outcomeStatuses.map((status) => String(s[status])),
      cell(s.p50),
      cell(s.p99),
      cell(s.max),
      ...events.map((key) => String(s[key] ?? 0)),
    ]),
  ]);
  return [bold(head), ...body];
}

/** What stopped or invalidated the run, first, before any number: each a line of its own. */
function verdictLines(result: Result, paint: (code: string, text: string) => string): string[] {
  const lines: string[] = [];
  const red = (text: string): string => paint('31', text);
  if (result.interrupted !== undefined) {
    const { signal, atMs, duringWarmup } = result.interrupted;
    lines.push(red(`✗ INTERRUPTED by ${safe(signal)} ${duringWarmup === true ? 'during the warm-up: nothing was measured' : `at ${duration(atMs)}: a partial result`}`));
  }
  if (result.unreachable !== undefined) {
    const u = result.unreachable;
    const when = u.duringWarmup === true ? 'during the warm-up: nothing was measured' : `stopped at ${duration(u.atMs)}`;
    lines.push(red(`✗ TARGET UNREACHABLE: ${safe(u.origin)}: ${safe(u.cause)} — ${safe(u.message)} (${when})`));
  }
  if (result.recipientsLost !== undefined) {
    const { file, problem, atMs } = result.recipientsLost;
    lines.push(red(`✗ RECIPIENTS FILE LOST: ${safe(file)} ${safe(problem)} (stopped at ${duration(atMs)}: a partial result)`));
  }
  const v = result.validity;
  if (v !== undefined && !v.valid) {
    const optedOut = v.failOnOverload ? '' : ' (validity.failOnOverload: false, so the run does not fail on it)';
    lines.push(red(`✗ NOT A VALID MEASUREMENT OF THE TARGET${optedOut}:`));
    for (const reason of v.reasons) lines.push(`  - ${safe(reason)}`);
  }
  if (v?.bottleneck !== undefined) lines.push(`${v.valid ? 'note: ' : '  '}bottleneck: ${safe(v.bottleneck.summary)}`);
  return lines;
}

/** What reached real providers (warm-up and retries included), and the caps the run was held to. */
/** A simulation says so up front: its times are virtual, and what only real time has is not in it. */
function virtualLine(virtual: NonNullable<Result['virtual']>): string {
  return `virtual time (pushsim simulate${virtual.seed === undefined ? '' : `, seed ${virtual.seed}`}): durations, rates and latencies are simulated; pushsim's own CPU, pauses and send lag are not part of it (docs/virtual-time.md)`;
}

function realPushesLine(real: NonNullable<Result['realPushes']>): string {
  const byProvider = Object.entries(real.byProvider).map(([provider, n]) => `${safe(provider)} ${n}`).join(', ');
  const dryRun = real.dryRun > 0 ? ` · ${real.dryRun} dry-run (FCM validate_only: nothing delivered)` : '';
  return `REAL PUSHES: ${real.sent} sent to real providers${dryRun}${byProvider === '' ? '' : ` (requests on the wire: ${byProvider})`} · caps ${real.maxNotifications} notifications, ${real.maxRate}/s`;
}

/** How many sender threads the run used, and why that many when pushsim chose. */
function workersLine(workers: number, rule: string | undefined): string {
  const threads = workers === 1 ? '1 sender thread' : `${workers} sender worker threads, results merged`;
  return `workers ${workers}: ${threads}${rule === undefined ? '' : ` (${safe(rule)})`}`;
}

/** Which part of a sharded run this is, or how the merged shards started. */
function shardLines(result: Result): string[] {
  const lines: string[] = [];
  const { shard, shards } = result;
  if (shard !== undefined) {
    const start = shard.startAt === undefined ? '' : ` · agreed start ${safe(shard.startAt)}${shard.lateMs === undefined ? '' : `, began ${ms(shard.lateMs)} ms after it`}`;
    lines.push(`shard ${shard.index}/${shard.count} of the scenario (digest ${safe(shard.scenarioDigest)})${start}: \`pushsim merge\` the ${shard.count} results for the whole`);
  }
  if (shards !== undefined) {
    const start = shards.startAt === undefined ? '' : ` at the agreed start ${safe(shards.startAt)}`;
    lines.push(`merged from all ${shards.count} shards of the scenario (digest ${safe(shards.scenarioDigest)}), started${start} within ${ms(shards.startSkewMs)} ms of each other`);
  }
  return lines;
}

/** Where the time of the notifications and attempts went: late leaving, queued inside pushsim, on the wire. */
function timingLines(result: Result): string[] {
  const summary = (e: { p50: number; p99: number; max: number }): string => `p50 ${ms(e.p50)} · p99 ${ms(e.p99)} · max ${ms(e.max)}`;
  const lines: string[] = [];
  if (result.sendLagMs !== undefined) lines.push(`send lag (ms, planned → on the wire): ${summary(result.sendLagMs)}`);
  if (result.attemptLatencyMs !== undefined) lines.push(`per attempt (ms): ${summary(result.attemptLatencyMs)}`);
  if (result.queueWaitMs !== undefined) lines.push(`  queued in pushsim (ms): ${summary(result.queueWaitMs)}`);
  if (result.wireLatencyMs !== undefined) lines.push(`  on the wire (ms): ${summary(result.wireLatencyMs)}`);
  return lines;
}

/** pushsim's own pauses, per thread, and what they could have added to the accepted tail. */
function pauseLines(pauses: NonNullable<Result['pauses']>, workers = 1): string[] {
  const thread = (name: string, p: ThreadPauses): string => {
    const { eventLoopDelayMs: d, gc } = p;
    return `  ${name}: event-loop delay p50 ${ms(d.p50)} · p99 ${ms(d.p99)} · max ${ms(d.max)} · GC ${gc.count} pauses, ${ms(gc.totalMs)} in all (${gc.percent.toFixed(2)} % of the time), longest ${ms(gc.maxMs)}`;
  };
  // A run over workers keeps, field by field, the worst worker's (reports/merge-shards.ts).
  const lines = ["pushsim's own pauses (ms):", thread(workers > 1 ? `sender threads (worst of ${workers})` : 'sender thread', pauses.sender)];
  if (pauses.mock !== undefined) lines.push(thread('mock worker  ', pauses.mock));
  const { tail } = pauses;
  if (tail !== undefined) lines.push(`  together ${ms(tail.ownP99Ms)} at p99: ${tail.percent.toFixed(1)} % of the accepted p99 (${ms(tail.acceptedP99Ms)})`);
  return lines;
}

/** One line per provider of a run to several: its notifications by outcome and its accepted latency. */
function providerLines(result: Result): string[] {
  return Object.entries(result.providers ?? {}).map(([name, p]) => {
    const total = outcomeStatuses.reduce((sum, status) => sum + p[status], 0);
    const outcomes = outcomeStatuses.filter((status) => p[status] > 0 || status === 'accepted').map((status) => `${status} ${p[status]}`);
    const e = p.acceptedLatencyMs;
    const latency = e.count > 0 ? ` · accepted p50 ${ms(e.p50)} · p99 ${ms(e.p99)} ms` : '';
    return `${safe(name)}: ${total} notifications, ${outcomes.join(', ')} (${percent(p.accepted, total)} accepted)${latency}`;
  });
}

/** What `dropped` is made of: pushsim's own doing, each kind apart. */
function droppedLine(result: Result): string | undefined {
  const { counts, byReason } = result;
  if (counts.dropped === 0) return undefined;
  const parts = [
    byReason['pushsim:queue-full'] !== undefined && `${byReason['pushsim:queue-full']} shed (queue full)`,
    (counts.shutdownInFlight ?? 0) > 0 && `${counts.shutdownInFlight} cut on the wire when the run stopped`,
    (counts.shutdownQueued ?? 0) > 0 && `${counts.shutdownQueued} never sent before it stopped`,
  ].filter((part): part is string => typeof part === 'string');
  return parts.length === 0 ? undefined : `dropped by pushsim itself: ${parts.join(' · ')}`;
}

export function formatText(result: Result, options: FormatTextOptions = {}): string {
  const paint = (code: string, text: string): string => (options.color === true ? `\x1b[${code}m${text}\x1b[0m` : text);
  const bold = (text: string): string => paint('1', text);
  const { counts } = result;
  const lines: string[] = [];

  const title = ['pushsim'];
  if (result.scenario !== undefined) title.push(`scenario ${safe(result.scenario)}`);
  if (result.target !== undefined) title.push(`target ${safe(result.target)}`);
  if (result.targets !== undefined) title.push(`targets ${Object.entries(result.targets).map(([provider, origin]) => `${safe(provider)} ${safe(origin)}`).join(', ')}`);
  title.push(`started ${safe(result.startedAt)}`);
  lines.push(bold(title.join(' · ')));
  pushAll(lines, shardLines(result));
  pushAll(lines, verdictLines(result, paint));

  const { target, achieved } = result.rate;
  const achievedText =
    result.unreachable !== undefined
      ? '— (the target never answered)'
      : target !== null && target > 0
        ? `${rate(achieved)} (${percent(achieved, target)} of target)`
        : rate(achieved);
  lines.push(
    `duration ${duration(result.durationMs)} · target ${target === null ? '—' : rate(target)} · achieved ${achievedText}`,
  );
  if (result.realPushes !== undefined) lines.push(realPushesLine(result.realPushes));
  if (result.virtual !== undefined) lines.push(virtualLine(result.virtual));
  if (result.loadModel !== undefined) {
    lines.push(
      `closed model, ${result.loadModel.inFlight} in flight: latency is NOT corrected for coordinated omission (it runs from each send, and a slow answer delayed the next one); measure latency with an arrival rate`,
    );
  }

  lines.push('');
  const latencyRows = outcomeStatuses
    .map((status) => [status, result.latencyMs[status]] as const)
    .filter(([, entry]) => entry.count > 0)
    .map(([status, e]) => [status, String(e.count), ms(e.p50), ms(e.p90), ms(e.p99), ms(e.p999), ms(e.max)]);
  if (latencyRows.length === 0) {
    lines.push('latency: no values recorded');
  } else {
    const [head = '', ...body] = table([['latency (ms)', 'count', 'p50', 'p90', 'p99', 'p99.9', 'max'], ...latencyRows]);
    lines.push(bold(head));
    pushAll(lines, body);
  }

  if (result.timeline !== undefined && result.timeline.length > 0) {
    lines.push('');
    pushAll(lines, timelineLines(result.timeline, bold));
  }

  lines.push('');
  // Percentages of what was planned; fall back on the outcomes when nothing was counted as scheduled.
  const ended = outcomeStatuses.reduce((sum, status) => sum + counts[status], 0);
  const whole = counts.scheduled > 0 ? counts.scheduled : ended;
  const [outcomeHead = '', ...outcomeBody] = table([
    ['outcome', 'count', '%'],
    ...outcomeStatuses.map((status) => [status, String(counts[status]), percent(counts[status], whole)]),
  ]);
  lines.push(bold(outcomeHead));
  pushAll(lines, outcomeBody);
  const dropped = droppedLine(result);
  if (dropped !== undefined) lines.push(dropped);
  pushAll(lines, providerLines(result));
  const perNotification = ended > 0 ? ` (${(counts.attempts / ended).toFixed(3)} per notification)` : '';
  lines.push(`attempts ${counts.attempts} on the wire${perNotification}`);
  const resilience = [
    counts.retries !== undefined && `retries ${counts.retries}`,
    counts.fallbacks !== undefined && `fallbacks ${counts.fallbacks}`,
    counts.duplicates !== undefined && `duplicate deliveries ${counts.duplicates}`,
    result.tokensToPrune !== undefined && `tokens to prune ${result.tokensToPrune.length}`,
  ].filter((part): part is string => typeof part === 'string');
  if (resilience.length > 0) lines.push(resilience.join(' · '));
  const delivered = deliveredByLine(result);
  if (delivered !== undefined) lines.push(delivered);
  pushAll(lines, timingLines(result));
  if (result.workers !== undefined) lines.push(workersLine(result.workers, result.workersRule));
  if (result.pauses !== undefined) pushAll(lines, pauseLines(result.pauses, result.workers));
  for (const t of result.breakerTransitions ?? []) {
    lines.push(`circuit ${safe(t.origin)}: ${safe(t.from)} → ${safe(t.to)} at ${duration(t.atMs)}`);
  }

  const reasons = Object.entries(result.byReason).sort(([ka, a], [kb, b]) => b - a || (ka < kb ? -1 : ka > kb ? 1 : 0));
  if (reasons.length > 0) {
    lines.push('');
    const [reasonHead = '', ...reasonBody] = table([
      ['reason', 'count'],
      ...reasons.slice(0, maxReasonRows).map(([key, n]) => [safe(key), String(n)]),
    ]);
    lines.push(bold(reasonHead));
    pushAll(lines, reasonBody);
    if (reasons.length > maxReasonRows) lines.push(`… ${reasons.length - maxReasonRows} more reasons, in result.json "byReason"`);
  }

  if (result.delivery !== undefined) {
    const d = result.delivery;
    lines.push('');
    const parts = [`delivered ${d.delivered}`, `unique ${d.unique}`, `duplicates ${d.duplicates}${d.duplicates > 0 ? ` on ${d.tokensWithDuplicates} token(s)` : ''}`];
    if (d.unidentified > 0) parts.push(`${d.unidentified} without apns-id (not checked)`);
    const unacknowledged = describeNotAcknowledged(d);
    if (unacknowledged !== undefined) parts.push(unacknowledged);
    lines.push(`${bold('mock ledger')}: ${parts.join(' · ')}`);
    const phases = Object.entries(d.byPhase);
    if (phases.length > 1 || (phases.length === 1 && phases[0]?.[0] !== 'run')) {
      lines.push(`by phase: ${phases.map(([name, c]) => `${safe(name)} ${c.delivered}${c.duplicates > 0 ? ` (${c.duplicates} duplicates)` : ''}`).join(' · ')}`);
    }
  }

  if (result.faults !== undefined && result.faults.length > 0) {
    lines.push('');
    const [faultHead = '', ...faultBody] = table([['fault', 'kind', 'injected', ''], ...result.faults.map((f) => [safe(f.id), safe(f.kind), String(f.injected), f.injected === 0 ? paint('33', '⚠ never fired') : ''])]);
    lines.push(bold(faultHead));
    pushAll(lines, faultBody);
  }
  if (result.phases !== undefined && result.phases.length > 0) {
    const at = (ms: number): string => (ms / 1000).toFixed(2);
    lines.push(`phases (s, run clock): ${result.phases.map((p) => `${safe(p.name)} ${at(p.startMs)}–${at(p.endMs)}`).join(' · ')}`);
  }
  if (result.warnings !== undefined && result.warnings.length > 0) {
    lines.push('');
    for (const warning of result.warnings) lines.push(paint('33', `warning: ${safe(warning)}`));
  }

  if (result.thresholds !== undefined && result.thresholds.length > 0) {
    lines.push('');
    const [thresholdHead = '', ...thresholdBody] = table([
      ['threshold', 'actual', ''],
      ...result.thresholds.map((t) => [safe(t.expression), t.actual === null ? 'no data' : String(Math.round(t.actual * 1000) / 1000), t.passed ? paint('32', '✓ pass') : paint('31', '✗ FAIL')]),
    ]);
    lines.push(bold(thresholdHead));
    pushAll(lines, thresholdBody);
  }

  if (result.config !== undefined) {
    lines.push('', bold('configuration'));
    pushAll(lines, configRows(result.config, { ...(result.pushsim !== undefined && { pushsim: result.pushsim }), virtual: result.virtual !== undefined }).map(([label, value]) => `  ${label}: ${safe(value)}`));
  }

  lines.push('');
  const broken = checkInvariant(result);
  lines.push(
    broken === undefined
      ? `scheduled ${counts.scheduled} = accepted ${counts.accepted} + rejected ${counts.rejected} + failed ${counts.failed}` +
          ` + expired ${counts.expired} + dropped ${counts.dropped} ${paint('32', '✓')}`
      : `${broken} ${paint('31', '✗')}`,
  );

  return `${lines.join('\n')}\n`;
}

/** "delivered by apns 9,000 · fcm 1,000 (fallbacks apns→fcm 1,000)": recipients from a file, after fallback across providers. */
function deliveredByLine(result: Result): string | undefined {
  if (result.deliveredBy === undefined) return undefined;
  const by = Object.entries(result.deliveredBy).map(([provider, n]) => `${provider} ${n}`);
  const across = Object.entries(result.providerFallbacks ?? {}).map(([route, n]) => `${route.replace('>', '→')} ${n}`);
  return `delivered by ${by.length > 0 ? by.join(' · ') : 'none'}${across.length > 0 ? ` (fallbacks across providers: ${across.join(' · ')})` : ''}`;
}
