/**
 * pushsim beside its peers, published as docs/benchmarks.md (`npm run bench` writes it):
 *
 *   1. Senders against nghttpd (nghttp2's C server, TLS; never the limit): pushsim's ApnsSender
 *      (default policies, and policies off), @parse/node-apn and a raw node:http2 loop, all with
 *      token auth and `inFlight` notifications open; then FcmSender and WebPushSender, each next to
 *      a raw loop doing the same protocol work. Every measurement is a fresh `node` process
 *      (peers-client.ts) timing itself: notifications/s over the sending phase, CPU µs per
 *      notification of that phase and of the whole process (start-up and imports included).
 *   2. The mock APNs against a bare node:http2 server under the same h2load command (lib/h2load.ts),
 *      then the mock on 2 worker processes against bare node:http2 as 2 cluster workers (lib/mock-workers.ts).
 *
 * Clients run in interleaved rounds, in reversed order every other round; a comparison is the
 * median of per-round ratios, with their range. These machines are shared and drift: the page
 * records the load average before and after.
 *
 *   node dist/bench/peers.js [count=30000] [rounds=5] [inFlight=100] [h2loadRequests=100000] [--out FILE] [--no-write]
 *
 * `h2loadRequests` 0 skips part 2; `--only=raw-apns,pushsim-apns` runs only those clients and
 * `--cpu-prof-dir=DIR` profiles each client process (`node --cpu-prof`); `--serve=SECONDS` only starts
 * nghttpd with the fixtures, for running and profiling peers-client.js by hand. None writes the page.
 */
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir, totalmem, type as osType } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { peersFixtures } from './lib/peers-fixtures.js';
import { bareTarget, benchPayload, describeH2load, interleave, median, medianCpu, medianPerSecond, mockApnsTarget, pinning, type Target } from './lib/h2load.js';
import { nghttpdBin, startNghttpd, writeDocroot } from './lib/nghttpd.js';
import { mockWorkersSection, mockWorkersTargets } from './lib/mock-workers.js';
import { measureStartup, startupTable } from './lib/startup.js';
import type { StartupRow } from './lib/startup.js';
import { benchmarksPage, keepingSections, section, sectionBody } from './lib/doc-section.js';
import { peersLabels, peersWarmSection as warmSection, type ClientReport, type PeersClient } from './peers-client.js';

const flags = process.argv.slice(2).filter((a) => a.startsWith('--'));
const positional = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--out');
const count = Number(positional[0] ?? 30_000);
const rounds = Number(positional[1] ?? 5);
const inFlight = Number(positional[2] ?? 100);
const h2loadRequests = Number(positional[3] ?? 100_000);
/** Worker processes of the mock (and of its bare yardstick) in the multi-process section. */
const mockWorkers = 2;
const outIndex = process.argv.indexOf('--out');
const outFile = outIndex > 0 ? (process.argv[outIndex + 1] as string) : benchmarksPage;
const only = flags.find((f) => f.startsWith('--only='))?.slice('--only='.length).split(',');
const serveText = flags.find((f) => f.startsWith('--serve='))?.slice('--serve='.length);
const serveSeconds = serveText === undefined ? undefined : Number(serveText);
const profileDir = flags.find((f) => f.startsWith('--cpu-prof-dir='))?.slice('--cpu-prof-dir='.length);
// A partial run never overwrites the published page.
const write = !flags.includes('--no-write') && only === undefined && profileDir === undefined && serveSeconds === undefined;

const groups: readonly { readonly title: string; readonly yardstick: PeersClient; readonly clients: readonly PeersClient[] }[] = [
  { title: 'APNs (token auth)', yardstick: 'raw-apns', clients: ['raw-apns', 'raw-apns-id', 'node-apn', 'pushsim-apns', 'pushsim-apns-bare'] },
  { title: 'FCM HTTP v1 (OAuth2 bearer, JSON body per message)', yardstick: 'raw-fcm', clients: ['raw-fcm', 'pushsim-fcm'] },
  { title: 'Web Push (VAPID, aes128gcm encryption per message)', yardstick: 'raw-webpush', clients: ['raw-webpush', 'pushsim-webpush'] },
];

