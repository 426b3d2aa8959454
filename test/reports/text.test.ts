import { describe, expect, it } from 'vitest';
import { formatText } from '../../reports/text.js';
import type { LatencyEntry, Result } from '../../reports/result.js';
import { brownoutConfig, invalid, pauseReports, useSampleRun } from './fixtures.js';

const empty: LatencyEntry = { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, hdr: 'unused-by-formatText' };

/** A hand-written result in the brief's example proportions; formatText never decodes `hdr`. */
const handMade: Result = {
  schema: 'pushsim.result/1',
  startedAt: '2026-03-01T12:00:00.000Z',
  durationMs: 10_000,
  counts: { scheduled: 50000, attempts: 50200, accepted: 49000, rejected: 800, failed: 100, expired: 50, dropped: 50 },
  byReason: { 'apns:TooManyRequests': 300, 'apns:Unregistered': 500, 'apns:PUSHSIM_ERR_TIMEOUT': 100, 'apns:queue-full': 50 },
  latencyMs: {
    accepted: { count: 49000, p50: 12.345, p90: 23.456, p99: 98.765, p999: 250.5, max: 1234.567, hdr: 'x' },
    rejected: { count: 800, p50: 0.512, p90: 0.9, p99: 1.5, p999: 2, max: 3, hdr: 'x' },
    failed: { ...empty, count: 100, p50: 10000, p90: 10000, p99: 10000, p999: 10000, max: 10000 },
    expired: empty,
    dropped: empty,
  },
  rate: { target: 5000, achieved: 4995 },
  scenario: 'steady-5k',
};

const lineWith = (text: string, needle: string): string => text.split('\n').find((line) => line.includes(needle)) ?? '';

