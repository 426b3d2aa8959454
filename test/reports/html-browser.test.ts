/**
 * The HTML report in a real browser (headless Chromium): its charts draw — canvases that are not
 * blank, fault phases shaded, breaker transitions marked — and the page logs no error, under the
 * report's own Content-Security-Policy (everything inline, nothing fetched).
 *
 * Screenshots: PUSHSIM_SCREENSHOTS=<dir> saves each rendered page there; PUSHSIM_REPORT_HTML=<file>
 * renders that report (e.g. one from `pushsim run scenarios/examples/brownout.yaml --report html`)
 * instead of the built-in one, with the same checks.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatHtml } from '../../reports/html.js';
import { formatTuneHtml } from '../../reports/tune-html.js';
import { tuneMetrics, tuneReport } from '../../reports/tune.js';
import type { Result } from '../../reports/result.js';
import type { TimelineSecond } from '../../reports/timeline.js';
import { collectErrors, launchChromium } from '../helpers/browser.js';
import { brownoutConfig, useSampleRun } from './fixtures.js';

const second = (n: number, accepted: number, p99: number): TimelineSecond => ({
  second: n,
  scheduled: 1_000,
  sent: 1_000,
  accepted,
  rejected: 1_000 - accepted,
  failed: 0,
  expired: 0,
  dropped: 0,
  p50: p99 / 3,
  p99,
  max: p99 * 1.5,
  // A brownout: the mock injects 503s from second 3 to 5, and the retry policy answers them.
  retries: accepted < 900 ? 250 : 5,
  injected: accepted < 900 ? 380 : 0,
});

/** Pixels of a canvas that are not fully transparent, and those close to the colour a phase band gives white. */
const inspectCanvas = `(selector) => {
  const canvas = document.querySelector(selector);
  if (!canvas) return { width: 0, painted: 0, band: 0 };
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0, band = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0) painted++;
    // rgba(211, 84, 0, 0.10) over the white page: about (251, 238, 229), drawn into the canvas itself.
    if (data[i + 3] > 0 && data[i + 3] < 60 && data[i] > 180 && data[i + 1] < 120) band++;
  }
  return { width: canvas.width, painted, band };
}`;

