import { describe, expect, it } from 'vitest';
import { formatText } from '../../reports/text.js';
import type { LatencyEntry, Result } from '../../reports/result.js';
import { useSampleRun } from './fixtures.js';

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
    expect(text).toContain('attempts 50200 (1.004 per notification)');
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
