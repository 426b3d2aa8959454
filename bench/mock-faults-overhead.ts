/**
 * What the fault framework costs inside the mock APNs when nothing fires: h2load (the same command
 * as mock-apns-h2load.ts) against three servers, each a child process, in interleaved rounds:
 *
 *   bare node:http2                  the yardstick (servers/bare-h2.ts)
 *   mock APNs, no faults             `pushsim mock apns`: no engine; each acceptance goes to the ledger
 *   mock APNs, 10 idle faults        `pushsim mock apns --faults idle.json`: an engine holding one fault
 *                                    of every kind, each in its window but matching nothing h2load
 *                                    sends, so every request walks every fault's checks
 *
 * Acceptance target: the idle-faults mock within 10 % of the no-faults mock (req/s). These 2-core
 * machines drift 15–25 % from minute to minute: compare the ratios printed by one run. Server CPU
 * µs per request (from /proc) is disturbed much less by other processes than req/s.
 *
 *   node dist/bench/mock-faults-overhead.js [requests=200000] [rounds=3]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import type { FaultsDocument } from '../simulator/faults/spec.js';
import { childCpuMicros, startChild, type Child } from './lib/children.js';

const requests = Number(process.argv[2] ?? 200_000);
const rounds = Number(process.argv[3] ?? 3);
const h2loadBin = '/usr/bin/h2load';
const token = 'ab'.repeat(32);
const topic = 'com.example.app';
const payload = JSON.stringify({ aps: { alert: { title: 'bench', body: 'A notification of about two hundred bytes, like a real one would be' }, badge: 1, sound: 'default' } });

/** Never matches h2load's requests: another token, or a connection id no run reaches. */
const noToken = { tokens: ['00'.repeat(32)] };
const noConnection = { connection: [1_000_000_000] };
const idleFaults: FaultsDocument = {
  seed: 1,
  faults: [
    { kind: 'latency', match: noToken, distribution: { kind: 'lognormal', medianMs: 20, sigma: 0.5 } },
    { kind: 'error', match: noToken, apns: 'InternalServerError', probability: 0.1 },
    { kind: 'throttle', match: noToken, per: 'device', ratePerSecond: 1 },
    { kind: 'outage', match: noToken },
    { kind: 'goaway', match: noToken, reason: 'Shutdown' },
    { kind: 'reset', match: noToken },
    { kind: 'stall', match: noToken },
    { kind: 'accept-then-fail', match: noToken },
    { kind: 'streams', match: noConnection, maxConcurrentStreams: 1 },
    { kind: 'connection', match: noConnection, action: 'refuse' },
  ],
};

interface Target {
  readonly name: string;
  readonly child: Child;
  readonly authorization: string;
  readonly results: { perSecond: number; cpuMicrosPerRequest: number | undefined }[];
}

function h2loadArgs(url: string, authorization: string, payloadFile: string): string[] {
  return ['-n', String(requests), '-c', '4', '-m', '100', '-t', '1', '-d', payloadFile, '-H', `apns-topic: ${topic}`, '-H', `authorization: ${authorization}`, '-H', 'content-type: application/json', `${url}/3/device/${token}`];
}

function runH2load(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(h2loadBin, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', (error) => reject(new Error(`cannot run ${h2loadBin} (${error.message}); install it with: apt-get install nghttp2-client`)));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`h2load exited with ${code}:\n${out}`))));
  });
}

/** 2xx answers per second, from h2load's "finished in Xs" and "status codes: N 2xx" lines. */
function parse(out: string): { seconds: number; ok: number } {
  const seconds = Number(/finished in ([\d.]+)(m?s)/.exec(out)?.[1]) / (/finished in [\d.]+ms/.test(out) ? 1000 : 1);
  const ok = Number(/status codes: (\d+) 2xx/.exec(out)?.[1]);
  if (!Number.isFinite(seconds) || !Number.isFinite(ok)) throw new Error(`unexpected h2load output:\n${out}`);
  return { seconds, ok };
}

