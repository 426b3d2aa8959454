/**
 * The hostile-input campaign: well over 1,500 malformed or hostile inputs against every surface a
 * user or a client can reach — the three mocks over HTTP/2, the control API, the fault proxy,
 * scenario and fault files, CLI flags, credentials, result files — each judged:
 *
 *   ok        refused cleanly (a documented 4xx, exit 2/3/104 with a message) or accepted correctly
 *   hang      no answer, or the command did not end, within its time
 *   bug       HTTP 500, exit 1, "please report it", or an exception other than InvalidConfigError
 *   stack     a stack trace shown to the user
 *   leak      a server, timer or socket left behind, or memory that stayed grown
 *   wrong     accepted what must be refused (a key left world-readable, a bad CA taken, …)
 *
 * Prints a table of counts per surface and verdict, then the first findings; exits 1 on any.
 * Inputs come from bench/lib/hostile-inputs.ts (shared with the fuzz suite), sampled with `seed`.
 * Bounded: each request 15 s, each command 30 s; the whole run takes a few minutes.
 *
 *   node --expose-gc dist/bench/hostile-campaign.js [seed=11]
 */
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { connect, constants } from 'node:http2';
import type { ClientHttp2Session } from 'node:http2';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { main } from '../cli/pushsim.js';
import { renderReport } from '../cli/commands/report-action.js';
import { compareResults } from '../reports/compare.js';
import { initHistograms } from '../reports/histogram.js';
import { readResult } from '../reports/json.js';
import { mergeResults } from '../reports/merge.js';
import { ResultCollector } from '../reports/result.js';
import { parseResult } from '../reports/result-parse.js';
import type { Result } from '../reports/result.js';
import { parseScenario } from '../scenarios/file.js';
import { startMockApns } from '../simulator/apns/server.js';
import { startControlServer } from '../simulator/control/server.js';
import { FaultEngine } from '../simulator/faults/engine.js';
import { parseFaultsDocument } from '../simulator/faults/spec-file.js';
import { startMockFcm } from '../simulator/fcm/server.js';
import { startFaultProxy } from '../simulator/proxy/proxy.js';
import { startMockWebPush } from '../simulator/webpush/server.js';
import { faultSpecText, hostileValue, mockRequest, scenarioText, yamlAttacks } from './lib/hostile-inputs.js';
import type { HostileRequest } from './lib/hostile-inputs.js';

const seed = Number(process.argv[2] ?? 11);
const verdicts = ['ok', 'hang', 'bug', 'stack', 'leak', 'wrong'] as const;
type Verdict = (typeof verdicts)[number];

const counts = new Map<string, Map<Verdict, number>>();
const findings: string[] = [];
function record(surface: string, verdict: Verdict, detail = ''): void {
  const row = counts.get(surface) ?? new Map<Verdict, number>();
  row.set(verdict, (row.get(verdict) ?? 0) + 1);
  counts.set(surface, row);
  if (verdict !== 'ok') findings.push(`${surface}: ${verdict}: ${detail.slice(0, 300)}`);
}
const sample = <T>(arbitrary: fc.Arbitrary<T>, numRuns: number, salt: number): T[] => fc.sample(arbitrary, { seed: seed * 1000 + salt, numRuns });
const isInvalidConfig = (error: unknown): boolean => (error as { code?: unknown }).code === 'PUSHSIM_ERR_INVALID_CONFIG';
const rssMb = (): number => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 1e6;
};
const within = async <T>(ms: number, work: Promise<T>): Promise<T | 'timeout'> => {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([work, new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)))]);
  clearTimeout(timer);
  return result;
};

// ---------- HTTP/2 requests --------------------------------------------------------------------

type Answer = { status: number } | { reset: number } | 'refused-by-client' | 'no answer';

function h2Request(sessionOf: () => ClientHttp2Session, request: HostileRequest, timeoutMs = 15_000): Promise<Answer> {
  const body = request.method === 'HEAD' ? undefined : request.body; // node:http2 ends HEAD streams itself
  return new Promise((resolve) => {
    let stream;
    try {
      stream = sessionOf().request({ ':method': request.method, ':path': request.path, ...request.headers }, { endStream: body === undefined });
    } catch {
      return resolve('refused-by-client');
    }
    let status: number | undefined;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      stream.close(constants.NGHTTP2_CANCEL);
    }, timeoutMs);
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.on('data', () => {});
    stream.on('error', () => {});
    stream.on('close', () => {
      clearTimeout(timer);
      resolve(timedOut ? 'no answer' : status !== undefined ? { status } : { reset: stream.rstCode ?? -1 });
    });
    if (body !== undefined) stream.end(body);
  });
}