function runClient(client: PeersClient, fixturesFile: string): Promise<ClientReport> {
  const script = fileURLToPath(new URL('./peers-client.js', import.meta.url));
  const nodeArgs = [...(profileDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `${client}-${Date.now()}.cpuprofile`]), script, client, fixturesFile, String(count), String(inFlight)];
  const [command, args] = pinning === undefined ? [process.execPath, nodeArgs] : ['taskset', ['-c', String(pinning.client), process.execPath, ...nodeArgs]];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000);
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${client} exited with ${code ?? signal}: ${out}`));
      resolve(JSON.parse(out.trim().split('\n').pop() as string) as ClientReport);
    });
  });
}

const perSecond = (r: ClientReport): number => (r.count / r.wallMs) * 1000;
const sendCpu = (r: ClientReport): number => r.sendCpuMicros / r.count;
const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const range = (values: readonly number[]): string => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;

function machine(): string[] {
  const cpu = cpus();
  return [
    `- CPU: ${cpu[0]?.model.trim() ?? 'unknown'}, ${cpu.length} logical cores; ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`,
    `- OS: ${osType()} ${release()}; Node ${process.version}; ${execVersion(nghttpdBin)}; ${execVersion('/usr/bin/h2load')}`,
    pinning === undefined ? '- CPU pinning: none (taskset not found)' : `- CPU pinning (taskset): clients and h2load on CPU ${pinning.client}, nghttpd and servers under h2load on CPU ${pinning.server}`,
  ];
}

function execVersion(bin: string): string {
  const line = spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout?.split('\n')[0]?.trim();
  return line ? line : `${bin} (version unknown)`;
}

// Ctrl-C or a kill still stops nghttpd and the servers (their 'exit' hooks run on process.exit).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(signal === 'SIGINT' ? 130 : 143));

/** Every client, in interleaved rounds, against one nghttpd; undefined in --serve mode. */
async function measureSenders(dir: string): Promise<Map<PeersClient, ClientReport[]> | undefined> {
  const results = new Map<PeersClient, ClientReport[]>();
  const docrootDir = join(dir, 'htdocs');
  // Fixtures hold the origin, known once nghttpd runs: start it, then write its files.
  const server = await startNghttpd(docrootDir, dir);
  try {
    const { file, docroot } = await peersFixtures(dir, server.origin, server.ca);
    await writeDocroot(docrootDir, docroot);
    if (serveSeconds !== undefined) {
      console.log(`nghttpd on ${server.origin} for ${serveSeconds} s; run a client by hand:\n  node dist/bench/peers-client.js <client> ${file} ${count} ${inFlight}`);
      await new Promise((resolve) => setTimeout(resolve, serveSeconds * 1000));
      return undefined;
    }
    const order = groups.flatMap((g) => g.clients).filter((c) => only === undefined || only.includes(c));
    for (let round = 0; round < rounds; round++) {
      for (const client of round % 2 === 0 ? order : [...order].reverse()) {
        const report = await runClient(client, file);
        if (report.ok !== report.count) throw new Error(`${client}: only ${report.ok} of ${report.count} notifications succeeded`);
        results.set(client, [...(results.get(client) ?? []), report]);
        console.log(`round ${round + 1}/${rounds} ${client.padEnd(18)} ${fmt(perSecond(report)).padStart(7)}/s  ${sendCpu(report).toFixed(1)} µs CPU each`);
      }
    }
    return results;
  } finally {
    await server.stop();
  }
}

/** The mock APNs beside a bare node:http2 server under h2load (none when h2loadRequests is 0). */
async function measureMock(dir: string): Promise<Target[]> {
  if (h2loadRequests === 0) return [];
  const targets: Target[] = [bareTarget(), mockApnsTarget('mock APNs (validating, token auth)', [])];
  const payloadFile = join(dir, 'payload.json');
  await writeFile(payloadFile, benchPayload);
  await interleave(targets, { rounds, requests: h2loadRequests, payloadFile });
  return targets;
}

/** `pushsim mock apns --workers 2` beside bare node:http2 as 2 cluster workers (lib/mock-workers.ts); none when h2loadRequests is 0. */
async function measureMockWorkers(dir: string): Promise<Target[]> {
  if (h2loadRequests === 0) return [];
  const targets = mockWorkersTargets(mockWorkers);
  const payloadFile = join(dir, 'payload.json');
  await writeFile(payloadFile, benchPayload);
  await interleave(targets, { rounds, requests: h2loadRequests, payloadFile });
  return targets;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-peers-'));
  // Also when interrupted (the signal handlers above exit, which skips `finally`).
  const removeDir = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  try {
    const loadBefore = loadavg();
    const started = new Date();
    const results = await measureSenders(dir);
    if (results === undefined) return;
    const targets = await measureMock(dir);
    const workerTargets = await measureMockWorkers(dir);
    const startup = write ? await measureStartup(rounds) : [];
    const previous = write ? await readFile(outFile, 'utf8').catch(() => '') : '';
    const page = renderPage(results, targets, workerTargets, startup, { started, loadBefore, loadAfter: loadavg(), previousWarm: sectionBody(previous, warmSection) });
    console.log(`\n${page}`);
    if (write) {
      await mkdir(dirname(outFile), { recursive: true });
      // Other benches' sections (the hour's soak, which npm run bench does not run) stay on the page.
      await writeFile(outFile, keepingSections(previous, page));
      console.log(`wrote ${outFile}`);
    }
  } finally {
    process.off('exit', removeDir);
    removeDir();
  }
}

function renderPage(results: ReadonlyMap<PeersClient, ClientReport[]>, targets: readonly Target[], workerTargets: readonly Target[], startup: readonly StartupRow[], when: { started: Date; loadBefore: number[]; loadAfter: number[]; previousWarm: string | undefined }): string {
  const lines: string[] = [];
  const of = (client: PeersClient): ClientReport[] => results.get(client) ?? [];
  // Per round: a client's rate over the yardstick's, and the yardstick's CPU per notification over the client's.
  const ratios = (a: PeersClient, b: PeersClient): number[] => of(a).map((r, i) => perSecond(r) / perSecond(of(b)[i] as ClientReport));
  const cpuRatios = (a: PeersClient, b: PeersClient): number[] => of(a).map((r, i) => sendCpu(of(b)[i] as ClientReport) / sendCpu(r));
  const load = (l: number[]): string => l.map((v) => v.toFixed(2)).join(' / ');
  lines.push(
    '# Benchmarks: pushsim beside its peers',
    '',
    `Generated by \`npm run bench\` (\`node dist/bench/peers.js ${count} ${rounds} ${inFlight} ${h2loadRequests}\`) on ${when.started.toISOString().slice(0, 10)}. Do not edit by hand: run it again.`,
    '',
    '## The machine',
    ...machine(),
    `- Load average (1 / 5 / 15 min): ${load(when.loadBefore)} before, ${load(when.loadAfter)} after`,
    '',
    'Absolute numbers move 15–25 % from minute to minute on shared machines; the ratios, measured in the same rounds, are what to compare.',
    ...(Math.max(when.loadBefore[0] ?? 0, when.loadAfter[0] ?? 0) > cpus().length
      ? ['', `**The machine was busy** (1-minute load average above its ${cpus().length} cores): other processes took CPU time in the middle of measurements, so throughput ratios spread widely; the CPU ratios are steadier. Rerun on a quiet machine for numbers to quote.`]
      : []),
    '',
    '## Senders against nghttpd',
    '',
    `Every client sends ${fmt(count)} notifications over TLS to nghttpd (nghttp2's C server, which answers from a document root and is never the limit), keeping ${inFlight} open, from one HTTP/2 connection, in a fresh \`node\` process per measurement, ${rounds} interleaved rounds (order reversed every other round). Each process times itself: notifications/s over the sending phase, CPU (\`process.cpuUsage()\`) per notification for that phase, and for the whole process from start (imports, key loading and the TLS handshake included). Medians over rounds; "× yardstick" is the median of per-round ratios, with their range.`,
    '',
  );
  for (const group of groups) {
    if (of(group.yardstick).length === 0) continue;
    lines.push(
      `### ${group.title}`,
      '',
      '| client | notifications/s | × yardstick (range) | CPU µs/notification, sending | yardstick CPU ÷ this CPU (range) | CPU µs/notification, whole process |',
      '|---|---:|---:|---:|---:|---:|',
    );
    for (const client of group.clients.filter((c) => of(c).length > 0)) {
      const reports = of(client);
      const r = ratios(client, group.yardstick);
      const c = cpuRatios(client, group.yardstick);
      lines.push(
        `| ${peersLabels[client]} | ${fmt(median(reports.map(perSecond)))} | ${median(r).toFixed(2)} (${range(r)}) | ${median(reports.map(sendCpu)).toFixed(1)} | ${median(c).toFixed(2)} (${range(c)}) | ${median(reports.map((x) => x.processCpuMicros / x.count)).toFixed(1)} |`,
      );
    }
    lines.push('');
  }
  if (of('pushsim-apns').length > 0 && of('node-apn').length > 0) {
    const apnVsNodeApn = ratios('pushsim-apns', 'node-apn');
    lines.push(`pushsim \`ApnsSender\` (default policies) ÷ @parse/node-apn, notifications/s: **${median(apnVsNodeApn).toFixed(2)}×** (range ${range(apnVsNodeApn)}).`, '');
  }
  if (of('pushsim-apns').length > 0 && of('raw-apns-id').length > 0) {
    const apnVsRawId = ratios('pushsim-apns', 'raw-apns-id');
    const cpuVsRawId = cpuRatios('pushsim-apns', 'raw-apns-id');
    lines.push(
      `pushsim \`ApnsSender\` (default policies) ÷ the raw loop with an apns-id, notifications/s: **${median(apnVsRawId).toFixed(2)}×** (range ${range(apnVsRawId)}); that loop's CPU per notification ÷ pushsim's: ${median(cpuVsRawId).toFixed(2)} (range ${range(cpuVsRawId)}). The yardstick row above sends no apns-id, which pushsim must (one identity per notification across retries, the ledger's duplicate check): both ratios are on the page.`,
      '',
    );
  }
  lines.push(
    'What each client does per notification:',
    '- raw loops: `session.request()` with headers built from constants, `stream.end(body)`, `response`, `data`, `error` and `close` listeners; the token (APNs JWT, FCM access token, VAPID JWT) signed once. The APNs yardstick sends no apns-id; the second APNs row adds `crypto.randomUUID()` as apns-id per notification (the same HTTP/2 work as pushsim: one more header, a fresh value each time). The FCM loop serializes the message per notification and parses the answer\'s message name; the Web Push loop encrypts every message (a fresh ECDH key and salt, `http_ece`), as RFC 8291 requires.',
    '- @parse/node-apn: one `Notification` (payload compiled once, cached by node-apn) sent with `provider.send(note, token)`; no apns-id.',
    '- pushsim: `sender.send({ token, topic, payload })` through the whole sender: notification checks, a fresh apns-id (sent never-indexed in HPACK, so it does not churn the dynamic table; the raw loop with an apns-id sends it with incremental indexing, the default of node:http2), the retry and circuit-breaker interceptors (unless off), token auth, the pooled HTTP/2 transport with request deadlines, GOAWAY/REFUSED_STREAM replay, and an outcome object per notification.',
    '',
  );
  // peers-warm.js measures the same APNs clients warm and writes this section after this page; until
  // it runs again, the page keeps its last measurement in place.
  lines.push(section(warmSection, when.previousWarm ?? 'Not measured yet: `node dist/bench/peers-warm.js` (run by `npm run bench` after this page) writes this section.'), '');
  if (targets.length > 0) {
    lines.push(
      '## The mock APNs under h2load',
      '',
      `\`${describeH2load(h2loadRequests)}\` against each server in a child process, ${rounds} interleaved rounds, each on a fresh server warmed up with an uncounted run (bench/lib/h2load.ts). The bare \`node:http2\` server only reads the body and answers 200 with an apns-id: the ceiling for a node:http2 server here. It is sent the same request, a provider token of the same shape included (signed with a key of its own; nghttp2 never indexes \`authorization\`, so every receiver decodes it on every request).`,
      '',
      '| server | requests/s | × bare (range) | server CPU µs/request |',
      '|---|---:|---:|---:|',
    );
    const bare = targets[0] as Target;
    for (const target of targets) {
      const r = target.results.map((x, i) => x.perSecond / ((bare.results[i]?.perSecond as number) ?? Number.NaN));
      lines.push(`| ${target.name} | ${fmt(medianPerSecond(target))} | ${median(r).toFixed(2)} (${range(r)}) | ${medianCpu(target).toFixed(1)} |`);
    }
    lines.push('');
  }
  if (workerTargets.length > 0) lines.push(...mockWorkersSection(workerTargets, mockWorkers, h2loadRequests, rounds));
  if (startup.length > 0) {
    lines.push(
      '## Start-up',
      '',
      `What a CI step that calls \`pushsim report\`, \`merge\` or \`compare\`, or a script that imports the sender, pays before it does anything: each command as a fresh process, ${rounds} measured runs after one unmeasured (bench/lib/startup.ts; \`report\` renders the text summary of a 2,000-notification run). Commands load only what they use (each command's action is imported when it runs), and \`pushsim/sender\` is the senders without the mocks, the runner or the reports.`,
      '',
      ...startupTable(startup),
      '',
    );
  }
  lines.push(
    '## Run it yourself',
    '',
    'Install the nghttp2 tools (Debian/Ubuntu) and run the benchmarks from a clone:',
    '',
    '```sh',
    'sudo apt-get install nghttp2-client nghttp2-server   # h2load and nghttpd',
    'npm ci',
    'npm run bench                                        # all benchmarks; rewrites this page',
    `node dist/bench/peers.js ${count} ${rounds} ${inFlight} ${h2loadRequests} --no-write  # only this page's measurements, printed`,
    '```',
    '',
    'On a quiet machine with at least 2 cores; `taskset` (util-linux) keeps clients and servers on separate cores when present. See bench/README.md for the other benchmarks.',
    '',
  );
  return lines.join('\n');
}

await main();
