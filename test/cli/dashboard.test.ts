/**
 * The dashboard's server (cli/dashboard.ts), driven by hand-made run events: a snapshot and a tick a
 * second over server-sent events, the HTML report at the end, then it closes by itself; requests for
 * another host are refused; a port in use is a usage error naming the flag.
 */
import { EventEmitter } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startDashboard } from '../../cli/dashboard.js';
import type { Dashboard } from '../../cli/dashboard.js';
import { isPushSimError } from '../../core/errors.js';
import type { RunEvents, RunProgress } from '../../scenarios/run-events.js';
import { serverSentEvents } from '../helpers/sse.js';
import { useSampleRun } from '../reports/fixtures.js';

const progress = (elapsedMs: number, accepted: number): RunProgress => ({
  elapsedMs,
  scheduled: accepted,
  completed: accepted,
  inFlight: 0,
  accepted,
  rejected: 0,
  failed: 0,
  dropped: 0,
  queued: 0,
  sendLagMs: null,
  plannedMs: 3_000,
  targetRate: 100,
  p99Ms: 5,
});

describe('the dashboard server', () => {
  const sample = useSampleRun();
  let dashboard: Dashboard | undefined;
  afterEach(async () => {
    await dashboard?.close();
    dashboard = undefined;
  });

  it('serves the page with a nonce policy, streams a snapshot then ticks, and at the end the report; then closes', async () => {
    const run = new EventEmitter<RunEvents>();
    const lines: string[] = [];
    dashboard = await startDashboard(run, { port: 0, write: (line) => lines.push(line) });
    expect(lines).toEqual([`pushsim: live dashboard at ${dashboard.url}`]);
    expect(dashboard.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const page = await fetch(dashboard.url);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeDefined();
    expect(csp).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).toContain(`<script nonce="${nonce}">`);

    run.emit('start', { scenario: 'smoke', description: '', plan: '300 at 100/s', target: 'http://127.0.0.1:1', placement: 'in-process' });
    const events = await fetch(`${dashboard.url}events`);
    expect(events.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const seen: { event: string; data: Record<string, unknown> }[] = [];
    const stream = serverSentEvents(events.body as ReadableStream<Uint8Array>);
    const next = async (): Promise<{ event: string; data: Record<string, unknown> }> => {
      const { value } = await stream.next();
      const parsed = { event: value?.event ?? 'end', data: JSON.parse(value?.data ?? '{}') as Record<string, unknown> };
      seen.push(parsed);
      return parsed;
    };
    expect(await next()).toMatchObject({ event: 'snapshot', data: { stage: 'starting', start: { scenario: 'smoke' }, points: [] } });
    run.emit('progress', progress(1_000, 100));
    expect(await next()).toMatchObject({ event: 'tick', data: { stage: 'run', point: { second: 1, accepted: 100 } } });
    run.emit('progress', progress(2_000, 200));
    expect(await next()).toMatchObject({ event: 'tick', data: { point: { second: 2, accepted: 100, p99: 5 } } });

    const report = await fetch(`${dashboard.url}report`);
    expect(report.status).toBe(404);
    await report.text();

    run.emit('done', sample.result);
    expect(await next()).toMatchObject({ event: 'done', data: { stage: 'done', report: 'report' } });
    expect((await stream.next()).done).toBe(true);
    // The page that watched fetches the report: the HTML report of the result, and the server closes.
    const final = await fetch(`${dashboard.url}report`);
    expect(final.status).toBe(200);
    const text = await final.text();
    expect(text).toContain('<h1>pushsim · smoke</h1>');
    expect(text).toContain('id="latency-chart"');
    await dashboard.closed;
    await expect(fetch(dashboard.url)).rejects.toThrow();
  }, 30_000);

  it('with no page watching, closes as soon as the run is done', async () => {
    const run = new EventEmitter<RunEvents>();
    dashboard = await startDashboard(run, { port: 0, write: () => {} });
    run.emit('done', sample.result);
    await dashboard.closed;
  });

  it('a page that never fetches the report holds the server only for the grace', async () => {
    const run = new EventEmitter<RunEvents>();
    dashboard = await startDashboard(run, { port: 0, write: () => {}, reportGraceMs: 50 });
    const events = await fetch(`${dashboard.url}events`);
    const stream = serverSentEvents(events.body as ReadableStream<Uint8Array>);
    expect((await stream.next()).value?.event).toBe('snapshot');
    run.emit('done', sample.result);
    expect((await stream.next()).value?.event).toBe('done');
    await dashboard.closed;
  });

  it('a page that connects after the end gets the snapshot and the end at once', async () => {
    const run = new EventEmitter<RunEvents>();
    dashboard = await startDashboard(run, { port: 0, write: () => {}, linger: true });
    run.emit('progress', progress(1_000, 100));
    run.emit('done', sample.result);
    const events = await fetch(`${dashboard.url}events`);
    const received: string[] = [];
    for await (const event of serverSentEvents(events.body as ReadableStream<Uint8Array>)) received.push(event.event);
    expect(received).toEqual(['snapshot', 'done']);
    // The stream ends there, and the page itself is now the report.
    const page = await fetch(dashboard.url);
    expect(page.url).toBe(`${dashboard.url}report`);
    expect(await page.text()).toContain('<h1>pushsim · smoke</h1>');
  });

  it('a fault of its own is said once and never reaches the run that emitted the event', async () => {
    const run = new EventEmitter<RunEvents>();
    const lines: string[] = [];
    dashboard = await startDashboard(run, { port: 0, write: (line) => lines.push(line) });
    expect(() => run.emit('progress', null as unknown as RunProgress)).not.toThrow();
    expect(() => run.emit('progress', progress(1_000, 100))).not.toThrow();
    expect(lines.slice(1)).toEqual([expect.stringMatching(/^pushsim: warning: the dashboard stopped updating \(please report it\): TypeError/)]);
  });

  it('at most 16 pages watch at once; the 17th gets 503', async () => {
    const run = new EventEmitter<RunEvents>();
    dashboard = await startDashboard(run, { port: 0, write: () => {} });
    const watching = await Promise.all(Array.from({ length: 16 }, () => fetch(`${dashboard?.url}events`)));
    expect(watching.map((r) => r.status)).toEqual(Array(16).fill(200));
    const refused = await fetch(`${dashboard.url}events`);
    expect(refused.status).toBe(503);
    expect(await refused.text()).toBe('at most 16 pages watch at once\n');
    await Promise.all(watching.map((r) => r.body?.cancel()));
  });

  it('refuses a request addressed to another host name (DNS rebinding)', async () => {
    const run = new EventEmitter<RunEvents>();
    dashboard = await startDashboard(run, { port: 0, write: () => {} });
    const { port } = new URL(dashboard.url);
    const { request } = await import('node:http');
    const status = await new Promise<number | undefined>((resolve, reject) => {
      request({ host: '127.0.0.1', port, path: '/', headers: { host: `attacker.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      })
        .on('error', reject)
        .end();
    });
    expect(status).toBe(421);
    expect((await fetch(dashboard.url.replace('127.0.0.1', 'localhost'))).status).toBe(200);
  });

  it('a port in use is a usage error naming --dashboard, and leaves nothing listening', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const error = await startDashboard(new EventEmitter<RunEvents>(), { port, write: () => {} }).catch((e: unknown) => e);
      expect(isPushSimError(error) && error.code).toBe('PUSHSIM_ERR_INVALID_ARGUMENT');
      expect((error as Error).message).toBe(`port ${port} on 127.0.0.1 is in use; choose another with --dashboard=PORT (0 picks a free one), or stop what listens there`);
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
    }
  });
});
