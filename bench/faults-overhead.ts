/**
 * What the fault framework costs when every fault is idle (configured, but its window has not
 * opened), measured with h2load (performance-baselines.md) on two paths, each with and without it:
 *
 *   1. the fault proxy:  h2load → proxy (passThrough: no engine)        → bare h2 origin
 *                        h2load → proxy (engine with 10 idle faults)    → bare h2 origin
 *   2. the mock hook:    h2load → bare h2 origin
 *                        h2load → bare h2 origin + engine.onSession/handle/interceptConnections (10 idle faults)
 *
 * Servers run in child processes; pairs are interleaved (A B A B A B) because these machines drift
 * 15-25 % from minute to minute and are shared: compare the ratios, not the absolute numbers. Besides
 * req/s it reports the server's own CPU per request (from /proc), which other processes competing
 * for the two cores disturb much less than throughput.
 *
 *   node dist/bench/faults-overhead.js [requests=60000] [rounds=3]
 */
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultEngine } from '../simulator/faults/engine.js';
import type { FaultsDocument } from '../simulator/faults/spec.js';
import { startFaultProxy } from '../simulator/proxy/proxy.js';
import { childCpuMicros, startChild } from './lib/children.js';
import type { Child } from './lib/children.js';

const hour = 3_600_000;
/** One fault of every kind, all scheduled an hour from now: the engine looks at each, none fires. */
const idleFaults: FaultsDocument = {
  seed: 1,
  faults: [
    { kind: 'latency', startMs: hour, distribution: { kind: 'lognormal', medianMs: 20, sigma: 0.5 } },
    { kind: 'error', startMs: hour, apns: 'InternalServerError', probability: 0.1 },
    { kind: 'throttle', startMs: hour, per: 'device', ratePerSecond: 1 },
    { kind: 'outage', startMs: hour },
    { kind: 'goaway', startMs: hour, probability: 0.01 },
    { kind: 'reset', startMs: hour },
    { kind: 'streams', startMs: hour, maxConcurrentStreams: 1 },
    { kind: 'stall', startMs: hour },
    { kind: 'connection', startMs: hour, action: 'refuse' },
    { kind: 'accept-then-fail', startMs: hour, firstNPerToken: 1 },
  ],
};

