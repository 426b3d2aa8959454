/**
 * The live dashboard in a real browser (headless Chromium, test/helpers/browser.ts): opened while
 * `pushsim run --dashboard=0` runs against the embedded mock with fault phases, its chart draws (a
 * canvas that is not blank, the phases shaded) from the server-sent ticks under the page's nonce
 * policy, and at the end the page opens the run's HTML report, whose charts draw too — with no
 * console error on either page.
 *
 * Screenshots: PUSHSIM_SCREENSHOTS=<dir> saves the live page and the report there.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectErrors, inspectCanvas, launchChromium } from '../helpers/browser.js';
import { cliTestTimeout, runWithDashboard } from './helpers.js';

/** Three ticks in, two phases seen: the chart has lines and a band to draw. */
const drawnEnough = `(() => { const chart = document.getElementById('live-chart'); return Number(chart.getAttribute('data-points')) >= 3 && Number(chart.getAttribute('data-phases-drawn')) >= 2; })()`;

describe('the live dashboard in headless Chromium', () => {
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    browser = await launchChromium();
    dir = await mkdtemp(join(tmpdir(), 'pushsim-dashboard-browser-'));
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('draws the per-second chart with the phases while the run goes, then shows the HTML report, with no console error', async () => {
    const faults = join(dir, 'phases.yaml');
    await writeFile(faults, 'seed: 7\nphases:\n  - { name: healthy, durationMs: 1500 }\n  - { name: brownout, durationMs: 1500 }\n  - { name: recovering }\nfaults:\n  - { kind: error, id: errors, phase: brownout, probability: 0.3, apns: InternalServerError }\n');
    // About 12 s of run at 100/s: the page connects during the warm-up or the first seconds, and the
    // live checks (3 s in at the earliest) keep 9 s before the run ends on a starved machine.
    const { child, url, output, exited } = await runWithDashboard(['--dashboard=0', '--faults', faults, '--count', '1200', '--rate', '100', '--warmup', '200', '--workers', '1', '--no-fail-on-overload', '--out', dir]);
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const errors = collectErrors(page);
      await page.goto(url);
      // Polled with evaluate (DevTools, outside the page's policy): waitForFunction would need the 'unsafe-eval' the page forbids.
      for (let tries = 0; !(await page.evaluate(drawnEnough)); tries++) {
        if (tries > 300) throw new Error(`the live chart did not reach 3 points and 2 phases: ${output.stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const live = (await page.evaluate(`(${inspectCanvas})('#live-chart canvas')`)) as { width: number; painted: number; band: number };
      const stage = await page.textContent('#d-stage');
      const title = await page.textContent('#d-title');
      const connection = await page.textContent('#d-connection');
      const shots = process.env['PUSHSIM_SCREENSHOTS'];
      if (shots !== undefined) await page.screenshot({ path: join(shots, 'dashboard-live.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(live.width).toBeGreaterThan(300);
      expect(live.painted).toBeGreaterThan(1_000);
      expect(live.band).toBeGreaterThan(1_000);
      expect(stage).toMatch(/^(running|draining)/);
      expect(title).toBe('pushsim live · default');
      expect(connection).toBe('live');

      // At the end the page opens the run's report: the HTML report, drawn by the report's own code.
      await page.waitForURL(/\/report$/, { timeout: 60_000 });
      await page.waitForSelector('#timeline-chart canvas', { timeout: 30_000 });
      await page.waitForSelector('#latency-chart canvas', { timeout: 30_000 });
      const timeline = (await page.evaluate(`(${inspectCanvas})('#timeline-chart canvas')`)) as { painted: number };
      const phases = await page.$eval('#timeline-chart', (el) => el.getAttribute('data-phases-drawn'));
      if (shots !== undefined) await page.screenshot({ path: join(shots, 'dashboard-report.png'), fullPage: true });
      await page.close();
      expect(errors).toEqual([]);
      expect(timeline.painted).toBeGreaterThan(1_000);
      expect(phases).toBe('3');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  }, cliTestTimeout);
});
