/**
 * Sender throughput against the mock FCM and the mock Web Push service, in one run. Each mock runs
 * in a child process (this script re-run with `--serve`, through the CLI register functions), so
 * the measured process has its CPU to itself: notifications/s and sender CPU per notification,
 * plus the mock's CPU per notification from /proc. Two interleaved rounds; compare ratios, not
 * numbers across days (these machines drift 15-25 %).
 *
 *   node dist/bench/sender-fcm-webpush.js [notifications=50000] [inFlight=100]
 *
 * FCM: h2c, OAuth2 service account (one token exchange), quotas off, data message of ~200 bytes to
 * 1,000 tokens. Web Push: h2c, VAPID (one JWT), ~200-byte payload encrypted per message (RFC 8291),
 * decrypted by the mock, to 100 subscriptions.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { registerMockFcm } from '../cli/commands/mock-fcm.js';
import { registerMockWebPush } from '../cli/commands/mock-webpush.js';
import { FcmSender } from '../sender/fcm-sender.js';
import { WebPushSender } from '../sender/webpush-sender.js';
import type { WebPushSubscription } from '../sender/providers/webpush.js';
import { childCpuMicros, startChild } from './lib/children.js';
import { closedLoop } from './lib/closed-loop.js';

if (process.argv[2] === '--serve') {
  const [kind, dir] = [process.argv[3], process.argv[4] as string];
  const program = new Command('pushsim');
  const mock = program.command('mock');
  registerMockFcm(mock);
  registerMockWebPush(mock);
  const args = kind === 'fcm' ? ['mock', 'fcm', '--no-quotas'] : ['mock', 'webpush', '--subscriptions', '100'];
  await program.parseAsync([...args, '--credentials-dir', dir], { from: 'user' });
  process.exit(0);
}

const total = Number(process.argv[2] ?? 50_000);
const inFlight = Number(process.argv[3] ?? 100);
const data = { title: 'bench', body: 'A notification of about two hundred bytes, like a real one would be', n: '1', kind: 'bench-message' };

interface Measured {
  readonly name: string;
  readonly perSecond: number;
  readonly cpuMicros: number;
  readonly mockCpuMicros: number | undefined;
  readonly ok: number;
}

async function measure(name: string, pid: number | undefined, run: () => Promise<number>): Promise<Measured> {
  const mockCpu0 = await childCpuMicros(pid);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ok = await run();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const mockCpu1 = await childCpuMicros(pid);
  return {
    name,
    perSecond: (total / ms) * 1000,
    cpuMicros: (cpu.user + cpu.system) / total,
    mockCpuMicros: mockCpu0 === undefined || mockCpu1 === undefined ? undefined : (mockCpu1 - mockCpu0) / total,
    ok,
  };
}

async function main(): Promise<void> {
  const fcmDir = await mkdtemp(join(tmpdir(), 'pushsim-bench-fcm-'));
  const pushDir = await mkdtemp(join(tmpdir(), 'pushsim-bench-webpush-'));
  const fcm = await startChild('bench/sender-fcm-webpush.js', ['--serve', 'fcm', fcmDir]);
  const push = await startChild('bench/sender-fcm-webpush.js', ['--serve', 'webpush', pushDir]);
  try {
    const fcmInfo = JSON.parse(await readFile(join(fcmDir, 'credentials.json'), 'utf8')) as { url: string; serviceAccountFile: string };
    const serviceAccount = await readFile(fcmInfo.serviceAccountFile, 'utf8');
    const pushInfo = JSON.parse(await readFile(join(pushDir, 'credentials.json'), 'utf8')) as { vapidFile: string; subscriptionsFile: string };
    const vapid = JSON.parse(await readFile(pushInfo.vapidFile, 'utf8')) as { publicKey: string; privateKey: string; subject: string };
    const subscriptions = JSON.parse(await readFile(pushInfo.subscriptionsFile, 'utf8')) as WebPushSubscription[];
    const payload = JSON.stringify(data);

    const results: Measured[] = [];
    for (let round = 0; round < 2; round++) {
      const fcmSender = await FcmSender.create({ serviceAccount, url: fcmInfo.url, maxInFlight: inFlight });
      results.push(
        await measure('FcmSender → mock FCM', fcm.process.pid, () =>
          closedLoop(total, inFlight, async (i) => (await fcmSender.send({ token: `bench-${i % 1000}:APA91b-token`, data })).status === 'accepted'),
        ),
      );
      await fcmSender.close();

      const pushSender = await WebPushSender.create({ vapid, maxInFlight: inFlight });
      results.push(
        await measure('WebPushSender → mock Web Push', push.process.pid, () =>
          closedLoop(total, inFlight, async (i) => (await pushSender.send({ subscription: subscriptions[i % subscriptions.length] as WebPushSubscription, payload, ttl: 60 })).status === 'accepted'),
        ),
      );
      await pushSender.close();
    }
    console.log(`${total} notifications per measurement, ${inFlight} in flight, h2c, mocks in child processes, 2 interleaved rounds`);
    for (const r of results) {
      const mockCpu = r.mockCpuMicros === undefined ? '' : `  mock ${r.mockCpuMicros.toFixed(1).padStart(6)} µs CPU each`;
      console.log(`${r.name.padEnd(30)} ${r.perSecond.toFixed(0).padStart(7)} notifications/s  sender ${r.cpuMicros.toFixed(1).padStart(6)} µs CPU each${mockCpu}  (${r.ok} accepted)`);
    }
  } finally {
    await Promise.all([fcm.stop(), push.stop()]);
  }
}

await main();