function sessions(url: string, ca?: string): { get: () => ClientHttp2Session; close: () => void } {
  let session: ClientHttp2Session | undefined;
  return {
    get: () => {
      if (session === undefined || session.closed || session.destroyed) {
        session = connect(url, ca === undefined ? {} : { ca });
        session.on('error', () => {});
      }
      return session;
    },
    close: () => session?.destroy(),
  };
}

function judgeAnswer(surface: string, what: string, answer: Answer): void {
  if (answer === 'no answer') record(surface, 'hang', what);
  else if (typeof answer === 'object' && 'status' in answer && answer.status >= 500) record(surface, 'bug', `${what} → ${answer.status}`);
  else if (typeof answer === 'object' && 'reset' in answer && answer.reset === constants.NGHTTP2_INTERNAL_ERROR) record(surface, 'bug', `${what} → RST INTERNAL_ERROR`);
  else record(surface, 'ok');
}

/** Streams `megabytes` of body in 64 KiB chunks, respecting flow control; resolves with the status. */
function hugePost(url: string, path: string, megabytes: number, ca?: string): Promise<number | undefined> {
  const session = connect(url, ca === undefined ? {} : { ca });
  session.on('error', () => {});
  return new Promise((resolve) => {
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/json' });
    let status: number | undefined;
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x7b);
    const timer = setTimeout(() => stream.close(constants.NGHTTP2_CANCEL), 60_000);
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.on('data', () => {});
    stream.on('error', () => {});
    stream.on('close', () => {
      clearTimeout(timer);
      session.destroy();
      resolve(status);
    });
    const pump = (): void => {
      while (sent < megabytes * 1e6 && !stream.closed && !stream.destroyed) {
        sent += chunk.length;
        if (!stream.write(chunk)) return void stream.once('drain', pump);
      }
      if (!stream.closed && !stream.destroyed) stream.end();
    };
    pump();
  });
}

async function mockSurface(surface: string, start: () => Promise<{ url: string; ca?: string | undefined; close(): Promise<void> }>, provider: 'apns' | 'fcm' | 'webpush', count: number, salt: number, hugePath: string): Promise<void> {
  const mock = await start();
  const client = sessions(mock.url, mock.ca);
  const before = rssMb();
  for (const request of sample(mockRequest(provider), count, salt)) judgeAnswer(surface, `${request.method} ${request.path.slice(0, 60)}`, await h2Request(client.get, request));
  const huge = await hugePost(mock.url, hugePath, 100, mock.ca);
  judgeAnswer(surface, `100 MB POST ${hugePath}`, huge === undefined ? { reset: 0 } : { status: huge });
  client.close();
  const grown = rssMb() - before;
  record(surface, grown > 100 ? 'leak' : 'ok', `RSS grew ${grown.toFixed(0)} MB over the run`);
  const closed = await within(20_000, mock.close());
  record(surface, closed === 'timeout' ? 'hang' : 'ok', 'close() did not settle');
}

// ---------- the control API and the fault proxy ------------------------------------------------

