/**
 * What the sender's own layers cost per notification, without a socket: `ApnsSender` over an
 * in-memory transport that answers 200 at once, with default policies (retry, circuit breaker,
 * token auth, the adapter's request and outcome) and with policies off, beside the floor: the same
 * closed loop calling the transport and the adapter directly. All three in ONE process, in short
 * interleaved batches (reversed every other round), CPU µs per notification from
 * process.cpuUsage(). Over TLS a notification costs ~50–90 µs here (peers-warm.js), so this says
 * how much of that the interceptor chain can be: what collapsing its promise layers could win.
 *
 *   node dist/bench/sender-layers.js [batch=20000] [rounds=30] [inFlight=100]
 */
import { generateKeyPairSync } from 'node:crypto';
import { loadavg } from 'node:os';
import { ApnsSender } from '../sender/apns-sender.js';
import { apnsAdapter } from '../sender/providers/apns.js';
import type { ApnsNotification } from '../sender/providers/apns.js';
import type { DispatchContext, Transport, TransportResult } from '../sender/transport.js';
import { closedLoop } from './lib/closed-loop.js';
import { benchPayload, benchTopic, median } from './lib/h2load.js';

const batch = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 30);
const inFlight = Number(process.argv[4] ?? 100);
const warmup = 20_000;

/** One answer for every request, as a mock that does nothing would give. */
const answer: TransportResult = { ok: true, status: 200, headers: { 'apns-id': '6d1f3c1e-8a55-4a61-b1d3-1f6a3b0f2c11' }, body: Buffer.alloc(0) };

function memoryTransport(): Transport {
  return {
    origin: 'http://127.0.0.1:1',
    dispatch: (_request, context) => {
      context.attempts++;
      return Promise.resolve(answer);
    },
    stats: () => ({ connected: 1, running: 0, queued: 0, capacity: inFlight }),
    close: () => Promise.resolve(),
    destroy: () => Promise.resolve(),
  };
}

const tokens = Array.from({ length: 100 }, (_, i) => i.toString(16).padStart(64, 'a'));
const notification = (i: number): ApnsNotification => ({ token: tokens[i % tokens.length] as string, topic: benchTopic, payload: benchPayload });

interface Client {
  readonly name: string;
  readonly send: (i: number) => Promise<boolean>;
  readonly cpu: number[];
}

async function main(): Promise<void> {
  const privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const credentials = { keyId: 'BENCHKEY01', teamId: 'BENCHTEAM1', privateKey };
  const full = await ApnsSender.create({ url: 'http://127.0.0.1:1', credentials, transport: memoryTransport() });
  const bare = await ApnsSender.create({ url: 'http://127.0.0.1:1', credentials, transport: memoryTransport(), policies: { retry: false, circuitBreaker: false } });
  const direct = memoryTransport();
  const clients: Client[] = [
    {
      name: 'floor: transport + adapter, no sender',
      send: async (i) => {
        const context: DispatchContext = { attempts: 0, route: undefined, sentAt: undefined, streamAt: undefined };
        const n = notification(i);
        return apnsAdapter.outcome(n, await direct.dispatch(apnsAdapter.request(n), context), context.attempts).status === 'accepted';
      },
      cpu: [],
    },
    { name: 'ApnsSender, policies off', send: async (i) => (await bare.send(notification(i))).status === 'accepted', cpu: [] },
    { name: 'ApnsSender, default policies', send: async (i) => (await full.send(notification(i))).status === 'accepted', cpu: [] },
  ];
  for (const c of clients) await closedLoop(warmup, inFlight, c.send);
  const loadBefore = loadavg()[0] as number;
  for (let round = 0; round < rounds; round++) {
    for (const c of round % 2 === 0 ? clients : [...clients].reverse()) {
      const cpu0 = process.cpuUsage();
      const ok = await closedLoop(batch, inFlight, c.send);
      const cpu = process.cpuUsage(cpu0);
      if (ok !== batch) throw new Error(`${c.name}: ${batch - ok} of ${batch} not accepted`);
      c.cpu.push((cpu.user + cpu.system) / batch);
    }
  }
  const floor = clients[0] as Client;
  console.log(`${rounds} interleaved rounds of ${batch} notifications per client, ${inFlight} in flight, after ${warmup} uncounted; load average ${loadBefore.toFixed(2)} before, ${(loadavg()[0] as number).toFixed(2)} after`);
  console.log('');
  console.log('| client | CPU µs/notification, median | above the floor, µs (median of per-round differences, range) |');
  console.log('|---|---:|---:|');
  for (const c of clients) {
    const above = c.cpu.map((v, i) => v - (floor.cpu[i] as number));
    console.log(`| ${c.name} | ${median(c.cpu).toFixed(2)} | ${median(above).toFixed(2)} (${Math.min(...above).toFixed(2)}–${Math.max(...above).toFixed(2)}) |`);
  }
  await Promise.all([full.close(), bare.close()]);
}

await main();
