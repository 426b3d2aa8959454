/**
 * The mock on several processes under h2load (bench/mock-workers.ts, and a section of
 * docs/benchmarks.md written by bench/peers.ts): `pushsim mock apns|fcm|webpush --workers N` beside
 * the bare node:http2 server run as N cluster workers the same way (servers/bare-h2-cluster.ts).
 * Nothing is pinned to a core here but h2load (lib/h2load.ts): the servers' processes need every core.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoogleAccessTokens } from '../../sender/auth/google-oauth.js';
import { VapidSigner } from '../../sender/auth/vapid.js';
import { encryptPayload } from '../../sender/providers/webpush-encrypt.js';
import { startChild } from './children.js';
import { benchToken, describeH2load, median, medianCpu, medianPerSecond, mockApnsTarget, yardstickAuthorization, type Server, type Target } from './h2load.js';

export type MockWorkersProvider = 'apns' | 'fcm' | 'webpush';
export const mockWorkersProviders: readonly MockWorkersProvider[] = ['apns', 'fcm', 'webpush'];

/** [bare node:http2 × N, then per provider: mock APNs validating and accept-all, mock FCM, mock Web Push × N]: the first is the yardstick. */
export function mockWorkersTargets(workers: number, providers: readonly MockWorkersProvider[] = ['apns']): Target[] {
  const n = String(workers);
  return [
    { name: `bare node:http2, ${workers} workers`, start: async () => ({ child: await startChild('bench/servers/bare-h2-cluster.js', [n]), authorization: await yardstickAuthorization() }), results: [] },
    ...providers.flatMap((provider) =>
      provider === 'apns'
        ? [mockApnsTarget(`mock APNs validating, ${workers} workers`, ['--workers', n], [], false), mockApnsTarget(`mock APNs accept-all, ${workers} workers`, ['--workers', n, '--accept-all'], [], false)]
        : provider === 'fcm'
          ? [{ name: `mock FCM validating, ${workers} workers`, start: () => startMockFcm(n), results: [] }]
          : [{ name: `mock Web Push validating, ${workers} workers`, start: () => startMockWebPush(n), results: [] }],
    ),
  ];
}

/** `pushsim mock fcm --workers N` without quotas, and a bearer token from its own OAuth endpoint (one worker's, sent to every worker). */
async function startMockFcm(workers: string): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-h2load-'));
  const child = await startChild('cli/bin.js', ['mock', 'fcm', '--workers', workers, '--no-quotas', '--credentials-dir', dir]);
  const info = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8')) as { projectId: string; serviceAccountFile: string };
  const tokens = await GoogleAccessTokens.create({ serviceAccount: await readFile(info.serviceAccountFile, 'utf8') });
  const token = await tokens.token();
  await tokens.close();
  const payloadFile = join(dir, 'payload.json');
  await writeFile(payloadFile, JSON.stringify({ message: { token: `bench-${benchToken}`, notification: { title: 'bench', body: 'A notification of about two hundred bytes, like a real one would be' } } }));
  return { child, authorization: `Bearer ${token}`, request: { path: `/v1/projects/${info.projectId}/messages:send`, headers: ['content-type: application/json'], payloadFile } };
}

/** `pushsim mock webpush --workers N`, one of its subscriptions, a VAPID header, and one aes128gcm body (the mock decrypts it on every request). */
async function startMockWebPush(workers: string): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-h2load-'));
  const child = await startChild('cli/bin.js', ['mock', 'webpush', '--workers', workers, '--credentials-dir', dir]);
  const info = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8')) as { url: string; vapidFile: string; subscriptionsFile: string };
  const [subscription] = JSON.parse(await readFile(info.subscriptionsFile, 'utf8')) as { endpoint: string; keys: { p256dh: string; auth: string } }[];
  if (subscription === undefined) throw new Error('pushsim mock webpush wrote no subscription');
  const signer = await VapidSigner.create(JSON.parse(await readFile(info.vapidFile, 'utf8')));
  const payloadFile = join(dir, 'payload.bin');
  await writeFile(payloadFile, encryptPayload(Buffer.from(JSON.stringify({ title: 'bench', body: 'A notification of about two hundred bytes' })), subscription.keys.p256dh, subscription.keys.auth));
  return { child, authorization: await signer.authorization(info.url), request: { path: new URL(subscription.endpoint).pathname, headers: ['ttl: 60', 'content-encoding: aes128gcm'], payloadFile } };
}

/** Per round, each target's req/s over the yardstick's in the same round. */
export function roundRatios(target: Target, yardstick: Target): number[] {
  return target.results.map((r, i) => r.perSecond / ((yardstick.results[i]?.perSecond as number) ?? Number.NaN));
}

const range = (values: readonly number[]): string => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;

/** The markdown section: the command, the table (median req/s, median of per-round ratios with their range). */
export function mockWorkersSection(targets: readonly Target[], workers: number, requests: number, rounds: number): string[] {
  const bare = targets[0] as Target;
  const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
  return [
    `## The mock APNs on ${workers} worker processes under h2load`,
    '',
    `\`pushsim mock apns --workers ${workers}\` (one port, node:cluster round-robin; docs/mock-workers.md) beside the bare \`node:http2\` server run as ${workers} cluster workers the same way and sent the same requests (a provider token of the same shape included), \`${describeH2load(requests)}\`, ${rounds} interleaved rounds, each on fresh servers warmed up with an uncounted run. Only h2load is pinned: the servers' processes share every core. "× bare" is the median of per-round ratios, with their range; CPU counts the primary and its workers (/proc).`,
    '',
    '| server | requests/s | × bare (range) | CPU µs/request, all its processes |',
    '|---|---:|---:|---:|',
    ...targets.map((target) => {
      const r = roundRatios(target, bare);
      return `| ${target.name} | ${fmt(medianPerSecond(target))} | ${median(r).toFixed(2)} (${range(r)}) | ${medianCpu(target).toFixed(1)} |`;
    }),
    '',
  ];
}
