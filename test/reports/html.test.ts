/**
 * formatHtml: one self-contained page (nothing fetched), every string escaped, the numbers of the
 * result in it, and a latency chart whose data comes from the HDR histograms.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DISTRIBUTION_PERCENTILES, DISTRIBUTION_X, escapeHtml, formatHtml, latencyDistribution, scriptJson } from '../../reports/html.js';
import type { LatencyEntry, Result } from '../../reports/result.js';
import { useSampleRun } from './fixtures.js';

const sample = useSampleRun();
let result: Result;
beforeAll(() => {
  result = sample.result;
});

/** The full result shape: thresholds, ledger, faults, breaker transitions. */
const rich = (): Result => ({
  ...result,
  target: 'https://127.0.0.1:8443',
  pushsim: '0.1.0',
  thresholds: [
    { expression: 'p(99)<1000', actual: 40.031, passed: true },
    { expression: 'rate(accepted)>=0.95', actual: 0.4, passed: false },
    { expression: 'p(99, expired)<10', actual: null, passed: false },
  ],
  breakerTransitions: [{ atMs: 1200, origin: 'https://127.0.0.1:8443', from: 'closed', to: 'open' }],
  delivery: {
    delivered: 5,
    unique: 4,
    duplicates: 1,
    unidentified: 0,
    tokensWithDuplicates: 1,
    duplicatesByToken: { 'tok-a': 1 },
    byProvider: { apns: { delivered: 5, duplicates: 1 } },
    byPhase: { healthy: { delivered: 2, duplicates: 0 }, brownout: { delivered: 3, duplicates: 1 } },
  },
  faults: [{ id: 'lost-acks', kind: 'accept-then-fail', injected: 17 }],
});

