/**
 * The live dashboard's page (cli/dashboard-page.ts), a pure function of the view and a nonce: every
 * script it runs carries the nonce its policy allows, nothing else may run or be fetched, uPlot is
 * inlined once, and text from the scenario cannot end a script or add markup.
 */
import { describe, expect, it } from 'vitest';
import { dashboardCsp, dashboardPage } from '../../cli/dashboard-page.js';
import { DashboardState } from '../../cli/dashboard-state.js';

const hostile = '</script><script>alert(1)</script>';

function view() {
  const state = new DashboardState();
  state.onStart({ scenario: hostile, description: '', plan: `1 at 1/s ${hostile}`, target: 'http://127.0.0.1:1', placement: 'in-process' });
  state.onProgress({ elapsedMs: 1_000, scheduled: 1, completed: 1, inFlight: 0, accepted: 1, rejected: 0, failed: 0, dropped: 0, queued: 0, sendLagMs: null, plannedMs: 0, targetRate: 1, p99Ms: 2, phase: hostile });
  state.onWarning(hostile);
  return state.view();
}

describe('the dashboard page', () => {
  const nonce = 'bm9uY2Utb2YtdGhlLXRlc3Q=';
  const html = dashboardPage(view(), nonce);

  it('allows its scripts by nonce only, and connections to its own origin only', () => {
    const policy = dashboardCsp(nonce);
    expect(policy).toContain(`script-src 'nonce-${nonce}'`);
    expect(policy).not.toMatch(/script-src[^;]*unsafe/);
    expect(policy).toContain("connect-src 'self'");
    expect(policy).toContain("default-src 'none'");
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${policy}">`);
  });

  it('every script that runs carries the nonce; the data block is JSON; uPlot is inlined once', () => {
    const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
    expect(scripts).toEqual([` nonce="${nonce}"`, ' type="application/json" id="pushsim-dashboard-data"', ` nonce="${nonce}"`]);
    expect(html.match(/var uPlot=/g)).toHaveLength(1);
    expect(html).toContain('new EventSource(\'events\')');
  });

  it('text from the scenario is escaped in markup and script-safe in the data', () => {
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    const data = /<script type="application\/json" id="pushsim-dashboard-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '';
    expect(data).not.toContain('<');
    const parsed = JSON.parse(data) as { start: { scenario: string }; phases: { name: string }[]; warnings: string[] };
    expect(parsed.start.scenario).toBe(hostile);
    expect(parsed.phases[0]?.name).toBe(hostile);
    expect(parsed.warnings).toEqual([hostile]);
  });

  it('is the same page for the same view and nonce', () => {
    expect(dashboardPage(view(), nonce)).toBe(html);
  });
});
