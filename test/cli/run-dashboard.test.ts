/**
 * `pushsim run --dashboard`: the built CLI serves the live page while it runs against the embedded
 * mock — a reader of /events sees the ticks and the end, then the HTML report, and the command exits
 * by itself; Ctrl-C still gives the partial result (exit 130) with the dashboard on; a port in use or
 * out of range is a usage error (exit 2) before anything starts.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readResult } from '../../reports/json.js';
import { cliTestTimeout, expectUserError, pushsim, runWithDashboard } from './helpers.js';
import { serverSentEvents } from '../helpers/sse.js';

interface Watched {
  readonly ticks: { point?: { second: number; accepted: number } }[];
  readonly done: { stage: string; report: string; progress?: { accepted: number }; latency?: { count: number; p99: number } } | undefined;
  readonly report: string;
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs `pushsim run …args`, reads the dashboard's URL from stderr, watches /events to the end, fetches the report; `onTick` may signal the process. */
async function watchRun(args: readonly string[], onTick?: (child: ChildProcess, ticks: number) => void): Promise<Watched> {
  const { child, url, output, exited } = await runWithDashboard(args);
  const ticks: Watched['ticks'] = [];
  let done: Watched['done'];
  const response = await fetch(`${url}events`);
  for await (const event of serverSentEvents(response.body as ReadableStream<Uint8Array>)) {
    if (event.event === 'tick') {
      const tick = JSON.parse(event.data) as Watched['ticks'][number];
      ticks.push(tick);
      if (tick.point !== undefined) onTick?.(child, ticks.filter((t) => t.point !== undefined).length);
    }
    if (event.event === 'done') {
      done = JSON.parse(event.data) as Watched['done'];
      break;
    }
  }
  const report = done === undefined ? '' : await (await fetch(new URL(done.report, url))).text();
  return { ticks, done, report, code: await exited, stderr: output.stderr };
}

/** Polls `condition` every 100 ms, up to a minute (a loaded machine). */
async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 600) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('pushsim run --dashboard', { timeout: cliTestTimeout }, () => {
  it('--dashboard=0: a free port, a tick a second while the run goes, the end with the HTML report, then the command exits', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-dashboard-'));
    // About 3 s of run after a warm-up: the page connects during the warm-up and sees every tick.
    const watched = await watchRun(['--dashboard=0', '--count', '300', '--rate', '100', '--warmup', '300', '--workers', '1', '--no-fail-on-overload', '--out', dir]);
    expect(watched.code).toBe(0);
    const points = watched.ticks.flatMap((t) => (t.point === undefined ? [] : [t.point]));
    expect(points.length).toBeGreaterThanOrEqual(2);
    expect(points.map((p) => p.second)).toEqual([...points.map((p) => p.second)].sort((a, b) => a - b));
    expect(watched.done).toMatchObject({ stage: 'done', report: 'report', progress: { accepted: expect.any(Number) } });
    expect(watched.report).toContain('<h1>pushsim · default</h1>');
    expect(watched.report).toContain('id="timeline-chart"');
    expect(watched.stderr).toContain(`result written to ${join(dir, 'result.json')}`);
  });

  it('Ctrl-C with the dashboard on: the page gets the partial run and its report, the command exits 130', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-dashboard-'));
    const watched = await watchRun(['--dashboard=0', '--count', '100000', '--rate', '200', '--warmup', '0', '--workers', '1', '--no-fail-on-overload', '--out', dir], (child, ticks) => {
      if (ticks === 2) child.kill('SIGINT');
    });
    expect(watched.code).toBe(130);
    expect(watched.done?.stage).toBe('done');
    expect(watched.report).toContain('<h1>pushsim · default</h1>');
    expect((await readResult(join(dir, 'result.json'))).interrupted?.signal).toBe('SIGINT');
  });

  it('with worker threads the page is built from the combined ticks, its percentiles so far from their histograms', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-dashboard-'));
    const watched = await watchRun(['--dashboard=0', '--count', '300', '--rate', '100', '--warmup', '100', '--workers', '2', '--in-process', '--no-fail-on-overload', '--out', dir]);
    expect(watched.code).toBe(0);
    expect(watched.ticks.filter((t) => t.point !== undefined).length).toBeGreaterThanOrEqual(2);
    expect(watched.done?.progress?.accepted).toBeGreaterThan(0);
    // Every accepted notification of both threads, once: the same count as the result's.
    const result = await readResult(join(dir, 'result.json'));
    expect(watched.done?.latency?.count).toBe(result.counts.accepted);
    expect(watched.done?.latency?.p99).toBeGreaterThan(0);
    expect(watched.report).toContain('<h1>pushsim · default</h1>');
  });

  it('--dashboard-linger keeps the report up after the run until Ctrl-C, then exits with the run\'s code', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pushsim-run-dashboard-'));
    const { child, url, output, exited } = await runWithDashboard(['--dashboard=0', '--dashboard-linger', '--count', '100', '--rate', '100', '--warmup', '0', '--workers', '1', '--no-fail-on-overload', '--out', dir]);
    try {
      await until(() => output.stderr.includes('result written to'));
      expect(output.stderr).toContain(`pushsim: the dashboard stays at ${url} with the run's report; Ctrl-C stops it`);
      const report = await fetch(`${url}report`);
      expect(report.status).toBe(200);
      expect(await report.text()).toContain('<h1>pushsim · default</h1>');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a port in use, a port out of range, a scenario where the port goes: exit 2 before anything starts, no stack trace', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      expectUserError(await pushsim('run', `--dashboard=${port}`, '--quiet'), 2, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use; choose another with --dashboard=PORT \\(0 picks a free one\\)`));
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
    expectUserError(await pushsim('run', '--dashboard=65536', '--quiet'), 2, /--dashboard \[port\]' argument '65536' is invalid\. expected a port from 0 to 65535/);
    expectUserError(await pushsim('run', '--dashboard', 'brownout.yaml'), 2, /got "brownout\.yaml"; write --dashboard=PORT, or put --dashboard after the scenario/);
  });
});