/** Text of the page without tags and with the few entities we write decoded, for "is this number on the page". */
const visibleText = (html: string): string =>
  html
    .replace(/<script[\s\S]*?<\/script>|<style[\s\S]*?<\/style>/g, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

/** The JSON block the chart is drawn from. */
function chartData(html: string): { x: number[]; series: { label: string; values: (number | null)[] }[] } {
  const match = /<script type="application\/json" id="pushsim-latency-data">([^<]*)<\/script>/.exec(html);
  if (match === null) throw new Error('no chart data in the page');
  return JSON.parse(match[1] ?? '');
}

describe('formatHtml', () => {
  it('is one HTML document with a title naming the scenario and start', () => {
    const html = formatHtml(result);
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(html).toContain('<title>pushsim · smoke · 2026-01-02T03:04:05.678Z</title>');
  });

  it('contains the numbers: rates, outcome counts, latency percentiles, reasons and the invariant', () => {
    const text = visibleText(formatHtml(result));
    expect(text).toContain('target 5.0/s · achieved 4.5/s (90.00% of target)');
    expect(text).toMatch(/accepted\s+4\s+40\.00%/);
    expect(text).toMatch(/rejected\s+3\s+30\.00%/);
    expect(text).toContain('attempts 11 (1.100 per notification)');
    // accepted latencies 10/20/30/40 ms: p50 ≈ 20, max ≈ 40 at HDR precision.
    expect(text).toMatch(/accepted\s+4\s+20\.02\s+40\.03\s+40\.03\s+40\.03\s+40\.03/);
    expect(text).toMatch(/dropped\s+1\s+0\.050/);
    expect(text).toMatch(/apns:Unregistered\s+2/);
    expect(text).toContain('scheduled 10 = accepted 4 + rejected 3 + failed 1 + expired 1 + dropped 1 ✓');
  });

  it('shows thresholds with pass/fail, the mock ledger by phase, faults and breaker transitions when present', () => {
    const html = formatHtml(rich());
    const text = visibleText(html);
    expect(text).toMatch(/p\(99\)<1000\s+40\.031\s+✓ pass/);
    expect(text).toMatch(/rate\(accepted\)>=0\.95\s+0\.4\s+✗ FAIL/);
    expect(text).toMatch(/p\(99, expired\)<10\s+no data\s+✗ FAIL/);
    expect(html).toMatch(/<tr class="fail"><td>rate\(accepted\)&gt;=0\.95<\/td>/);
    expect(text).toContain('delivered 5 · unique 4 · duplicates 1 on 1 token(s)');
    expect(text).toMatch(/brownout\s+3\s+1/);
    const acknowledged = visibleText(formatHtml({ ...rich(), delivery: { ...rich().delivery!, acknowledged: 3, notAcknowledged: 1, notAcknowledgedExact: true, byProvider: { apns: { delivered: 5, duplicates: 1, acknowledged: 3, notAcknowledged: 1 } } } }));
    expect(acknowledged).toContain('duplicates 1 on 1 token(s) · delivered but not acknowledged 1');
    expect(acknowledged).toMatch(/provider\s+delivered\s+duplicates\s+acknowledged\s+not acknowledged\s+apns\s+5\s+1\s+3\s+1/);
    expect(text).toMatch(/lost-acks\s+accept-then-fail\s+17/);
    expect(text).toMatch(/1\.20 s\s+https:\/\/127\.0\.0\.1:8443\s+closed\s+open/);
    expect(text).toContain('target https://127.0.0.1:8443');

    const plain = visibleText(formatHtml(result));
    for (const heading of ['Thresholds', 'Mock ledger', 'Faults', 'Circuit breaker']) expect(plain).not.toContain(heading);
  });

  it('marks a broken invariant', () => {
    const text = visibleText(formatHtml({ ...result, counts: { ...result.counts, scheduled: 12 } }));
    expect(text).toContain('2 notification(s) have no outcome ✗');
  });

  it('fetches nothing: no external src/href/url(), a CSP that forbids it, and uPlot inlined', () => {
    const html = formatHtml(rich());
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
    expect(html).not.toMatch(/<(?:link|iframe|img|object|embed)\b/i);
    expect(html).not.toMatch(/<script[^>]*\ssrc\s*=/i);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none';`);
    expect(html).toContain('var uPlot=');
    // The target URL from the result is on the page as text, never as a link.
    expect(html).not.toMatch(/href=/i);
  });

  it('draws the chart from the histograms: one series per outcome with values, on the percentile grid', () => {
    const data = chartData(formatHtml(result));
    expect(data.x).toEqual(DISTRIBUTION_X);
    expect(data.series.map((s) => s.label)).toEqual(['accepted', 'rejected', 'failed', 'expired', 'dropped']);
    const accepted = data.series[0]?.values ?? [];
    expect(accepted).toHaveLength(DISTRIBUTION_X.length);
    expect(accepted[0]).toBeCloseTo(10, 1);
    expect(accepted.at(-1)).toBeCloseTo(40, 0);
    // A percentile distribution never goes down.
    const numbers = accepted.filter((v): v is number => v !== null);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  });

  it('spaces the x axis as 1/(1−p): p50 at 2, p90 at 10, p99.999 at 100000', () => {
    expect(DISTRIBUTION_PERCENTILES[0]).toBe(0);
    expect(DISTRIBUTION_PERCENTILES.at(-1)).toBe(99.999);
    for (const [p, x] of [[50, 2], [90, 10], [99, 100], [99.9, 1000], [99.999, 100000]] as const) {
      expect(DISTRIBUTION_X[DISTRIBUTION_PERCENTILES.indexOf(p)]).toBe(x);
    }
  });

  it('falls back on the summary percentiles when a hand-made result has no decodable histogram', () => {
    const entry: LatencyEntry = { count: 5, p50: 1, p90: 2, p99: 3, p999: 4, max: 5, hdr: 'not-a-histogram' };
    const values = latencyDistribution(entry);
    expect(values.filter((v) => v !== null)).toEqual([1, 2, 3, 4]);
    expect(values[DISTRIBUTION_PERCENTILES.indexOf(99)]).toBe(3);
  });

  it('leaves the chart out when no outcome has a latency', () => {
    const empty: LatencyEntry = { count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0, hdr: 'unused' };
    const html = formatHtml({
      ...result,
      counts: { scheduled: 0, attempts: 0, accepted: 0, rejected: 0, failed: 0, expired: 0, dropped: 0 },
      byReason: {},
      latencyMs: { accepted: empty, rejected: empty, failed: empty, expired: empty, dropped: empty },
      rate: { target: null, achieved: 0 },
    });
    expect(html).not.toContain('<script');
    expect(visibleText(html)).toContain('no values recorded');
    expect(visibleText(html)).toContain('target — · achieved 0.0/s');
  });

  it('escapes hostile strings from a result file everywhere they appear', () => {
    const hostile = '</script><script>alert(1)</script><img src=x onerror=alert(2)>"\'&\u001b[2J';
    const html = formatHtml({
      ...rich(),
      scenario: hostile,
      target: 'https://x/"><script>alert(3)</script>',
      byReason: { [`apns:${hostile}`]: 1 },
      thresholds: [{ expression: hostile, actual: 1, passed: false }],
      faults: [{ id: hostile, kind: '<b>', injected: 1 }],
      breakerTransitions: [{ atMs: 1, origin: hostile, from: 'closed', to: '</td></tr></table>' }],
      delivery: { ...rich().delivery!, byPhase: { [hostile]: { delivered: 1, duplicates: 0 } } },
    });
    // Exactly the three scripts we write: data, uPlot, the chart.
    expect(html.match(/<script/gi)).toHaveLength(3);
    expect(html).not.toContain('alert(1)</script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>');
    expect(html).not.toContain('</td></tr></table>');
    expect(html).not.toContain('\u001b');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&quot;&#39;&amp;?[2J');
  });

  it('escapeHtml and scriptJson: markup-free output that still means the same', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const value = { label: '</script><!-- \u2028\u2029 & >' };
    const json = scriptJson(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(json)).toEqual(value);
  });
});