async function mockTarget(name: string, extraArgs: readonly string[]): Promise<Target> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-faults-h2load-'));
  const child = await startChild('cli/bin.js', ['mock', 'apns', '--credentials-dir', dir, ...extraArgs]);
  const info = JSON.parse(await readFile(join(dir, 'credentials.json'), 'utf8')) as { keyId: string; teamId: string; keyFile: string };
  const key = await importPKCS8(await readFile(info.keyFile, 'utf8'), 'ES256');
  const jwt = await new SignJWT({ iss: info.teamId, iat: Math.floor(Date.now() / 1000) }).setProtectedHeader({ alg: 'ES256', kid: info.keyId }).sign(key);
  return { name, child, authorization: `bearer ${jwt}`, results: [] };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-faults-h2load-'));
  const payloadFile = join(dir, 'payload.json');
  const faultsFile = join(dir, 'idle-faults.json');
  await writeFile(payloadFile, payload);
  await writeFile(faultsFile, JSON.stringify(idleFaults, null, 2));
  const targets: Target[] = [];
  try {
    targets.push({ name: 'bare node:http2', child: await startChild('bench/servers/bare-h2.js'), authorization: 'bearer unused', results: [] });
    targets.push(await mockTarget('mock APNs, no faults', []));
    targets.push(await mockTarget('mock APNs, 10 idle faults', ['--faults', faultsFile]));
    for (let round = 0; round < rounds; round++) {
      // Reversed every other round, so no target always runs right after the same other one.
      for (const target of round % 2 === 0 ? targets : [...targets].reverse()) {
        const cpu0 = await childCpuMicros(target.child.process.pid);
        const { seconds, ok } = parse(await runH2load(h2loadArgs(target.child.url, target.authorization, payloadFile)));
        const cpu1 = await childCpuMicros(target.child.process.pid);
        target.results.push({ perSecond: ok / seconds, cpuMicrosPerRequest: cpu0 === undefined || cpu1 === undefined ? undefined : (cpu1 - cpu0) / ok });
      }
    }
    console.log(`h2load ${h2loadArgs('http://127.0.0.1:PORT', 'bearer <valid ES256 JWT>', 'payload.json').map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`);
    console.log(`payload ${payload.length} bytes; ${rounds} interleaved rounds (order reversed every other round); medians:`);
    const medians = targets.map((target) => median(target.results.map((r) => r.perSecond)));
    const [bare = Number.NaN, noFaults = Number.NaN, idle = Number.NaN] = medians;
    targets.forEach((target, i) => {
      const perSecond = medians[i] ?? Number.NaN;
      const cpu = target.results.map((r) => r.cpuMicrosPerRequest).filter((c): c is number => c !== undefined);
      const cpuText = cpu.length === 0 ? '' : `  ${median(cpu).toFixed(1).padStart(5)} µs server CPU/request`;
      const all = target.results.map((r) => r.perSecond.toFixed(0)).join(', ');
      console.log(`${target.name.padEnd(26)} ${perSecond.toFixed(0).padStart(7)} req/s  ${(perSecond / bare).toFixed(2)} × bare${cpuText}  (rounds: ${all})`);
    });
    const ratio = idle / noFaults;
    const cpuOf = (target: Target | undefined): number => median(target?.results.flatMap((r) => (r.cpuMicrosPerRequest === undefined ? [] : [r.cpuMicrosPerRequest])) ?? []);
    const cpuRatio = cpuOf(targets[1]) / cpuOf(targets[2]);
    console.log(`idle faults / no faults: ${ratio.toFixed(3)} in req/s, ${cpuRatio.toFixed(3)} in server CPU per request (target ≥ 0.90: ${ratio >= 0.9 ? 'met' : 'NOT met'})`);
  } finally {
    await Promise.all(targets.map((target) => target.child.stop()));
  }
}

await main();
