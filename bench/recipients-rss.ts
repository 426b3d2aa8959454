/**
 * Memory of a real-provider run with recipients from a large file (issue 16): a scenario that
 * targets https://api.sandbox.push.apple.com and fcm.googleapis.com, with recipients from a CSV of
 * `rows` rows (default 1,000,000; half APNs device tokens, half FCM registration tokens, a few of
 * each dead), run as `pushsim run` in its own process against the mock APNs and mock FCM of this
 * process, the host names redirected (`node --import pushsim/redirect`, PUSHSIM_REDIRECT, the mocks'
 * CA through NODE_EXTRA_CA_CERTS), the caps raised on the command line as a user would
 * (`--max-notifications`, `--max-rate`, `--allow-production`).
 *
 *   node dist/bench/recipients-rss.js [rows=1000000] [count=100000] [inFlight=500] [--rate N] [--keep DIR] [--compare ROUNDS --percents 0,100]
 *
 * Prints the run process's peak RSS (ru_maxrss of every thread of it, the number `/usr/bin/time -v`
 * calls "Maximum resident set size"; the mocks are in this process and not counted), what the run
 * sent (exactly the capped count, no warm-up: the mocks' ledgers count no more than the run), the
 * tokens to prune it reported, and the measured run's CPU per notification (every thread,
 * bench/lib/report-cpu.ts). A real-provider run sends from one thread (no --workers). `--rate N`
 * sends at the scenario's constant rate N/s instead of the closed model's `inFlight`.
 *
 * --compare ROUNDS: heap growth settings (PUSHSIM_HEAP_GROWING_PERCENT, cli/heap-growth.ts; 0 is
 * V8's own) in interleaved rounds: max RSS, CPU µs per notification and notifications/s, each
 * against the first setting as the medians of the per-round ratios and their range.
 *
 * Not part of `npm run bench`: writing the file and sending take a minute or more.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Result } from '../reports/result.js';
import { startMockApns } from '../simulator/apns/server.js';
import { startMockFcm } from '../simulator/fcm/index.js';
import { generateCertificateAuthority } from '../simulator/tls.js';
import { cpuAt, type CpuSamples } from './lib/report-cpu.js';

const positional = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith('--') && !all[i - 1]?.startsWith('--'));
const flag = (name: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
};
const rows = Number(positional[0] ?? 1_000_000);
const count = Number(positional[1] ?? 100_000);
const inFlight = Number(positional[2] ?? 500);
const keep = flag('keep');
/** --rate N: the scenario's own constant arrival rate (what a sandbox scenario uses) instead of the closed model's inFlight. */
const rate = flag('rate') === undefined ? undefined : Number(flag('rate'));
const compareRounds = process.argv.includes('--compare') ? Number(flag('compare') ?? 3) : undefined;

interface Measured {
  readonly rss: { readonly maxRssKiB: number; readonly atPeak: NodeJS.MemoryUsage; readonly atExit: NodeJS.MemoryUsage };
  readonly result: Result;
  readonly delivered: number;
  readonly stdout: string;
  readonly cpuPerNotification: number;
  readonly perSecond: number;
}

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = keep ?? (await mkdtemp(join(tmpdir(), 'pushsim-rss-')));

/** Row i: an APNs device token (even i) or an FCM registration token (odd i), and a name. */
const apnsToken = (i: number): string => i.toString(16).padStart(64, '0');
const fcmToken = (i: number): string => `inst${i.toString(36).padStart(7, '0')}:APA91b${'x'.repeat(134)}${i.toString(36).padStart(8, '0')}`;
/** The first three rows of each kind are dead: the result lists them as tokens to prune. */
const deadApns = [0, 2, 4].map(apnsToken);
const deadFcm = [1, 3, 5].map(fcmToken);