/** Child-process mode: `serve <mode> [upstream]` prints `listening on <url>`. */
async function serve(mode: string, upstream: string | undefined): Promise<void> {
  let url: string;
  if (mode === 'proxy-bare' || mode === 'proxy-idle') {
    const proxy = await startFaultProxy({ upstream: upstream ?? '', tls: false, ...(mode === 'proxy-bare' ? { passThrough: true } : { faults: idleFaults }) });
    url = proxy.url;
  } else {
    const engine = mode === 'origin-hook' ? new FaultEngine({ spec: idleFaults }) : undefined;
    const server = createServer({ settings: { maxConcurrentStreams: 1000 } });
    if (engine) {
      engine.interceptConnections(server);
      server.on('session', (session) => engine.onSession(session));
    }
    server.on('stream', (stream, headers) => {
      stream.on('data', () => {});
      stream.on('error', () => {});
      stream.on('end', () => {
        const answer = (): void => stream.respond({ ':status': 200, 'apns-id': randomUUID() }, { endStream: true });
        if (engine === undefined) return answer();
        const path = String(headers[':path']);
        const info = { provider: 'apns' as const, token: path.slice(11), topic: headers['apns-topic'] as string, connectionId: engine.connectionId(stream.session) };
        engine.handle(stream, info, (accept) => {
          const id = randomUUID();
          if (!accept(id)) stream.respond({ ':status': 200, 'apns-id': id }, { endStream: true });
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  process.stdout.write(`listening on ${url}\n`);
  process.on('SIGTERM', () => process.exit(0));
}

interface Load {
  readonly perSecond: number;
  readonly succeeded: number;
  /** CPU µs the server under test spent per request (undefined off Linux). */
  readonly cpuMicros?: number;
}

async function measured(server: Child, requests: number, payloadFile: string): Promise<Load> {
  const before = await childCpuMicros(server.process.pid);
  const load = h2load(server.url, requests, payloadFile);
  const after = await childCpuMicros(server.process.pid);
  return before === undefined || after === undefined ? load : { ...load, cpuMicros: (after - before) / requests };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
};

function h2load(url: string, requests: number, payloadFile: string): Load {
  const args = ['-n', String(requests), '-c', '4', '-m', '100', '-t', '1', '-d', payloadFile, '-H', 'apns-topic: com.example.app', '-H', 'content-type: application/json', `${url}/3/device/${'ab'.repeat(32)}`];
  const run = spawnSync('/usr/bin/h2load', args, { encoding: 'utf8', timeout: 300_000 });
  const perSecond = Number(/finished in [\d.]+m?s, ([\d.]+) req\/s/.exec(run.stdout)?.[1] ?? NaN);
  const succeeded = Number(/(\d+) succeeded/.exec(run.stdout)?.[1] ?? NaN);
  if (!Number.isFinite(perSecond)) throw new Error(`h2load failed: ${run.stderr || run.stdout}`);
  return { perSecond, succeeded };
}

async function main(): Promise<void> {
  const requests = Number(process.argv[2] ?? 60_000);
  const rounds = Number(process.argv[3] ?? 3);
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-bench-faults-'));
  const payloadFile = join(dir, 'payload.json');
  await writeFile(payloadFile, JSON.stringify({ aps: { alert: { title: 'bench', body: 'A notification of about two hundred bytes, like a real one would be' }, badge: 1, sound: 'default' } }));
  const self = 'bench/faults-overhead.js';
  const children: Child[] = [];
  const start = async (...args: string[]): Promise<Child> => {
    const child = await startChild(self, ['serve', ...args]);
    children.push(child);
    return child;
  };
  try {
    const origin = await startChild('bench/servers/bare-h2.js');
    children.push(origin);
    const pairs: [string, Child, string, Child][] = [
      ['proxy, no fault framework', await start('proxy-bare', origin.url), 'proxy, 10 idle faults', await start('proxy-idle', origin.url)],
      ['origin, no hook', await start('origin-bare'), 'origin + hook, 10 idle faults', await start('origin-hook')],
    ];
    console.log(`h2load -n ${requests} -c 4 -m 100 -t 1, POST ~200 B to /3/device/<token>, h2c, servers in child processes, ${rounds} interleaved rounds`);
    for (const [nameA, a, nameB, b] of pairs) {
      h2load(a.url, Math.min(requests, 10_000), payloadFile); // warm both JITs
      h2load(b.url, Math.min(requests, 10_000), payloadFile);
      const results: [string, Load[]][] = [[nameA, []], [nameB, []]];
      for (let round = 0; round < rounds; round++) {
        results[0]?.[1].push(await measured(a, requests, payloadFile));
        results[1]?.[1].push(await measured(b, requests, payloadFile));
      }
      const summary = results.map(([name, loads]) => ({ name, loads, rate: median(loads.map((l) => l.perSecond)), cpu: median(loads.map((l) => l.cpuMicros ?? Number.NaN)) }));
      for (const { name, loads, rate, cpu } of summary) {
        const runs = loads.map((l) => `${l.perSecond.toFixed(0)}/s ${l.cpuMicros?.toFixed(1) ?? '?'}µs`).join('  ');
        console.log(`${name.padEnd(30)} median ${rate.toFixed(0).padStart(6)} req/s, ${cpu.toFixed(1)} µs CPU/req   (${runs}; ${loads.every((l) => l.succeeded === requests) ? 'all ok' : 'FAILED REQUESTS'})`);
      }
      const [without, withFramework] = summary;
      if (without && withFramework) {
        console.log(`  → with the framework: ${((withFramework.rate / without.rate) * 100).toFixed(1)} % of the throughput, ${((withFramework.cpu / without.cpu) * 100).toFixed(1)} % of the CPU per request\n`);
      }
    }
  } finally {
    await Promise.all(children.map((child) => child.stop()));
  }
}

if (process.argv[2] === 'serve') {
  void serve(process.argv[3] ?? '', process.argv[4]);
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