describe('the HTML report in headless Chromium', () => {
  const sample = useSampleRun();
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    browser = await launchChromium();
    dir = mkdtempSync(join(tmpdir(), 'pushsim-browser-'));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('draws the charts, shades the fault phases, marks the breaker transitions, draws retries and injected faults per second and lists the configuration, with no console error', async () => {
    const result: Result = {
      ...sample.result,
      durationMs: 9_400,
      timeline: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => second(n, n >= 3 && n < 6 ? 700 : 990, n >= 3 && n < 6 ? 480 : 40)),
      phases: [{ name: 'healthy', startMs: 0, endMs: 3_000 }, { name: 'brownout', startMs: 3_000, endMs: 6_000 }, { name: 'recovering', startMs: 6_000, endMs: 9_400 }],
      breakerTransitions: [
        { atMs: 3_400, origin: 'https://api.push.apple.com', from: 'closed', to: 'open' },
        { atMs: 4_400, origin: 'https://api.push.apple.com', from: 'open', to: 'half-open' },
        { atMs: 4_500, origin: 'https://api.push.apple.com', from: 'half-open', to: 'closed' },
      ],
      faults: [{ id: 'brownout-503', kind: 'outage', injected: 1_140 }],
      config: brownoutConfig,
    };
    const given = process.env['PUSHSIM_REPORT_HTML'];
    const file = given ?? join(dir, 'report.html');
    if (given === undefined) writeFileSync(file, formatHtml(result));
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('#timeline-chart canvas', { timeout: 30_000 });
    await page.waitForSelector('#latency-chart canvas', { timeout: 30_000 });

    const latency = (await page.evaluate(`(${inspectCanvas})('#latency-chart canvas')`)) as { width: number; painted: number };
    const timeline = (await page.evaluate(`(${inspectCanvas})('#timeline-chart canvas')`)) as { width: number; painted: number; band: number };
    const drawn = await page.$eval('#timeline-chart', (el) => ({ phases: el.getAttribute('data-phases-drawn'), marks: el.getAttribute('data-breaker-marks') }));
    const events = given === undefined ? await page.waitForSelector('#timeline-events-chart canvas', { timeout: 30_000 }).then(() => page.evaluate(`(${inspectCanvas})('#timeline-events-chart canvas')`)) : undefined;
    const eventsDrawn = await page.$eval('#timeline-events-chart', (el) => ({ series: el.getAttribute('data-series-drawn'), phases: el.getAttribute('data-phases-drawn') })).catch(() => undefined);
    const config = await page.$$eval('dl.config dt', (labels) => labels.map((l) => l.textContent));
    const shots = process.env['PUSHSIM_SCREENSHOTS'];
    if (shots !== undefined) await page.screenshot({ path: join(shots, given === undefined ? 'report-built-in.png' : 'report.png'), fullPage: true });
    await page.close();

    expect(errors).toEqual([]);
    expect(latency.width).toBeGreaterThan(300);
    expect(latency.painted).toBeGreaterThan(1_000);
    expect(timeline.painted).toBeGreaterThan(1_000);
    // The configuration is on every report that records it (a report of a run made before it was recorded has none).
    if (given === undefined || config.length > 0) expect(config).toEqual(expect.arrayContaining(['load', 'retry', 'circuit breaker']));
    if (given === undefined) {
      expect(config).toEqual(expect.arrayContaining(['fault brownout-503', 'fault seed', 'recipients']));
      expect(drawn).toEqual({ phases: '3', marks: '3' });
      // Retries and injected faults drew in the small chart under it, over the same phase bands.
      expect(eventsDrawn).toEqual({ series: 'injected retries', phases: '3' });
      expect((events as { painted: number } | undefined)?.painted).toBeGreaterThan(1_000);
      expect((events as { band: number } | undefined)?.band).toBeGreaterThan(300);
      // The shading is really on the canvas, not only counted: thousands of band-coloured pixels.
      expect(timeline.band).toBeGreaterThan(1_000);
    }
  }, 120_000);

  it("the tuning page draws one point per variant that accepted something, the winner's included, with no console error", async () => {
    const variant = (label: string, accepted: number, retries: number, duplicates: number) => {
      const result: Result = { ...sample.result, counts: { ...sample.result.counts, scheduled: 1_000, accepted, retries, duplicates, attempts: 1_000 + retries } };
      return { label, policies: { retry: false as const, circuitBreaker: false as const }, metrics: tuneMetrics(result) };
    };
    const report = tuneReport('brownout', '1000 notifications at 500/s', 3, [variant('retry off', 900, 0, 0), variant('retry 3', 990, 120, 12), variant('retry 5', 995, 200, 30)]);
    const file = join(dir, 'tune.html');
    writeFileSync(file, formatTuneHtml(report));
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = collectErrors(page);
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('#tune-chart canvas', { timeout: 30_000 });
    const chart = (await page.evaluate(`(${inspectCanvas})('#tune-chart canvas')`)) as { painted: number };
    const drawn = await page.$eval('#tune-chart', (el) => el.getAttribute('data-points-drawn'));
    const legend = await page.$$eval('.u-legend .u-label', (labels) => labels.map((l) => l.textContent));
    const shots = process.env['PUSHSIM_SCREENSHOTS'];
    if (shots !== undefined) await page.screenshot({ path: join(shots, 'tune.png'), fullPage: true });
    await page.close();
    expect(errors).toEqual([]);
    expect(drawn).toBe('3');
    expect(chart.painted).toBeGreaterThan(1_000);
    // Ranked best first: the most delivered, marked with a star.
    expect(legend).toContain('\u2605 retry 5');
  }, 120_000);

  it('a report without a timeline or phases still renders its latency chart without errors', async () => {
    const file = join(dir, 'plain.html');
    const { timeline: _t, ...plain } = sample.result;
    writeFileSync(file, formatHtml(plain));
    const page = await browser.newPage();
    const errors = collectErrors(page);
    await page.goto(pathToFileURL(file).href);
    await page.waitForSelector('#latency-chart canvas', { timeout: 30_000 });
    const latency = (await page.evaluate(`(${inspectCanvas})('#latency-chart canvas')`)) as { painted: number };
    expect(await page.$('#timeline-chart')).toBeNull();
    await page.close();
    expect(errors).toEqual([]);
    expect(latency.painted).toBeGreaterThan(1_000);
    expect(readFileSync(file, 'utf8')).toContain('Content-Security-Policy');
  }, 120_000);
});
