/**
 * The metrics server (cli/run-metrics.ts) on a stand-in run: its routes, and the linger after the
 * run. Then `pushsim run --metrics-port` through the built CLI: /metrics answers while the run goes, and the
 * last scrape (kept open by --metrics-linger) says what result.json says — counts by final state,
 * reasons, attempts, retries, fallbacks, attempt latencies — in one thread and over two worker
 * threads; a port in use or an address not on this machine is a usage error before the run starts.
 */
import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { serveRunMetrics } from '../../cli/run-metrics.js';
import type { ScenarioRun } from '../../scenarios/runner.js';
import type { RunEvents } from '../../scenarios/run-events.js';
import { readResult } from '../../reports/json.js';
import type { Result } from '../../reports/result.js';
import { outcomeStatuses } from '../../sender/outcome.js';
import { parsePrometheusText, series, total } from '../helpers/prometheus-text.js';
import type { Sample } from '../helpers/prometheus-text.js';
import { cliTestTimeout, expectUserError, pushsim, runUntilProgress } from './helpers.js';

/** A short brownout: errors in the middle phase make retries, a quick breaker may open; its verdict is not the subject. */
const scenario = `
name: metrics-brownout
target:
  mock: apns
load:
  rate: 300
  count: 900
tokens:
  count: 500
  unregisteredRatio: 0.02
warmup: 20
policies:
  retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 }
  circuitBreaker: { errorRate: 0.3, minRequests: 10, windowMs: 1000, openMs: 300 }
faults:
  seed: 3
  phases:
    - { name: healthy, durationMs: 1000 }
    - { name: brownout, durationMs: 1000 }
    - { name: recovering }
  faults:
    - kind: error
      id: errors
      phase: brownout
      probability: 0.5
      apns: InternalServerError
`;

async function scrape(url: string): Promise<Sample[]> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

/** What /metrics must agree on with result.json. */
function expectSameCounts(samples: Sample[], result: Result): void {
  for (const state of outcomeStatuses) expect(total(samples, 'pushsim_run_notifications_total', { state }), state).toBe(result.counts[state]);
  expect(total(samples, 'pushsim_run_scheduled_total')).toBe(result.counts.scheduled);
  expect(total(samples, 'pushsim_run_attempts_total')).toBe(result.counts.attempts);
  expect(total(samples, 'pushsim_run_retries_total')).toBe(result.counts.retries);
  expect(total(samples, 'pushsim_run_fallbacks_total')).toBe(result.counts.fallbacks);
  expect(Object.fromEntries(series(samples, 'pushsim_run_reasons_total').map((s) => [s.labels.reason, s.value]))).toEqual(result.byReason);
  expect(total(samples, 'pushsim_run_attempt_latency_seconds_count')).toBe(result.attemptLatencyMs?.count ?? 0);
  expect(total(samples, 'pushsim_run_latency_seconds_count', { state: 'accepted' })).toBe(result.latencyMs.accepted.count);
  expect(total(samples, 'pushsim_run_in_flight')).toBe(0);
  expect(total(samples, 'pushsim_run_stage', { stage: 'done' })).toBe(1);
}

async function runWithMetrics(workers: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), `pushsim-metrics-${workers}-`));
  const file = join(dir, 'brownout.yaml');
  await writeFile(file, scenario);
  const out = join(dir, 'out');
  const { output, exited } = await runUntilProgress([file, '--workers', String(workers), '--metrics-port', '0', '--metrics-linger', '100', '--no-fail-on-overload', '--out', out]);
  const url = /pushsim: metrics at (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(output.stderr)?.[1];
  expect(url, output.stderr).toBeDefined();
  // While it runs: the stage and some counts (the run may end before the scrape on a fast machine, hence "or done").
  const during = await scrape(url as string);
  expect(total(during, 'pushsim_run_stage', { stage: 'running' }) + total(during, 'pushsim_run_stage', { stage: 'done' })).toBe(1);
  expect(total(during, 'pushsim_run_target_rate_per_second')).toBe(300);
  expect(series(during, 'pushsim_run_fault_phase').map((s) => s.labels.phase)).toEqual(expect.arrayContaining(['healthy', 'brownout', 'recovering']));
  // After the result is written, the final values stay until one scrape reads them (on a machine so
  // slow that the first scrape came during that wait, it was the one).
  const lingering = (): boolean => output.stderr.includes('serving the final metrics');
  const duringWasLast = total(during, 'pushsim_run_stage', { stage: 'done' }) === 1 && lingering();
  while (!lingering()) {
    const ended = await Promise.race([exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 100))]);
    if (ended) throw new Error(`exited without lingering: ${output.stderr}`);
  }
  const final = duringWasLast ? during : await scrape(url as string);
  // The run then ends by itself, with the run's own exit code.
  expect(await exited, output.stderr).toBe(0);
  const result = await readResult(join(out, 'result.json'));
  // The brownout's errors make retries, so the retry counter is compared on a number that moved (when the faults fired at all).
  if ((result.faults?.[0]?.injected ?? 0) > 0) expect(result.counts.retries, JSON.stringify({ counts: result.counts, byReason: result.byReason, faults: result.faults })).toBeGreaterThan(0);
  expectSameCounts(final, result);
  expect(series(final, 'pushsim_run_fault_phase', { phase: 'recovering' })[0]?.value).toBe(1);
  if ((result.breakerTransitions ?? []).length > 0) expect(series(final, 'pushsim_run_breaker_state').length).toBeGreaterThan(0);
  await expect(fetch(url as string)).rejects.toThrow();
}

