/**
 * The HTML report's configuration and per-provider sections: present when the result records them,
 * absent for older results, every string escaped.
 */
import { describe, expect, it } from 'vitest';
import { formatHtml } from '../../reports/html.js';
import { configSection, providersSection } from '../../reports/html-run.js';
import type { LatencyEntry, Result } from '../../reports/result.js';
import { brownoutConfig, useSampleRun } from './fixtures.js';

const entry = (count: number, p50: number, p99: number, max: number): LatencyEntry => ({ count, p50, p90: p99, p99, p999: max, max, hdr: 'unused' });

describe('the configuration section', () => {
  const sample = useSampleRun();

  it('lists the load, policies, faults and seeds as a definition list, with the version and workers', () => {
    const result: Result = { ...sample.result, config: brownoutConfig, pushsim: '0.4.0', workers: 2 };
    const html = configSection(result);
    expect(html).toContain('<h2>Configuration</h2>');
    expect(html).toContain('<dt>load</dt><dd>executor constant-arrival-rate, rate 500, count 5000</dd>');
    expect(html).toContain('<dt>retry</dt><dd>maxAttempts 3, baseDelayMs 50 (the rest default)</dd>');
    expect(html).toContain('<dt>fault brownout-503</dt><dd>outage: phase brownout, probability 0.3</dd>');
    expect(html).toContain('<dt>fault seed</dt><dd>42</dd>');
    expect(html).toContain('<dt>workers</dt><dd>2</dd>');
    expect(html).toContain('<dt>pushsim</dt><dd>0.4.0</dd>');
    expect(formatHtml(result)).toContain('<dl class="config">');
  });

  it('escapes what came from the scenario, and is left out of a result without a configuration', () => {
    const hostile = { ...brownoutConfig, thresholds: ['<script>alert(1)</script>'] };
    const html = configSection({ ...sample.result, config: hostile });
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(configSection(sample.result)).toBe('');
    expect(formatHtml(sample.result)).not.toContain('Configuration');
  });
});

describe('the per-provider section', () => {
  const sample = useSampleRun();

  it('has one row per provider: notifications, each outcome, accepted share and accepted latency', () => {
    const result: Result = {
      ...sample.result,
      providers: {
        apns: { accepted: 590, rejected: 10, failed: 0, expired: 0, dropped: 0, acceptedLatencyMs: entry(590, 2.5, 12.25, 30) },
        fcm: { accepted: 300, rejected: 0, failed: 0, expired: 0, dropped: 0, acceptedLatencyMs: entry(300, 4, 20, 41) },
        webpush: { accepted: 0, rejected: 0, failed: 100, expired: 0, dropped: 0, acceptedLatencyMs: entry(0, 0, 0, 0) },
      },
    };
    const html = providersSection(result);
    expect(html).toContain('<h2>Per provider</h2>');
    expect(html).toMatch(/<td>apns<\/td><td class="num">600<\/td><td class="num">590<\/td><td class="num">10<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">0<\/td><td class="num">98\.33%<\/td><td class="num">2\.50<\/td><td class="num">12\.25<\/td><td class="num">30\.00<\/td>/);
    // Nothing accepted: no latency made up.
    expect(html).toMatch(/<td>webpush<\/td><td class="num">100<\/td>.*<td class="num">0\.00%<\/td><td class="num">—<\/td><td class="num">—<\/td><td class="num">—<\/td>/);
    expect(formatHtml(result)).toContain('<h2>Per provider</h2>');
    expect(providersSection(sample.result)).toBe('');
  });
});
