/**
 * `pushsim run --metrics-port <port>`: the run's numbers at GET /metrics in Prometheus text format
 * while it runs (cli/run-metrics-registry.ts says which). node:http, not fastify: one route, and the
 * command does not pay for a framework it uses nowhere else.
 *
 * The server never keeps the process alive on its own (unref'd, each answer closes its
 * connection), so a run that fails still exits. After the run it serves the final values for
 * `--metrics-linger` seconds or until one scrape has read them, whichever comes first; then it closes.
 */
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { InvalidArgumentError } from '../core/errors.js';
import { listenFailure } from '../core/system-errors.js';
import { RunMetrics } from '../scenarios/metrics.js';
import type { ScenarioRun } from '../scenarios/runner.js';

export interface MetricsFlags {
  metricsPort?: number;
  metricsHost?: string;
  /** Seconds to keep serving after the run, for a last scrape of the final values (default 0). */
  metricsLinger?: number;
}

export interface RunMetricsServer {
  readonly url: string;
  /** After the run: serves the final values until one scrape read them or the linger ran out (unless `linger: false`: a run stopped by a signal), then closes. */
  finish(options?: { readonly linger?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** Starts serving `run`'s metrics when `--metrics-port` was given; a port in use is a usage error (exit 2) naming the flag. */
export async function serveRunMetrics(run: ScenarioRun, flags: MetricsFlags, note: (line: string) => void = (line) => process.stderr.write(line + '\n')): Promise<RunMetricsServer | undefined> {
  checkMetricsFlags(flags);
  if (flags.metricsPort === undefined) return undefined;
  const host = flags.metricsHost ?? '127.0.0.1';
  const metrics = new RunMetrics(run.config);
  metrics.attach(run);
  // pushsim's own event-loop delay, 10 ms resolution, read and reset once per progress tick: a timer, nothing per notification.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let loop = { p99Ms: 0, maxMs: 0 };
  run.on('progress', () => {
    loop = { p99Ms: delay.percentile(99) / 1e6, maxMs: delay.max / 1e6 };
    delay.reset();
  });
  const { createRunRegistry } = await import('./run-metrics-registry.js');
  const registry = createRunRegistry(metrics, { p99Ms: () => loop.p99Ms, maxMs: () => loop.maxMs });
  let finalScraped: () => void = () => {};
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    response.setHeader('connection', 'close');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('GET /metrics\n');
      return;
    }
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('pushsim run: Prometheus metrics at /metrics\n');
      return;
    }
    const done = metrics.stage === 'done';
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': registry.contentType }).end(request.method === 'HEAD' ? undefined : text);
        if (done) finalScraped();
      },
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(error)}\n`),
    );
  });
  server.on('connection', (socket) => socket.unref());
  try {
    await listen(server, host, flags.metricsPort);
  } catch (error) {
    delay.disable();
    throw listenFailure(error, [{ host, port: flags.metricsPort, hostFlag: '--metrics-host', portFlag: '--metrics-port' }]);
  }
  server.unref();
  // Past listening, a failing socket is the scraper's problem, not the run's.
  server.on('error', () => {});
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`;
  note(`pushsim: metrics at ${url}`);
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= new Promise<void>((resolve) => {
      delay.disable();
      server.close(() => resolve());
      server.closeAllConnections();
    }));
  return {
    url,
    close,
    async finish(options = {}) {
      const lingerMs = options.linger === false ? 0 : Math.round((flags.metricsLinger ?? 0) * 1000);
      if (lingerMs > 0) {
        note(`pushsim: serving the final metrics at ${url} until one scrape reads them, at most ${flags.metricsLinger} s`);
        // A signal ends the wait, not the process: the run's exit code stands.
        await new Promise<void>((resolve) => {
          const end = (): void => {
            clearTimeout(timer);
            process.off('SIGINT', end);
            process.off('SIGTERM', end);
            resolve();
          };
          const timer = setTimeout(end, lingerMs);
          finalScraped = end;
          process.on('SIGINT', end);
          process.on('SIGTERM', end);
        });
      }
      await close();
    },
  };
}

/** The longest --metrics-linger: an hour is past any scrape interval; more is a typo (ms for s). */
export const maxLingerSeconds = 3600;

/** --metrics-host and --metrics-linger mean nothing without --metrics-port; a linger over an hour is a mistake. */
export function checkMetricsFlags(flags: MetricsFlags): void {
  if (flags.metricsPort === undefined) {
    const orphan = flags.metricsHost !== undefined ? '--metrics-host' : (flags.metricsLinger ?? 0) > 0 ? '--metrics-linger' : undefined;
    if (orphan !== undefined) throw new InvalidArgumentError(`${orphan} goes with --metrics-port, which was not given: add --metrics-port <port> (0 picks a free one), or drop ${orphan}`);
  }
  if (flags.metricsLinger !== undefined && flags.metricsLinger > maxLingerSeconds) {
    throw new InvalidArgumentError(`--metrics-linger ${flags.metricsLinger}: at most ${maxLingerSeconds} seconds (it is in seconds, not milliseconds)`);
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