async function controlSurface(count: number): Promise<void> {
  const surface = 'control API';
  const engine = new FaultEngine({ spec: { faults: [{ kind: 'outage', id: 'down' }] }, tickMs: 0 });
  const control = await startControlServer({ engine });
  const routes = ['POST /faults', 'PUT /faults/down', 'PATCH /faults/down', 'GET /faults/down', 'DELETE /faults/nope', 'POST /reset', 'GET /ledger/records', 'GET /timeline', 'PATCH /faults/nope', 'GET /metrics'] as const;
  const bodies = fc.oneof(
    hostileValue.map((v) => JSON.stringify(v) ?? 'null'),
    fc.constantFrom('null', '5', '[]', '"x"', 'true', '{', '{"kind":', '', '{"kind":"latency","distribution":{"kind":"fixed","ms":1e308}}', `{"kind":"outage","id":"${'x'.repeat(100_000)}"}`, '{"kind":"error","match":{"token":"(a+)+$"}}'),
    fc.string({ maxLength: 100 }),
  );
  const inputs = sample(fc.tuple(fc.constantFrom(...routes), bodies, fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-8', ''), fc.constantFrom('', '?limit=5', '?limit=-1', '?limit=0x10', '?limit=99999999')), count, 1);
  for (const [route, body, type, query] of inputs) {
    const [method, path] = route.split(' ') as [string, string];
    const hasBody = method !== 'GET' && method !== 'DELETE';
    const answer = await within(15_000, fetch(`${control.url}${path}${query}`, { method, ...(hasBody && { body, headers: type === '' ? {} : { 'content-type': type } }) }).then((r) => r.status, () => 0));
    if (answer === 'timeout') record(surface, 'hang', `${method} ${path}`);
    else if (answer >= 500) record(surface, 'bug', `${method} ${path}${query} ${body.slice(0, 80)} → ${answer}`);
    else record(surface, 'ok');
  }
  record(surface, (await within(20_000, control.close())) === 'timeout' ? 'hang' : 'ok', 'close() did not settle');
  engine.close();
}

async function proxySurface(count: number): Promise<void> {
  const surface = 'fault proxy';
  const mock = await startMockApns({});
  const proxy = await startFaultProxy({ upstream: mock.url, tls: false, faults: { seed: 1, faults: [{ kind: 'error', apns: 'InternalServerError', match: { token: '^f' } }] } });
  const client = sessions(proxy.url);
  for (const request of sample(mockRequest('apns'), count, 2)) {
    const answer = await h2Request(client.get, request);
    // 500 InternalServerError is injected on purpose for tokens starting with f: only other 5xx are bugs.
    const injected = request.path.startsWith('/3/device/f') && typeof answer === 'object' && 'status' in answer && answer.status === 500;
    judgeAnswer(surface, `${request.method} ${request.path.slice(0, 60)}`, injected ? { status: 200 } : answer);
  }
  client.close();
  const before = rssMb();
  const status = await hugePost(proxy.url, `/3/device/${'ab'.repeat(32)}`, 100);
  const grown = rssMb() - before;
  record(surface, status === 413 ? 'ok' : 'wrong', `100 MB POST answered ${status}`);
  record(surface, grown > 50 ? 'leak' : 'ok', `a 100 MB POST grew the proxy's process by ${grown.toFixed(0)} MB`);
  record(surface, (await within(20_000, proxy.close())) === 'timeout' ? 'hang' : 'ok', 'close() did not settle');
  await mock.close();
}

// ---------- documents in-process ---------------------------------------------------------------

function documentSurface(surface: string, texts: readonly string[], parse: (text: string) => unknown): string[] {
  const refused: string[] = [];
  for (const text of texts) {
    const started = performance.now();
    try {
      parse(text);
      record(surface, 'ok');
    } catch (error) {
      if (isInvalidConfig(error)) {
        record(surface, 'ok');
        refused.push(text);
      } else record(surface, 'bug', `${(error as Error).name}: ${(error as Error).message} for ${JSON.stringify(text.slice(0, 100))}`);
    }
    const ms = performance.now() - started;
    if (ms > 10_000) record(surface, 'hang', `${ms.toFixed(0)} ms for ${JSON.stringify(text.slice(0, 100))}`);
  }
  return refused;
}

async function resultSurface(count: number, dir: string): Promise<Result> {
  const surface = 'result files';
  await initHistograms();
  const collector = new ResultCollector();
  for (let i = 0; i < 20; i++) collector.onScheduled();
  for (let i = 0; i < 18; i++) collector.onOutcome({ status: 'accepted', provider: 'apns', token: `t${i}`, attempts: 1, id: `id${i}` }, 5 + i);
  collector.onOutcome({ status: 'rejected', provider: 'apns', token: 'dead', attempts: 1, httpStatus: 410, reason: 'Unregistered', retryClass: 'permanent' }, 3);
  collector.onOutcome({ status: 'failed', provider: 'apns', token: 'f', attempts: 3, code: 'PUSHSIM_ERR_TIMEOUT', message: 'no answer' }, 1000);
  const base = collector.finish({ startedAt: new Date('2026-01-01T00:00:00Z'), durationMs: 1000, targetRate: 20, scenario: 'campaign' });
  collector.destroy();
  const keys = Object.keys(base) as (keyof Result)[];
  const mutations = sample(
    fc.oneof(
      fc.tuple(fc.constantFrom(...keys), hostileValue).map(([key, value]) => ({ ...base, [key]: value })),
      fc.tuple(fc.constantFrom('accepted', 'rejected', 'failed', 'scheduled', 'attempts'), fc.oneof(fc.integer(), fc.double(), fc.constant(-1))).map(([key, value]) => ({ ...base, counts: { ...base.counts, [key]: value } })),
      fc.integer({ min: 1, max: 5 }).map((scale) => {
        const byReason: Record<string, number> = {};
        for (let i = 0; i < scale * 40_000; i++) byReason[`apns:R${i}`] = 0;
        return { ...base, byReason };
      }),
      fc.constant({ ...base, latencyMs: { ...base.latencyMs, accepted: { ...base.latencyMs.accepted, hdr: 'not base64 at all' } } }),
      hostileValue,
    ),
    count,
    3,
  );
  for (const value of mutations) {
    try {
      const result = parseResult(value, 'campaign.json');
      for (const format of ['text', 'json', 'junit', 'html'] as const) await renderReport(result, format);
      mergeResults([result, result]);
      compareResults(result, result);
      record(surface, 'ok');
    } catch (error) {
      if (isInvalidConfig(error) || (error as { code?: unknown }).code === 'PUSHSIM_ERR_INVALID_ARGUMENT') record(surface, 'ok');
      else record(surface, 'bug', `${(error as Error).name}: ${(error as Error).message.slice(0, 150)}`);
    }
  }
  // Files: not JSON, too large (sparse), a directory, a device, deep nesting.
  await writeFile(join(dir, 'not-json.json'), '{"schema":');
  await writeFile(join(dir, 'deep.json'), `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  await writeFile(join(dir, 'sparse.json'), '');
  await truncate(join(dir, 'sparse.json'), 600 * 1024 * 1024);
  for (const file of [join(dir, 'not-json.json'), join(dir, 'deep.json'), join(dir, 'sparse.json'), dir, '/dev/zero', join(dir, 'missing.json')]) {
    try {
      await readResult(file);
      record(surface, 'wrong', `${file} was read as a result`);
    } catch (error) {
      record(surface, isInvalidConfig(error) ? 'ok' : 'bug', `${file}: ${(error as Error).message}`);
    }
  }
  return base;
}

// ---------- the CLI ----------------------------------------------------------------------------

const bin = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const userExitCodes = new Set([2, 3, 104]);

function spawnCli(args: readonly string[], timeoutMs = 30_000): Promise<{ code: number | null; stderr: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: timeoutMs, killSignal: 'SIGKILL', env: { ...process.env, PUSHSIM_CONTROL_TOKEN: '' } }, (error, _stdout, stderr) => {
      const e = error as (Error & { code?: number | string; killed?: boolean }) | null;
      resolve({ code: e === null ? 0 : typeof e.code === 'number' ? e.code : null, stderr, timedOut: e?.killed === true });
    });
  });
}

function judgeCli(surface: string, args: readonly string[], outcome: { code: number | null; stderr: string; timedOut: boolean }, expected = userExitCodes): void {
  const what = `pushsim ${args.join(' ').slice(0, 160)} → ${outcome.code}: ${outcome.stderr.split('\n')[0] ?? ''}`;
  if (outcome.timedOut) record(surface, 'hang', what);
  else if (/\n\s+at |please report it/.test(outcome.stderr)) record(surface, 'stack', what);
  else if (outcome.code === 1) record(surface, 'bug', what);
  else if (outcome.code === null || !expected.has(outcome.code)) record(surface, 'wrong', what);
  else record(surface, 'ok');
}

/** Runs commands two at a time (the machine has two cores). */
async function inPairs<T>(items: readonly T[], run: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 2) await Promise.all(items.slice(i, i + 2).map(run));
}

/**
 * `main()` in this process, for many flag combinations cheaply: the exit code, what it printed, and
 * whether it left anything running (a server, a timer) compared with before.
 */
async function inProcess(args: readonly string[]): Promise<{ code: number | null; stderr: string; timedOut: boolean; leaked: string[] }> {
  const before = process.getActiveResourcesInfo();
  let stderr = '';
  const write = process.stderr.write.bind(process.stderr);
  const out = process.stdout.write.bind(process.stdout);
  process.stderr.write = ((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true)) as typeof process.stderr.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  let code: number | 'timeout';
  try {
    code = await within(30_000, main(args));
    if (code === 'timeout') process.emit('SIGINT'); // it is serving: stop it (this input was accepted)
  } finally {
    process.stderr.write = write;
    process.stdout.write = out;
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  const after = process.getActiveResourcesInfo();
  const leaked = [...after];
  for (const resource of before) {
    const i = leaked.indexOf(resource);
    if (i >= 0) leaked.splice(i, 1);
  }
  return { code: code === 'timeout' ? null : code, stderr, timedOut: code === 'timeout', leaked: leaked.filter((r) => r !== 'TTYWrap' && r !== 'FSReqCallback') };
}

async function cliFlagSurface(dir: string, busyPort: number): Promise<void> {
  const surface = 'CLI flags';
  const file = join(dir, 'a-file');
  // Invalid for every numeric flag (' 5' is fine in a comma-separated list, '0' for ports and seeds).
  const numbers = ['0x10', '0b11', 'Infinity', '-1', '1e999', '', 'NaN', '99999999999999999999', '1,000', '5/s', '0o7', '1_000'];
  const cases: string[][] = [['run', '--rate', ' 5'], ['run', '--count', '0'], ['run', '--connections', '0'], ['mock', 'webpush', '--subscriptions', '0']];
  for (const n of numbers) {
    cases.push(['run', '--rate', n], ['run', '--count', n], ['run', '--connections', n], ['tune', 'default', '--count', n], ['mock', 'apns', '--port', n], ['mock', 'fcm', '--fault-seed', n]);
    cases.push(['mock', 'webpush', '--subscriptions', n], ['proxy', '--listen', n, '--upstream', 'http://127.0.0.1:9'], ['compare', file, file, '--max-latency-increase', n], ['tune', 'default', '--retry-attempts', n]);
  }
  cases.push(
    ['run', '--rate', '1e-12', '--count', '10'], ['run', '--rate', '5e9'], ['run', '--count', '1000000000'], ['run', '--connections', '5000'], ['run', 'nope'], ['run', '--report', 'pdf'],
    ['run', '--out', file], ['run', '--out', join(file, 'x')], ['run', '--faults', dir], ['run', '--faults', '/dev/zero'], ['run', '--quiet', '/dev/null'], ['run', dir + '/'],
    ['mock', 'apns', '--tls', '--h2c'], ['mock', 'apns', '--key', 'nocolons'], ['mock', 'apns', '--key', `A:B:${dir}`], ['mock', 'apns', '--config', '/dev/zero'], ['mock', 'apns', '--credentials-dir', file],
    ['mock', 'apns', '--port', String(busyPort)], ['mock', 'apns', '--control-port', String(busyPort)], ['mock', 'fcm', '--host', '192.0.2.1'], ['mock', 'webpush', '--host', '::2'], ['mock', 'webpush', '--gone', '0x19a'],
    ['mock', 'apns', '--control-host', '0.0.0.0', '--control-port', '0'], ['mock', 'fcm', '--credentials-dir', join(file, 'x')], ['mock', 'nope'],
    ['proxy', '--listen', '0'], ['proxy', '--listen', '0', '--upstream', 'ftp://x'], ['proxy', '--listen', '0', '--upstream', 'http://127.0.0.1:9/path'], ['proxy', '--listen', String(busyPort), '--upstream', 'http://127.0.0.1:9'],
    ['proxy', '--listen', '0', '--upstream', 'http://127.0.0.1:9', '--ca-dir', file], ['proxy', '--listen', '0', '--host', 'no.such.host.invalid', '--upstream', 'http://127.0.0.1:9'],
    ['report', dir], ['report', file, '--format', 'pdf'], ['merge', file, file], ['merge', '--out', file, file], ['compare', file], ['tune', 'default', '--breaker', 'maybe'], ['tune', 'default', '--retry-attempts', '3,3'],
    ['frobnicate'], ['run', '--nope'], ['--rate'],
  );
  for (const args of cases) {
    const outcome = await inProcess(args);
    judgeCli(surface, args, outcome);
    if (outcome.leaked.length > 0) record(surface, 'leak', `pushsim ${args.join(' ')} left ${outcome.leaked.join(', ')}`);
  }
  // The same mistakes from a real process: it must end by itself.
  const spawned = cases.filter((_, i) => i % 4 === 0);
  await inPairs(spawned, async (args) => judgeCli('CLI processes', args, await spawnCli(args)));
}

async function fileSurfaceViaCli(dir: string, scenarios: readonly string[], specs: readonly string[]): Promise<void> {
  const picked = [...scenarios.slice(0, 12), ...yamlAttacks.slice(0, 6)];
  await inPairs([...picked.entries()], async ([i, text]) => {
    const path = join(dir, `scenario-${i}.yaml`);
    await writeFile(path, text);
    judgeCli('scenario files (CLI)', ['run', path, '--quiet'], await spawnCli(['run', path, '--quiet']), new Set([104]));
  });
  await inPairs([...specs.slice(0, 12).entries()], async ([i, text]) => {
    const path = join(dir, `spec-${i}.yaml`);
    await writeFile(path, text);
    const args = i % 2 === 0 ? ['mock', 'apns', '--faults', path] : ['proxy', '--listen', '0', '--upstream', 'http://127.0.0.1:9', '--faults', path];
    judgeCli('fault files (CLI)', args, await spawnCli(args), new Set([104]));
  });
}

async function credentialSurface(dir: string): Promise<void> {
  const surface = 'credentials';
  const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const contents: [string, string][] = [
    ['empty', ''], ['junk', 'hello'], ['rsa', rsa], ['ec384', ec384], ['half-pem', '-----BEGIN PRIVATE KEY-----\nMIGH'], ['broken-cert', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'],
    ['binary', Buffer.from(sample(fc.uint8Array({ minLength: 10, maxLength: 500 }), 1, 4)[0] ?? []).toString('latin1')], ['nul', '\u0000'.repeat(100)],
    ['two-keys', `${ec384}${rsa}`], ['cert-and-key', `-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n${rsa}`],
  ];
  const files: string[] = [];
  for (const [name, content] of contents) {
    const path = join(dir, `${name}.pem`);
    await writeFile(path, content);
    files.push(path);
  }
  await writeFile(join(dir, 'huge.pem'), '');
  await truncate(join(dir, 'huge.pem'), 50 * 1024 * 1024);
  files.push(join(dir, 'huge.pem'), dir, '/dev/zero', join(dir, 'missing.pem'));
  const cases = files.flatMap((path) => [
    ['mock', 'apns', '--key', `ABCDEFGHIJ:ABCDEFGHIJ:${path}`],
    ['proxy', '--listen', '0', '--upstream', 'http://127.0.0.1:9', '--upstream-ca', path],
  ]);
  for (const args of cases) {
    const outcome = await inProcess(args);
    judgeCli(surface, args, outcome, new Set([3]));
    if (outcome.leaked.length > 0) record(surface, 'leak', `${args.join(' ')} left ${outcome.leaked.join(', ')}`);
  }
  // Keys written over existing world-readable files are 0600; a directory made here is 0700.
  const existing = join(dir, 'existing');
  await mkdir(existing);
  for (const name of ['service-account.json', 'vapid.json', 'subscriptions.json', 'client-key.pem']) {
    await writeFile(join(existing, name), 'old');
    await chmod(join(existing, name), 0o644);
  }
  for (const args of [['fcm'], ['webpush'], ['apns', '--mtls']]) {
    for (const target of [existing, join(dir, `made-${args[0]}`)]) {
      // Its banner is written last, once the mock listens for SIGTERM: wait for a fresh one.
      await rm(join(target, 'credentials.json'), { force: true });
      const out = process.stdout.write.bind(process.stdout);
      process.stdout.write = (() => true) as typeof process.stdout.write;
      const run = main(['mock', ...args, '--credentials-dir', target]);
      await waitFor(join(target, 'credentials.json'));
      await new Promise((resolve) => setTimeout(resolve, 50));
      process.emit('SIGTERM');
      const code = await within(20_000, run);
      process.stdout.write = out;
      record(surface, code === 0 ? 'ok' : code === 'timeout' ? 'hang' : 'bug', `mock ${args.join(' ')} --credentials-dir ended ${code}`);
    }
    const made = join(dir, `made-${args[0]}`);
    record(surface, ((await stat(made)).mode & 0o777) === 0o700 ? 'ok' : 'wrong', `${made} is not 0700`);
  }
  for (const name of await readdir(existing)) {
    if (name === 'credentials.json' || name === 'ca.pem' || name === 'client-cert.pem') continue;
    const mode = (await stat(join(existing, name))).mode & 0o777;
    record(surface, mode === 0o600 ? 'ok' : 'wrong', `${name} is ${mode.toString(8)}`);
  }
}

async function waitFor(path: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await stat(path).then(() => true, () => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// ---------- the campaign -----------------------------------------------------------------------

async function campaign(): Promise<void> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-campaign-'));
  await writeFile(join(dir, 'a-file'), 'not a directory');
  const busy: Server = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const busyPort = (busy.address() as AddressInfo).port;
  /** Runs one part, then checks it left no server, socket or timer behind (compared with before it). */
  const step = async (name: string, part: () => Promise<unknown>): Promise<void> => {
    process.stderr.write(`campaign: ${name} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
    const before = process.getActiveResourcesInfo();
    await part();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const left = [...process.getActiveResourcesInfo()];
    for (const resource of before) {
      const i = left.indexOf(resource);
      if (i >= 0) left.splice(i, 1);
    }
    const leaked = left.filter((r) => r !== 'TTYWrap' && r !== 'FSReqCallback' && r !== 'FSReqPromise');
    record('left running after each part', leaked.length === 0 ? 'ok' : 'leak', `${name} left ${leaked.join(', ')}`);
  };

  let scenarios: string[] = [];
  let specs: string[] = [];
  await step('mock APNs', () => mockSurface('mock APNs (h2)', () => startMockApns({ tls: true }), 'apns', 300, 10, `/3/device/${'ab'.repeat(32)}`));
  await step('mock FCM', () => mockSurface('mock FCM (h2)', () => startMockFcm({}), 'fcm', 200, 11, '/v1/projects/pushsim-test/messages:send'));
  await step('mock Web Push', () => mockSurface('mock Web Push (h2)', () => startMockWebPush({ subscriptions: 1 }), 'webpush', 200, 12, '/push/x'));
  await step('control API', () => controlSurface(200));
  await step('fault proxy', () => proxySurface(150));
  await step('documents', async () => {
    scenarios = documentSurface('scenario files', sample(scenarioText, 250, 20), (text) => parseScenario(text, 'campaign.yaml', dir));
    specs = documentSurface('fault files', sample(faultSpecText, 200, 21), (text) => parseFaultsDocument(text, 'campaign.yaml'));
  });
  await step('result files', () => resultSurface(150, dir));
  await step('CLI flags', () => cliFlagSurface(dir, busyPort));
  await step('files through the CLI', () => fileSurfaceViaCli(dir, scenarios, specs));
  await step('credentials', () => credentialSurface(dir));
  await new Promise<void>((resolve) => busy.close(() => resolve()));


  const width = Math.max(...[...counts.keys()].map((k) => k.length), 10);
  const header = ['surface'.padEnd(width), 'inputs', ...verdicts].map((c, i) => (i === 0 ? c : c.padStart(7))).join(' ');
  const lines = [header];
  const totals = new Map<Verdict, number>();
  // The per-part check of what was left running goes last, after the surfaces themselves.
  const rows = [...counts].sort(([a], [b]) => Number(a.startsWith('left running')) - Number(b.startsWith('left running')));
  for (const [surface, row] of rows) {
    const inputs = [...row.values()].reduce((a, b) => a + b, 0);
    lines.push([surface.padEnd(width), String(inputs).padStart(7), ...verdicts.map((v) => String(row.get(v) ?? 0).padStart(7))].join(' '));
    for (const v of verdicts) totals.set(v, (totals.get(v) ?? 0) + (row.get(v) ?? 0));
  }
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  lines.push(['total'.padEnd(width), String(all).padStart(7), ...verdicts.map((v) => String(totals.get(v) ?? 0).padStart(7))].join(' '));
  console.log(`hostile-input campaign, seed ${seed}, ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
  console.log(lines.join('\n'));
  if (findings.length > 0) console.log(`\nfindings (${findings.length}, first 30):\n${findings.slice(0, 30).map((f) => `  - ${f}`).join('\n')}`);
  process.exitCode = findings.length === 0 ? 0 : 1;
}

await campaign();