async function writeRecipients(path: string): Promise<void> {
  const out = createWriteStream(path);
  out.write('apnsToken,fcmToken,name\n');
  let chunk = '';
  for (let i = 0; i < rows; i++) {
    chunk += i % 2 === 0 ? `${apnsToken(i)},,user ${i}\n` : `,${fcmToken(i)},user ${i}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
}

const ca = await generateCertificateAuthority();
const apns = await startMockApns({ impersonate: true, ca, unregistered: deadApns });
const fcm = await startMockFcm({ impersonate: true, ca, unregistered: deadFcm, projectQuota: false, deviceQuotas: false });
try {
  const csv = join(dir, 'users.csv');
  const t0 = performance.now();
  await writeRecipients(csv);
  console.log(`${rows.toLocaleString('en-US')} rows written to ${csv} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await writeFile(join(dir, 'ca.pem'), ca.cert);
  await writeFile(join(dir, 'AuthKey.p8'), apns.credentials.privateKey, { mode: 0o600 });
  await writeFile(join(dir, 'service-account.json'), JSON.stringify({ ...fcm.serviceAccount, token_uri: 'https://oauth2.googleapis.com/token' }), { mode: 0o600 });
  const scenario = join(dir, 'million.yaml');
  await writeFile(
    scenario,
    [
      'name: million-recipients',
      'target:',
      '  apns: { url: https://api.sandbox.push.apple.com }',
      '  fcm: { allowProduction: true }',
      `load: { rate: ${rate ?? 1000}, count: ${count} }`,
      'recipients: { file: users.csv }',
      "notification: { topic: com.example.app, title: 'Hello {{name}}' }",
      '',
    ].join('\n'),
  );
  const port = (url: string): string => new URL(url).port;
  const env = {
    PATH: process.env['PATH'] ?? '',
    NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
    PUSHSIM_REDIRECT: `api.sandbox.push.apple.com=127.0.0.1:${port(apns.url)},fcm.googleapis.com=127.0.0.1:${port(fcm.url)},oauth2.googleapis.com=127.0.0.1:${port(fcm.url)}`,
    APNS_KEY_FILE: join(dir, 'AuthKey.p8'),
    APNS_KEY_ID: apns.credentials.keyId,
    APNS_TEAM_ID: apns.credentials.teamId,
    GOOGLE_APPLICATION_CREDENTIALS: join(dir, 'service-account.json'),
  };
  /** One `pushsim run` in its own process; `extraEnv` on top of the run's environment. */
  const runOnce = async (extraEnv: Record<string, string>, print: boolean): Promise<Measured> => {
    const out = join(dir, 'out');
    const args = [
      // To look inside the run: PUSHSIM_BENCH_NODE_FLAGS='--trace-gc' or '--heap-prof --heap-prof-dir=DIR'.
      ...(process.env['PUSHSIM_BENCH_NODE_FLAGS']?.split(' ').filter((f) => f !== '') ?? []),
      '--import', join(root, 'dist/bench/lib/report-rss.js'),
      '--import', join(root, 'dist/bench/lib/report-cpu.js'),
      '--import', join(root, 'dist/simulator/redirect/register.js'),
      join(root, 'dist/cli/bin.js'), 'run', scenario, '--out', out, '--quiet', '--no-fail-on-overload',
      ...(rate === undefined ? ['--in-flight', String(inFlight)] : []),
      '--max-notifications', String(count), '--max-rate', '1000000', '--allow-production',
    ];
    if (print) console.log(`node ${args.map((a) => a.replace(root, '').replace(dir, '$DIR')).join(' ')}`);
    const before = { apns: apns.ledger.summary().delivered, fcm: fcm.ledger.summary().delivered };
    const rssFile = join(dir, 'rss.json');
    const cpuFile = join(dir, 'cpu.json');
    const child = spawn(process.execPath, args, { env: { ...env, ...extraEnv, PUSHSIM_BENCH_RSS_FILE: rssFile, PUSHSIM_BENCH_CPU_FILE: cpuFile }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const [code] = (await once(child, 'exit')) as [number | null];
    if (keep !== undefined) await writeFile(join(dir, 'run-stdout.txt'), stdout);
    if (code !== 0) throw new Error(`pushsim run exited ${String(code)}:\n${stdout}\n${stderr}`);
    const rss = JSON.parse(await readFile(rssFile, 'utf8')) as Measured['rss'];
    const cpu = JSON.parse(await readFile(cpuFile, 'utf8')) as CpuSamples;
    const result = JSON.parse(await readFile(join(out, 'result.json'), 'utf8')) as Result;
    const delivered = apns.ledger.summary().delivered - before.apns + (fcm.ledger.summary().delivered - before.fcm);
    const startedAt = Date.parse(result.startedAt);
    // The measured run alone: the validation pass over the whole file comes before it.
    const cpuMicros = cpuAt(cpu, startedAt + result.durationMs) - cpuAt(cpu, startedAt);
    return { rss, result, delivered, stdout, cpuPerNotification: cpuMicros / result.counts.scheduled, perSecond: result.counts.scheduled / (result.durationMs / 1000) };
  };

  const mib = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
  if (compareRounds === undefined) {
    // PUSHSIM_HEAP_GROWING_PERCENT of this shell goes on to the run (the run's environment is built, not inherited).
    const growing = process.env['PUSHSIM_HEAP_GROWING_PERCENT'];
    const { rss, result, delivered, stdout, cpuPerNotification, perSecond } = await runOnce(growing === undefined ? {} : { PUSHSIM_HEAP_GROWING_PERCENT: growing }, true);
    console.log(stdout.split('\n').filter((line) => /REAL PUSHES|prune|delivered by/i.test(line)).join('\n'));
    const usage = (m: NodeJS.MemoryUsage): string => `RSS ${mib(m.rss)}, heap used ${mib(m.heapUsed)} of ${mib(m.heapTotal)}, external ${mib(m.external)}, array buffers ${mib(m.arrayBuffers)} MiB`;
    console.log(`pushsim run process: max RSS ${mib(rss.maxRssKiB * 1024)} MiB (ru_maxrss, every thread)`);
    console.log(`  main thread at the sampled peak: ${usage(rss.atPeak)}`);
    console.log(`  main thread at exit:             ${usage(rss.atExit)}`);
    console.log(`sent ${result.counts.scheduled} (cap ${count}), accepted ${result.counts.accepted}, rejected ${result.counts.rejected}, failed ${result.counts.failed}; the mocks delivered ${delivered} (a warm-up would add to it)`);
    console.log(`measured run: ${perSecond.toFixed(0)}/s, ${cpuPerNotification.toFixed(1)} CPU µs per notification (every thread)`);
    console.log(`tokens to prune: ${(result.tokensToPrune ?? []).map((t) => `${t.provider}:${t.token.slice(0, 12)}…`).join(' ')}`);
    console.log(`real pushes: ${JSON.stringify(result.realPushes)}`);
  } else {
    // Heap growth settings (PUSHSIM_HEAP_GROWING_PERCENT; 0 is V8's own choice, the first is the
    // yardstick) in interleaved rounds, the order rotating each round.
    const percents = (flag('percents') ?? '0,100').split(',').map((p) => p.trim());
    const rows = new Map<string, Measured[]>(percents.map((p) => [p, []]));
    console.log('round  growing %   max RSS MiB   CPU µs/notif   notif/s');
    for (let round = 0; round < compareRounds; round++) {
      const order = percents.map((_, i) => percents[(i + round) % percents.length] as string);
      for (const percent of order) {
        const m = await runOnce({ PUSHSIM_HEAP_GROWING_PERCENT: percent }, round === 0 && percent === order[0]);
        rows.get(percent)?.push(m);
        console.log(`${String(round + 1).padStart(5)}  ${percent.padStart(9)}   ${mib(m.rss.maxRssKiB * 1024).padStart(11)}   ${m.cpuPerNotification.toFixed(1).padStart(12)}   ${m.perSecond.toFixed(0).padStart(7)}`);
      }
    }
    const median = (values: number[]): string => {
      const sorted = [...values].sort((a, b) => a - b);
      return `${(sorted[Math.floor(sorted.length / 2)] as number).toFixed(2)} (range ${(sorted[0] as number).toFixed(2)}–${(sorted.at(-1) as number).toFixed(2)})`;
    };
    const base = rows.get(percents[0] as string) as Measured[];
    for (const percent of percents.slice(1)) {
      const ms = rows.get(percent) as Measured[];
      const ratio = (pick: (m: Measured) => number): string => median(ms.map((m, i) => pick(m) / pick(base[i] as Measured)));
      console.log(`${percent} ÷ ${percents[0]}, medians of per-round ratios: max RSS ${ratio((m) => m.rss.maxRssKiB)}, CPU per notification ${ratio((m) => m.cpuPerNotification)}, notifications/s ${ratio((m) => m.perSecond)}`);
    }
  }
} finally {
  await Promise.all([apns.close(), fcm.close()]);
  if (keep === undefined) await rm(dir, { recursive: true, force: true });
}