describe('pushsim run --metrics-port', () => {
  it('serves /metrics during the run, and its last scrape equals result.json (one sender thread)', () => runWithMetrics(1), cliTestTimeout);

  it('with --workers 2 the workers\' per-tick tallies add up to result.json too', () => runWithMetrics(2), cliTestTimeout);

  it('a port in use: exit 2 naming --metrics-port, before anything is sent', async () => {
    const busy = createServer();
    busy.listen(0, '127.0.0.1');
    await once(busy, 'listening');
    const { port } = busy.address() as AddressInfo;
    try {
      const dir = await mkdtemp(join(tmpdir(), 'pushsim-metrics-busy-'));
      const ran = await pushsim('run', '--count', '100', '--rate', '100', '--metrics-port', String(port), '--out', dir);
      expectUserError(ran, 2, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use; choose another with --metrics-port \\(0 picks a free one\\)`));
      expect(ran.stderr).not.toContain('result written');
    } finally {
      busy.close();
    }
  }, cliTestTimeout);

  it('an address not on this machine, or a port out of range: exit 2 naming the flag', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-metrics-bad-'));
    expectUserError(await pushsim('run', '--count', '100', '--metrics-port', '0', '--metrics-host', '192.0.2.1', '--out', dir), 2, /192\.0\.2\.1 is not an address of this machine \(--metrics-host\)/);
    expectUserError(await pushsim('run', '--count', '100', '--metrics-port', '70000', '--out', dir), 2, /--metrics-port.*expected a port from 0 to 65535/);
  }, cliTestTimeout);
});

/** A stand-in for a ScenarioRun: the events, and the config RunMetrics reads. */
function fakeRun(): EventEmitter<RunEvents> & Pick<ScenarioRun, 'config'> {
  return Object.assign(new EventEmitter<RunEvents>(), { config: { load: { executor: 'constant-arrival-rate', rate: 50, count: 100 } } as ScenarioRun['config'] });
}

describe('the metrics server', () => {
  it('answers GET and HEAD /metrics, 404 elsewhere, 405 to other methods; says its URL', async () => {
    const lines: string[] = [];
    const server = await serveRunMetrics(fakeRun() as unknown as ScenarioRun, { metricsPort: 0 }, (line) => lines.push(line));
    try {
      const url = server?.url as string;
      expect(lines).toEqual([`pushsim: metrics at ${url}`]);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const get = await fetch(url);
      expect(get.status).toBe(200);
      expect(await get.text()).toContain('pushsim_run_stage{stage="starting"} 1');
      const head = await fetch(url, { method: 'HEAD' });
      expect([head.status, await head.text()]).toEqual([200, '']);
      expect((await fetch(url.replace('/metrics', '/'))).status).toBe(404);
      const post = await fetch(url, { method: 'POST', body: 'x' });
      expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    } finally {
      await server?.close();
    }
  });

  it('without --metrics-port there is no server, and --metrics-host or --metrics-linger alone is a usage error; a linger over an hour too', async () => {
    expect(await serveRunMetrics(fakeRun() as unknown as ScenarioRun, {})).toBeUndefined();
    await expect(serveRunMetrics(fakeRun() as unknown as ScenarioRun, { metricsHost: '0.0.0.0' })).rejects.toThrow(/--metrics-host goes with --metrics-port, which was not given/);
    await expect(serveRunMetrics(fakeRun() as unknown as ScenarioRun, { metricsLinger: 30 })).rejects.toThrow(/--metrics-linger goes with --metrics-port/);
    await expect(serveRunMetrics(fakeRun() as unknown as ScenarioRun, { metricsPort: 0, metricsLinger: 30_000 })).rejects.toMatchObject({ code: 'PUSHSIM_ERR_INVALID_ARGUMENT', message: expect.stringMatching(/at most 3600 seconds/) });
  });

  it('after the run, lingers until one scrape has read the final values, then closes', async () => {
    const run = fakeRun();
    const lines: string[] = [];
    const server = await serveRunMetrics(run as unknown as ScenarioRun, { metricsPort: 0, metricsLinger: 600 }, (line) => lines.push(line));
    const url = server?.url as string;
    run.emit('done', { counts: { scheduled: 100 }, durationMs: 2000 } as unknown as Result);
    let finished = false;
    const finishing = server?.finish().then(() => (finished = true));
    expect(lines.at(-1)).toMatch(/serving the final metrics at .* until one scrape reads them, at most 600 s/);
    const text = await (await fetch(url)).text();
    expect(text).toContain('pushsim_run_stage{stage="done"} 1');
    expect(text).toContain('pushsim_run_scheduled_total 100');
    await finishing;
    expect(finished).toBe(true);
    await expect(fetch(url)).rejects.toThrow();
  });

  it('a run stopped by a signal does not linger: the user (or Kubernetes) asked it to end', async () => {
    const run = fakeRun();
    const lines: string[] = [];
    const server = await serveRunMetrics(run as unknown as ScenarioRun, { metricsPort: 0, metricsLinger: 600 }, (line) => lines.push(line));
    run.emit('done', { counts: { scheduled: 100 }, durationMs: 2000 } as unknown as Result);
    await server?.finish({ linger: false });
    expect(lines.some((line) => line.includes('serving the final metrics'))).toBe(false);
    await expect(fetch(server?.url as string)).rejects.toThrow();
  });

  it('without a scrape, the linger ends when its time is up', async () => {
    const server = await serveRunMetrics(fakeRun() as unknown as ScenarioRun, { metricsPort: 0, metricsLinger: 0.05 }, () => {});
    await server?.finish();
    await expect(fetch(server?.url as string)).rejects.toThrow();
  });
});
