/**
 * Sender throughput and CPU per notification against the mock APNs (h2c, token auth, no latency)
 * running in a child process, next to a raw node:http2 loop against the same mock in the same run
 * — the yardstick from performance-baselines.md ("raw node:http2 loop, 1 session, 100 in flight").
 * Compare the ratio, not absolute numbers: these machines drift 15–25 % minute to minute.
 *
 *   node dist/bench/sender-apns.js [notifications=100000] [inFlight=100]
 */
import { readFile } from 'node:fs/promises';
import { connect } from 'node:http2';
import { join } from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { ApnsSender } from '../sender/apns-sender.js';
import { ApnsTokenSigner } from '../sender/auth/apns-token.js';
import { Http2Pool } from '../sender/http2/pool.js';
import { startChild } from './lib/children.js';
import { closedLoop } from './lib/closed-loop.js';

const total = Number(process.argv[2] ?? 100_000);
const inFlight = Number(process.argv[3] ?? 100);
const payload = JSON.stringify({ aps: { alert: { title: 'bench', body: 'A notification of about two hundred bytes, like a real one would be' }, badge: 1, sound: 'default' } });
const token = 'ab'.repeat(32);

interface Measured {
  readonly name: string;
  readonly perSecond: number;
  readonly cpuMicrosPerNotification: number;
  readonly ok: number;
}

async function measure(name: string, run: () => Promise<number>): Promise<Measured> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ok = await run();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { name, perSecond: (total / ms) * 1000, cpuMicrosPerNotification: (cpu.user + cpu.system) / total, ok };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-bench-'));
  const mock = await startChild('cli/bin.js', ['mock', 'apns', '--credentials-dir', dir]);
  const info = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8')) as { url: string; keyId: string; teamId: string; keyFile: string };
  const credentials = { keyId: info.keyId, teamId: info.teamId, privateKey: await readFile(info.keyFile, 'utf8') };
  try {
    const results: Measured[] = [];
    for (let round = 0; round < 2; round++) {
      // Raw loop: one session, pre-signed token, nothing else — the floor for any node:http2 sender.
      const authorization = await (await ApnsTokenSigner.create(credentials)).authorization();
      const session = connect(info.url);
      // Token-auth connections start at 1 stream until the first good request (protocols.md §1.11): warm up.
      await new Promise<void>((resolve) => {
        const first = session.request({ ':method': 'POST', ':path': `/3/device/${token}`, 'apns-topic': 'com.example', authorization });
        first.on('data', () => {}).on('error', () => {}).on('close', () => resolve());
        first.end(payload);
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      results.push(
        await measure('raw node:http2 loop', () =>
          closedLoop(
            total,
            inFlight,
            () =>
              new Promise<boolean>((resolve) => {
                const stream = session.request({ ':method': 'POST', ':path': `/3/device/${token}`, 'apns-topic': 'com.example', 'apns-push-type': 'alert', authorization, 'content-type': 'application/json' });
                let status = 0;
                stream.on('response', (h) => (status = Number(h[':status'])));
                stream.on('data', () => {});
                stream.on('error', () => {});
                stream.on('close', () => resolve(status === 200));
                stream.end(payload);
              }),
          ),
        ),
      );
      session.close();

      // The skeleton sender: pool + auth only.
      const bare = await ApnsSender.create({ url: info.url, credentials, maxInFlight: inFlight, policies: { retry: false, circuitBreaker: false } });
      results.push(await measure('ApnsSender, bare', () => closedLoop(total, inFlight, async () => (await bare.send({ token, topic: 'com.example', payload })).status === 'accepted')));
      await bare.close();

      // Every interceptor on: retry, circuit breaker, fallback (to a second pool), attempt timing.
      const secondary = new Http2Pool({ origin: info.url });
      const resilient = await ApnsSender.create({
        url: info.url,
        credentials,
        maxInFlight: inFlight,
        policies: { fallback: { name: 'secondary', to: secondary.dispatch } },
        listener: { onAttempt: () => {}, onOutcome: () => {}, onRetry: () => {} },
      });
      results.push(await measure('ApnsSender, resilient', () => closedLoop(total, inFlight, async () => (await resilient.send({ token, topic: 'com.example', payload })).status === 'accepted')));
      await resilient.close();
      await secondary.close();
    }
    console.log(`sender → mock APNs (h2c, token auth), ${total} notifications, ${inFlight} in flight, 2 interleaved rounds`);
    for (const r of results) {
      console.log(`${r.name.padEnd(22)} ${r.perSecond.toFixed(0).padStart(7)} notifications/s  ${r.cpuMicrosPerNotification.toFixed(1).padStart(6)} µs CPU each  (${r.ok} accepted)`);
    }
  } finally {
    await mock.stop();
  }
}

await main();
