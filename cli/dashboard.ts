/**
 * `pushsim run --dashboard[=PORT]`: a live page on 127.0.0.1 while the run goes (k6's web dashboard
 * does the same on 5665), fed by the runner's events.
 *
 *   run events ──► DashboardState (dashboard-state.ts) ──► GET /         the page (dashboard-page.ts)
 *                                                     └──► GET /events   server-sent events: a snapshot, then a tick a second
 *   done ──► formatHtml(result) ─────────────────────────► GET /report   the HTML report, as --report html writes it
 *
 * The server never keeps the command alive on its own: it is unreferenced while the run goes, so an
 * error ends the command as before, and once the run is done it waits only for the pages that were
 * watching to fetch the report (at most `reportGraceMs`), then closes — unless `--dashboard-linger`
 * asks it to stay until Ctrl-C. Bound to loopback only, and answering only requests addressed to it
 * by name (a Host header of 127.0.0.1 or localhost with its port), so a web page elsewhere cannot read
 * it through DNS rebinding.
 */
import { randomBytes } from 'node:crypto';
import type { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import Fastify from 'fastify';
import { listenFailure } from '../core/system-errors.js';
import { createLatencyHistogram, decodeHistogram, mergeEncoded } from '../reports/histogram.js';
import type { LatencyHistogram } from '../reports/histogram.js';
import { formatHtml } from '../reports/html.js';
import type { RunEvents } from '../scenarios/run-events.js';
import { dashboardCsp, dashboardPage } from './dashboard-page.js';
import { DashboardState } from './dashboard-state.js';
import { dashboardPortOf } from './dashboard-flags.js';
import type { DashboardFlags } from './dashboard-flags.js';
import { untilSignal } from './serve.js';

export interface DashboardOptions {
  readonly port: number;
  /** Keep serving after the run until SIGINT / SIGTERM. @default false */
  readonly linger?: boolean;
  /** How long a page that watched the run gets to fetch the report before the server closes. @default 5000 */
  readonly reportGraceMs?: number;
  /** Where the URL and notes go. @default stderr */
  readonly write?: (line: string) => void;
}

export interface Dashboard {
  readonly url: string;
  /** Settles once the server closed (after the run, the grace or the linger). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

const host = '127.0.0.1';
/** Pages watching at once: a dashboard is for a person or two, not a broadcast. */
const maxClients = 16;
/** A page that stops reading is dropped once this much waits for it (each tick is a few hundred bytes). */
const maxBufferedBytes = 1024 * 1024;

/** `--dashboard` on `run`, if given: listens before the run starts, so a busy port fails first (exit 2). */
export async function attachDashboard(run: Pick<EventEmitter<RunEvents>, 'on'>, flags: DashboardFlags): Promise<Dashboard | undefined> {
  const port = dashboardPortOf(flags);
  return port === undefined ? undefined : startDashboard(run, { port, linger: flags.dashboardLinger === true });
}

export async function startDashboard(run: Pick<EventEmitter<RunEvents>, 'on'>, options: DashboardOptions): Promise<Dashboard> {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const state = new DashboardState();
  const clients = new Set<ServerResponse>();
  let report: string | undefined;
  let reportsServed = 0;
  let onReportServed = (): void => {};

  const app = Fastify({ logger: false, forceCloseConnections: true });
  // Each socket is unreferenced: open pages never hold the command open (the server decides, below).
  app.server.on('connection', (socket) => socket.unref());
  let authority = new Set<string>();
  app.addHook('onRequest', async (request, reply) => {
    if (!authority.has(request.headers.host ?? '')) return reply.code(421).type('text/plain').send('misdirected request: open the dashboard at the URL pushsim printed\n');
  });
  app.get('/', async (_request, reply) => {
    // Once the run is over, its page is the report (a browser opening the URL of a lingering dashboard).
    if (report !== undefined) return reply.redirect('/report');
    const nonce = randomBytes(16).toString('base64');
    return reply.type('text/html; charset=utf-8').headers(pageHeaders(dashboardCsp(nonce))).send(dashboardPage(state.view(), nonce));
  });
  app.get('/report', async (_request, reply) => {
    if (report === undefined) return reply.code(404).type('text/plain').send('the run has not ended yet: its report comes when it does\n');
    reply.raw.once('finish', () => {
      reportsServed++;
      onReportServed();
    });
    // The report carries its own policy (meta): inline only, nothing fetched.
    return reply.type('text/html; charset=utf-8').headers({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' }).send(report);
  });
  app.get('/events', (_request, reply) => {
    if (clients.size >= maxClients) return reply.code(503).type('text/plain').send(`at most ${maxClients} pages watch at once\n`);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    send(res, 'snapshot', state.view());
    if (report !== undefined) {
      send(res, 'done', state.tick());
      res.end();
      return;
    }
    clients.add(res);
    res.once('close', () => clients.delete(res));
    res.on('error', () => clients.delete(res));
  });

  const send = (res: ServerResponse, event: string, data: unknown): void => {
    // One line of JSON: no newline can split the event. A page that stopped reading is let go.
    if (res.destroyed || res.writableEnded) return;
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (res.writableLength > maxBufferedBytes) {
      clients.delete(res);
      res.destroy();
    }
  };
  const broadcast = (event: string, data: unknown): void => {
    for (const res of clients) send(res, event, data);
  };

  // The runner emits its events from inside the run: a fault of the dashboard's is said once and
  // stops its updates, never the run.
  let broken = false;
  const on = <K extends keyof RunEvents>(event: K, listener: (...args: RunEvents[K]) => void): void => {
    run.on(event, ((...args: RunEvents[K]) => {
      if (broken) return;
      try {
        listener(...args);
      } catch (error) {
        broken = true;
        write(`pushsim: warning: the dashboard stopped updating (please report it): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      }
    }) as never);
  };

  // Percentiles so far: from each outcome on one thread; with worker threads, from the histograms
  // of each tick they send (RunOptions.acceptedLatency), added up.
  let latency: LatencyHistogram | undefined;
  on('outcome', (outcome, latencyMs) => {
    if (outcome.status !== 'accepted') return;
    latency ??= createLatencyHistogram();
    latency.recordMs(latencyMs);
  });
  let fromWorkers: string | undefined;
  on('acceptedLatency', (hdr) => {
    fromWorkers = mergeEncoded(fromWorkers === undefined ? [hdr] : [fromWorkers, hdr]);
    latency?.destroy();
    latency = decodeHistogram(fromWorkers);
  });
  on('start', (start) => {
    state.onStart(start);
    broadcast('snapshot', state.view());
  });
  on('warmup', (warmup) => {
    state.onWarmup(warmup);
    broadcast('tick', state.tick());
  });
  on('waiting', (waiting) => {
    state.onWaiting(waiting);
    broadcast('tick', state.tick());
  });
  on('warning', (message) => {
    state.onWarning(message);
    broadcast('tick', state.tick());
  });
  on('progress', (progress) => {
    const point = state.onProgress(progress);
    if (latency !== undefined && latency.count > 0) state.onLatency(latency.summary());
    broadcast('tick', state.tick(point));
  });

  let closing: Promise<void> | undefined;
  let resolveClosed = (): void => {};
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  let cancelSignal = (): void => {};
  let grace: NodeJS.Timeout | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      clearTimeout(grace);
      cancelSignal();
      for (const res of clients) res.end();
      clients.clear();
      latency?.destroy();
      latency = undefined;
      await app.close();
      resolveClosed();
    })();
    return closing;
  };

  on('done', (result) => {
    report = formatHtml(result);
    // The last outcomes (and the workers' last histograms) came after the last tick.
    if (latency !== undefined && latency.count > 0) state.onLatency(latency.summary());
    state.onDone('report', result.durationMs);
    latency?.destroy();
    latency = undefined;
    const watching = clients.size;
    broadcast('done', state.tick());
    for (const res of clients) res.end();
    clients.clear();
    if (options.linger === true) {
      app.server.ref();
      write(`pushsim: the dashboard stays at ${url} with the run's report; Ctrl-C stops it`);
      const signal = untilSignal();
      cancelSignal = signal.cancel;
      void signal.received.then(close);
      return;
    }
    if (watching === 0) {
      void close();
      return;
    }
    // The pages that watched open the report next: the command waits for them, a few seconds at most.
    app.server.ref();
    onReportServed = () => {
      if (reportsServed >= watching) void close();
    };
    grace = setTimeout(() => void close(), options.reportGraceMs ?? 5000);
  });

  try {
    await app.listen({ host, port: options.port });
  } catch (error) {
    await app.close();
    throw listenFailure(error, [{ host, port: options.port, hostFlag: '--dashboard', portFlag: '--dashboard=PORT' }]);
  }
  app.server.unref();
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  authority = new Set([`${host}:${port}`, `localhost:${port}`]);
  const url = `http://${host}:${port}/`;
  write(`pushsim: live dashboard at ${url}`);
  return { url, closed, close };
}

function pageHeaders(csp: string): Record<string, string> {
  return { 'content-security-policy': `${csp}; frame-ancestors 'none'`, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' };
}
