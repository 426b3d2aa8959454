/**
 * CPU per simulated request of the simulated transport (scenarios/virtual-transport.ts) on a
 * VirtualScheduler: notifications at 1,000/s of virtual time, the mock APNs' lognormal latency,
 * in interleaved rounds beside a yardstick — a bare transport that answers 200 after the same
 * sampled latency on the same scheduler (the discrete-event clock's own cost: a timer and a
 * promise per request). Issue 17's budget is ~16 µs per notification for everything (sender
 * policies + provider side + recording); compare the ratio, not absolute numbers.
 *
 *   node dist/bench/virtual-transport.js [notifications=50000] [rounds=3]
 */
import { VirtualScheduler } from '../core/scheduler.js';
import { createSimulatedTransport } from '../scenarios/virtual-transport.js';
import { ApnsSender } from '../sender/apns-sender.js';
import { ApnsTokenSigner } from '../sender/auth/apns-token.js';
import type { Dispatch, TransportRequest, TransportResult } from '../sender/transport.js';
import { createSampler } from '../simulator/distributions.js';
import { createRandom } from '../simulator/random.js';

const total = Number(process.argv[2] ?? 50_000);
const rounds = Number(process.argv[3] ?? 3);
const latency = { kind: 'lognormal', medianMs: 5, sigma: 0.5 } as const;
const payload = JSON.stringify({ aps: { alert: { title: 'bench', body: 'A notification of about two hundred bytes, like a real one would be' }, badge: 1, sound: 'default' } });
const brownout = {
  seed: 7,
  faults: [
    { kind: 'error', id: 'errors', probability: 0.1, apns: 'InternalServerError' },
    { kind: 'accept-then-fail', id: 'lost', probability: 0.01 },
    { kind: 'latency', id: 'slow', distribution: { kind: 'pareto', scaleMs: 5, shape: 2, maxMs: 1000 } },
  ],
};

/** Tokens of one population, so the ledger and the fault engine's attempt map see realistic keys. */
const tokens = Array.from({ length: 5_000 }, (_, i) => i.toString(16).padStart(64, '0'));

function request(i: number, authorization = ''): TransportRequest {
  return { method: 'POST', path: `/3/device/${tokens[i % tokens.length]}`, headers: { authorization, 'apns-topic': 'com.example.app', 'apns-push-type': 'alert', 'apns-id': uuid(i) }, body: payload };
}

function uuid(i: number): string {
  const hex = i.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

/** Sends `total` at 1,000/s of virtual time through `send`, runs the clock to the end; CPU µs per notification. */
async function measure(scheduler: VirtualScheduler, send: (i: number) => Promise<unknown>): Promise<number> {
  let sent = 0;
  let settled = 0;
  const tick = (): void => {
    send(sent++).then(() => settled++, () => settled++);
    if (sent < total) scheduler.after(1, tick);
  };
  const cpu0 = process.cpuUsage();
  scheduler.after(0, tick);
  await scheduler.run();
  const cpu = process.cpuUsage(cpu0);
  if (settled !== total) throw new Error(`only ${settled} of ${total} settled`);
  return (cpu.user + cpu.system) / total;
}

const variants: Record<string, () => Promise<number>> = {
  async yardstick() {
    const scheduler = new VirtualScheduler({ epochMs: Date.UTC(2026, 0, 1) });
    const sample = createSampler(latency, createRandom(1));
    const ok: TransportResult = { ok: true, status: 200, headers: {}, body: Buffer.alloc(0) };
    const dispatch: Dispatch = () => scheduler.sleep(sample()).then(() => ok);
    return measure(scheduler, (i) => dispatch(request(i), { attempts: 0 }));
  },
  async transport() {
    const scheduler = new VirtualScheduler({ epochMs: Date.UTC(2026, 0, 1) });
    const transport = createSimulatedTransport({ provider: 'apns', scheduler, seed: 1, latency });
    // Token auth as the sender does it, without the sender: one signed header, verified once by the mock and then a cache hit.
    const signer = await ApnsTokenSigner.create({ ...transport.mock.credentials, clock: scheduler });
    const authorization = await signer.authorization();
    return measure(scheduler, (i) => transport.dispatch(request(i, authorization), { attempts: 0 }));
  },
  async sender() {
    const scheduler = new VirtualScheduler({ epochMs: Date.UTC(2026, 0, 1) });
    const transport = createSimulatedTransport({ provider: 'apns', scheduler, seed: 1, latency });
    const sender = await ApnsSender.create({ url: transport.origin, credentials: transport.mock.credentials, transport, scheduler, policies: { retry: { random: () => 0.5 } } });
    return measure(scheduler, (i) => sender.send({ token: tokens[i % tokens.length]!, topic: 'com.example.app', payload, id: uuid(i) }));
  },
  async 'sender+brownout'() {
    const scheduler = new VirtualScheduler({ epochMs: Date.UTC(2026, 0, 1) });
    const transport = createSimulatedTransport({ provider: 'apns', scheduler, seed: 1, latency, faults: brownout });
    const sender = await ApnsSender.create({ url: transport.origin, credentials: transport.mock.credentials, transport, scheduler, policies: { retry: { random: () => 0.5 } } });
    return measure(scheduler, (i) => sender.send({ token: tokens[i % tokens.length]!, topic: 'com.example.app', payload, id: uuid(i) }));
  },
};

// BENCH_ONLY=transport (a variant's name) measures that one alone, e.g. under --cpu-prof.
const only = process.env['BENCH_ONLY'];
const chosen = Object.entries(variants).filter(([name]) => only === undefined || name === only || name === 'yardstick');
const samples: Record<string, number[]> = {};
for (let round = 0; round < rounds; round++) {
  for (const [name, run] of chosen) (samples[name] ??= []).push(await run());
}
const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const yard = median(samples['yardstick']!);
console.log(`simulated transport, ${total} notifications at 1,000/s virtual, ${rounds} interleaved rounds (CPU µs per notification: median [min–max]; ratio to the yardstick)`);
for (const [name, values] of Object.entries(samples)) {
  const m = median(values);
  console.log(`${name.padEnd(16)} ${m.toFixed(2).padStart(7)} µs  [${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}]  ${(m / yard).toFixed(2)}x`);
}