describe('formatText', () => {
  const text = formatText(handMade);

  it('starts with scenario, duration, target and achieved rate', () => {
    const [title = '', rates = ''] = text.split('\n');
    expect(title).toContain('scenario steady-5k');
    expect(title).toContain('2026-03-01T12:00:00.000Z');
    expect(rates).toContain('duration 10.00 s');
    expect(rates).toContain('target 5000.0/s');
    expect(rates).toContain('achieved 4995.0/s (99.90% of target)');
  });

  it('prints one latency row per outcome that has values', () => {
    const row = lineWith(text, 'accepted  ');
    for (const cell of ['49000', '12.35', '23.46', '98.77', '250.50', '1234.57']) expect(row).toContain(cell);
    expect(lineWith(text, 'rejected ')).toContain('0.512');
    expect(lineWith(text, 'failed ')).toContain('10000.00');
    expect(text).toContain('p99.9');
    // expired/dropped have no latencies: no row in the latency table.
    const latencyTable = text.split('\n\n')[1] ?? '';
    expect(latencyTable).not.toContain('expired');
    expect(latencyTable).not.toContain('dropped');
  });

  it('aligns every table: right-aligned rows of a table have the same width', () => {
    for (const block of text.split('\n\n').slice(1, 4)) {
      const rows = block.split('\n').filter((line) => line !== '' && !line.startsWith('attempts'));
      const widths = new Set(rows.map((line) => line.length));
      expect(widths.size, block).toBe(1);
    }
  });

  it('prints counts by outcome with percentages of scheduled, and attempts', () => {
    expect(lineWith(text, 'accepted  ')).toBeTruthy();
    expect(text).toMatch(/accepted\s+49000\s+98\.00%/);
    expect(text).toMatch(/rejected\s+800\s+1\.60%/);
    expect(text).toMatch(/dropped\s+50\s+0\.10%/);
    expect(text).toContain('attempts 50200 on the wire (1.004 per notification)');
  });

  it('prints reasons sorted by count descending', () => {
    const order = ['apns:Unregistered', 'apns:TooManyRequests', 'apns:PUSHSIM_ERR_TIMEOUT', 'apns:queue-full'].map((r) =>
      text.indexOf(r),
    );
    expect(order.every((at) => at >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(lineWith(text, 'apns:Unregistered')).toMatch(/\s500$/);
  });

  it('ends with the invariant line, ticked when it holds', () => {
    expect(text.trimEnd().split('\n').at(-1)).toBe(
      'scheduled 50000 = accepted 49000 + rejected 800 + failed 100 + expired 50 + dropped 50 ✓',
    );
  });

  it('shows a broken invariant with a cross', () => {
    const broken = formatText({ ...handMade, counts: { ...handMade.counts, scheduled: 50010 } });
    const last = broken.trimEnd().split('\n').at(-1) ?? '';
    expect(last).toContain('≠');
    expect(last).toContain('10 notification(s) have no outcome');
    expect(last.endsWith('✗')).toBe(true);
  });

  it('uses no ANSI codes unless asked, and colours the tick when asked', () => {
    expect(text).not.toContain('\x1b');
    expect(formatText(handMade, { color: true })).toContain('\x1b[32m✓\x1b[0m');
  });

  it('names each provider origin of a run to several', () => {
    const mixed = formatText({ ...handMade, targets: { apns: 'http://127.0.0.1:1', fcm: 'https://127.0.0.1:2' } });
    expect(mixed.split('\n')[0]).toContain('targets apns http://127.0.0.1:1, fcm https://127.0.0.1:2');
  });

  it('neutralises control characters coming from a result file', () => {
    const hostile = formatText({ ...handMade, scenario: 'evil\x1b[2J', byReason: { 'apns:\x1b]0;pwned\x07': 1 } });
    expect(hostile).not.toContain('\x1b');
    expect(hostile).not.toContain('\x07');
    expect(hostile).toContain('evil?[2J');
  });

  const ledgerOf = () => ({
    delivered: 49003,
    unique: 49000,
    duplicates: 3,
    unidentified: 0,
    tokensWithDuplicates: 2,
    duplicatesByToken: { a: 2, b: 1 },
    byProvider: { apns: { delivered: 49003, duplicates: 3 } },
    byPhase: { healthy: { delivered: 20000, duplicates: 0 }, brownout: { delivered: 29003, duplicates: 3 } },
  });

  it('prints the mock ledger by phase, what it delivered that was not acknowledged, and each fault with its injections', () => {
    const withFaults = formatText({
      ...handMade,
      counts: { ...handMade.counts, duplicates: 3 },
      delivery: ledgerOf(),
      faults: [{ id: 'brownout-errors', kind: 'error', injected: 800 }, { id: 'lost-acks', kind: 'accept-then-fail', injected: 3 }],
    });
    expect(lineWith(withFaults, 'mock ledger')).toBe('mock ledger: delivered 49003 · unique 49000 · duplicates 3 on 2 token(s)');
    const acknowledged = formatText({ ...handMade, delivery: { ...ledgerOf(), acknowledged: 48990, notAcknowledged: 10, notAcknowledgedExact: true } });
    expect(lineWith(acknowledged, 'mock ledger')).toBe('mock ledger: delivered 49003 · unique 49000 · duplicates 3 on 2 token(s) · delivered but not acknowledged 10');
    expect(lineWith(withFaults, 'by phase')).toBe('by phase: healthy 20000 · brownout 29003 (3 duplicates)');
    expect(lineWith(withFaults, 'lost-acks')).toMatch(/^lost-acks\s+accept-then-fail\s+3$/);
    expect(lineWith(withFaults, 'duplicate deliveries')).toContain('duplicate deliveries 3');
    // Without a timeline, no phase line; without faults, no fault table.
    expect(text).not.toContain('mock ledger');
    expect(text).not.toContain('injected');
  });

  it('handles a run without a target rate or any outcome', () => {
    const none = formatText({
      ...handMade,
      durationMs: 250,
      counts: { scheduled: 0, attempts: 0, accepted: 0, rejected: 0, failed: 0, expired: 0, dropped: 0 },
      byReason: {},
      latencyMs: { accepted: empty, rejected: empty, failed: empty, expired: empty, dropped: empty },
      rate: { target: null, achieved: 0 },
    });
    expect(none).toContain('duration 250.00 ms · target — · achieved 0.0/s');
    expect(none).toContain('latency: no values recorded');
    expect(none).not.toContain('reason');
    expect(none).toMatch(/accepted\s+0\s+—/);
  });
});

describe('formatText on a collected result', () => {
  const sample = useSampleRun();

  it('contains the collected numbers and reasons', () => {
    const text = formatText(sample.result);
    expect(text).toContain('achieved 4.5/s');
    expect(text).toMatch(/dropped\s+1\s+0\.050/);
    expect(text).toMatch(/apns:Unregistered\s+2/);
    expect(text).toContain('scheduled 10 = accepted 4 + rejected 3 + failed 1 + expired 1 + dropped 1 ✓');
  });
});

describe('formatText: what pushsim itself did, said plainly', () => {
  const sample = useSampleRun();
  const base = (): Result => sample.result;

  it('states a recipients file lost mid-run first, with what is wrong with it', () => {
    const text = formatText({ ...base(), recipientsLost: { file: 'users.csv', problem: 'has no recipients any more (it changed after it was checked)', atMs: 1200 } });
    expect(text.split('\n')[1]).toBe('✗ RECIPIENTS FILE LOST: users.csv has no recipients any more (it changed after it was checked) (stopped at 1.20 s: a partial result)');
  });

  it('states an interruption, an unreachable target and an invalid measurement first, before any number', () => {
    const text = formatText({
      ...base(),
      interrupted: { signal: 'SIGINT', atMs: 3200 },
      validity: invalid,
    });
    const [, interrupted = '', verdict = '', reason = '', bottleneck = '', rates = ''] = text.split('\n');
    expect(interrupted).toBe('✗ INTERRUPTED by SIGINT at 3.20 s: a partial result');
    expect(verdict).toBe('✗ NOT A VALID MEASUREMENT OF THE TARGET:');
    expect(reason).toBe(`  - ${invalid.reasons[0]}`);
    expect(bottleneck).toBe(`  bottleneck: ${invalid.bottleneck?.summary}`);
    expect(rates).toMatch(/^duration /);
    const optedOut = formatText({ ...base(), validity: { ...invalid, failOnOverload: false } });
    expect(optedOut).toContain('✗ NOT A VALID MEASUREMENT OF THE TARGET (validity.failOnOverload: false, so the run does not fail on it):');

    const unreachable = formatText({ ...base(), unreachable: { origin: 'https://127.0.0.1:1', cause: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1', atMs: 10 } });
    expect(unreachable.split('\n')[1]).toBe('✗ TARGET UNREACHABLE: https://127.0.0.1:1: ECONNREFUSED — connect ECONNREFUSED 127.0.0.1:1 (stopped at 10.00 ms)');
    // No achieved rate that reads like success when nothing answered.
    expect(unreachable).toContain('achieved — (the target never answered)');
    expect(unreachable).not.toMatch(/% of target/);
  });

  it('shows each final state in its own timeline column, as the outcome table counts them, next to planned and sent', () => {
    const timeline = [
      { second: 0, scheduled: 100, sent: 60, accepted: 50, rejected: 2, failed: 3, expired: 4, dropped: 5, p50: 1, p99: 2, max: 3 },
      { second: 1, scheduled: 0, accepted: 0, rejected: 0, failed: 0, expired: 0, dropped: 36, p50: null, p99: null, max: null },
    ];
    const text = formatText({ ...base(), timeline });
    expect(lineWith(text, 'second')).toMatch(/^second\s+planned\s+sent\s+accepted\s+rejected\s+failed\s+expired\s+dropped\s+p50\s+p99\s+max$/);
    expect(text).toMatch(/^0\s+100\s+60\s+50\s+2\s+3\s+4\s+5\s+1\.00\s+2\.00\s+3\.00$/m);
    // A result from before `sent` existed shows a dash, not a made-up number.
    expect(text).toMatch(/^1\s+0\s+—\s+0\s+0\s+0\s+0\s+36\s+—\s+—\s+—$/m);
  });

  it('breaks dropped down into what pushsim shed and what the run’s stop cut, and shows where the time went', () => {
    const text = formatText({
      ...base(),
      counts: { ...base().counts, dropped: 6, scheduled: 15, shutdownInFlight: 2, shutdownQueued: 3 },
      byReason: { ...base().byReason, 'pushsim:shutdown-queued': 3, 'pushsim:shutdown': 2 },
      sendLagMs: { count: 9, p50: 1, p90: 2, p99: 1500, p999: 1500, max: 1600, hdr: 'x' },
      queueWaitMs: { count: 9, p50: 0.5, p90: 1, p99: 1400, p999: 1400, max: 1500, hdr: 'x' },
      wireLatencyMs: { count: 9, p50: 8, p90: 9, p99: 10, p999: 10, max: 11, hdr: 'x' },
    });
    expect(text).toContain('dropped by pushsim itself: 1 shed (queue full) · 2 cut on the wire when the run stopped · 3 never sent before it stopped');
    expect(text).toContain('send lag (ms, planned → on the wire): p50 1.00 · p99 1500.00 · max 1600.00');
    expect(text).toContain('  queued in pushsim (ms): p50 0.500 · p99 1400.00 · max 1500.00');
    expect(text).toContain('  on the wire (ms): p50 8.00 · p99 10.00 · max 11.00');
  });

  it('marks faults that never fired, and lists the phases on the run clock and the warnings', () => {
    const text = formatText({
      ...base(),
      faults: [{ id: 'errors', kind: 'error', injected: 12 }, { id: 'late', kind: 'outage', injected: 0 }],
      phases: [{ name: 'healthy', startMs: 0, endMs: 5000 }, { name: 'brownout', startMs: 5000, endMs: 7250 }],
      warnings: ["fault 'late' cannot fire: it starts at 60 s, after the run's last notification is planned (10 s)"],
    });
    expect(lineWith(text, 'late ')).toMatch(/late\s+outage\s+0\s+⚠ never fired$/);
    expect(lineWith(text, 'errors ')).toMatch(/errors\s+error\s+12$/);
    expect(text).toContain('phases (s, run clock): healthy 0.00–5.00 · brownout 5.00–7.25');
    expect(text).toContain("warning: fault 'late' cannot fire: it starts at 60 s");
  });

  it("shows pushsim's own pauses per thread and their share of the tail", () => {
    const text = formatText({ ...base(), pauses: { sender: pauseReports.sender.summary, mock: pauseReports.mock.summary, tail: pauseReports.tail } });
    expect(text).toContain("pushsim's own pauses (ms):");
    expect(text).toContain('  sender thread: event-loop delay p50 0.200 · p99 4.50 · max 31.25 · GC 12 pauses, 40.50 in all (2.50 % of the time), longest 9.75');
    expect(text).toContain('  mock worker  : event-loop delay p50 0.100 · p99 2.50 · max 12.00 · GC 5 pauses, 8.00 in all (0.40 % of the time), longest 3.00');
    expect(text).toContain('  together 7.00 at p99: 17.5 % of the accepted p99 (40.00)');
    expect(formatText(base())).not.toContain('own pauses');
  });

  it('says how many sender threads ran, why that many when pushsim chose, and whose pauses a run over workers shows', () => {
    const split = formatText({ ...base(), workers: 3, pauses: { sender: pauseReports.sender.summary } });
    expect(split).toContain('workers 3: 3 sender worker threads, results merged');
    expect(split).toContain('  sender threads (worst of 3): event-loop delay p50 0.200');
    expect(formatText({ ...base(), workers: 1, workersRule: 'default: 2 cores, 1 for the embedded mock' })).toContain('workers 1: 1 sender thread (default: 2 cores, 1 for the embedded mock)');
    expect(formatText(base())).not.toMatch(/^workers /m);
  });
});

describe('formatText: recipients from a file', () => {
  it('says which provider delivered, and the fallbacks across providers', () => {
    const text = formatText({ ...handMade, deliveredBy: { apns: 900, fcm: 100 }, providerFallbacks: { 'apns>fcm': 100 } });
    expect(text).toContain('delivered by apns 900 · fcm 100 (fallbacks across providers: apns→fcm 100)');
    expect(formatText(handMade)).not.toContain('delivered by');
  });
});

describe('formatText: retries, injected faults, providers and the configuration', () => {
  it('adds retries and injected columns to the timeline when every second has them', () => {
    const timeline = [
      { second: 0, scheduled: 100, sent: 100, accepted: 100, rejected: 0, failed: 0, expired: 0, dropped: 0, p50: 1, p99: 2, max: 3, retries: 0, injected: 0 },
      { second: 1, scheduled: 100, sent: 100, accepted: 70, rejected: 30, failed: 0, expired: 0, dropped: 0, p50: 1, p99: 2, max: 3, retries: 41, injected: 52 },
    ];
    const text = formatText({ ...handMade, timeline });
    expect(lineWith(text, 'second')).toMatch(/\s+max\s+retries\s+injected$/);
    expect(text).toMatch(/^1\s+100\s+100\s+70\s+30\s+0\s+0\s+0\s+1\.00\s+2\.00\s+3\.00\s+41\s+52$/m);
    const withoutInjected = timeline.map(({ injected: _i, ...s }) => s);
    expect(lineWith(formatText({ ...handMade, timeline: withoutInjected }), 'second')).toMatch(/\s+max\s+retries$/);
  });

  it('prints one line per provider of a mixed run with its outcomes and accepted latency', () => {
    const text = formatText({
      ...handMade,
      providers: {
        apns: { accepted: 590, rejected: 10, failed: 0, expired: 0, dropped: 0, acceptedLatencyMs: { count: 590, p50: 2.5, p90: 9, p99: 12.25, p999: 20, max: 30, hdr: 'x' } },
        webpush: { accepted: 0, rejected: 0, failed: 100, expired: 0, dropped: 0, acceptedLatencyMs: empty },
      },
    });
    expect(text).toContain('apns: 600 notifications, accepted 590, rejected 10 (98.33% accepted) · accepted p50 2.50 · p99 12.25 ms');
    expect(text).toContain('webpush: 100 notifications, accepted 0, failed 100 (0.00% accepted)\n');
    expect(formatText(handMade)).not.toMatch(/^apns: /m);
  });

  it('ends with the configuration, one row a line, before the invariant', () => {
    const text = formatText({ ...handMade, config: brownoutConfig, pushsim: '0.4.0' });
    expect(text).toContain('\nconfiguration\n  load: executor constant-arrival-rate, rate 500, count 5000\n');
    expect(text).toContain('  circuit breaker: on, defaults (errorRate 0.5, minRequests 20, openMs 5000)\n');
    expect(text).toContain('  pushsim: 0.4.0\n');
    expect(text.indexOf('configuration')).toBeLessThan(text.indexOf('scheduled 50000 ='));
    expect(formatText(handMade)).not.toContain('configuration');
  });
});
