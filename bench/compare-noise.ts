/**
 * How often `pushsim compare` calls noise a regression, and how often it misses a real one:
 *
 *   identical pairs  the default scenario run twice back to back, then compared: each flagged pair
 *                    is a false alarm a CI gate would have raised;
 *   slower pairs     the default scenario, then the same with the mock's lognormal median 20 %
 *                    higher (8 → 9.6 ms): each pair not flagged is a regression CI would have missed.
 *
 * The two kinds alternate, so both see the same machine. Every run is `node dist/cli/bin.js run` in
 * its own process (as CI would run it), bounded by a timeout; the result files stay in --out, so the
 * verdicts can be recomputed with another compare (--judge-only DIR). Prints the load average seen
 * before each pair: on a shared machine the false-alarm rate follows it.
 *
 * With --max-load L, each pair waits (up to 5 minutes) for the 1-minute load average to drop below L:
 * the acceptance is about a quiet machine, and a shared one is quiet only at times.
 *
 * --rate and --count change the load of every run (`pushsim run --rate/--count`): on a machine too
 * busy for the default 5,000/s, a lower rate keeps the runs valid measurements.
 *
 *   node dist/bench/compare-noise.js [--pairs 20] [--count N] [--rate N] [--slower 1.2] [--out DIR] [--max-minutes 45] [--max-load L]
 *   node dist/bench/compare-noise.js --judge-only DIR
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Result } from '../reports/result.js';
import { defaultScenario } from '../scenarios/builtin/default.js';

const bin = fileURLToPath(new URL('../cli/bin.js', import.meta.url));
const RUN_TIMEOUT_MS = 180_000;

interface Options {
  pairs: number;
  count: number | undefined;
  rate: number | undefined;
  slower: number;
  out: string;
  maxMinutes: number;
  judgeOnly: string | undefined;
  maxLoad: number | undefined;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = { pairs: 20, count: undefined, rate: undefined, slower: 1.2, out: '', maxMinutes: 45, judgeOnly: undefined, maxLoad: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    if (flag === '--pairs') options.pairs = wholeNumber(flag, value, 1, 200);
    else if (flag === '--count') options.count = wholeNumber(flag, value, 100, 1_000_000);
    else if (flag === '--rate') options.rate = wholeNumber(flag, value, 10, 100_000);
    else if (flag === '--slower') options.slower = Number(value);
    else if (flag === '--out') options.out = value;
    else if (flag === '--max-minutes') options.maxMinutes = wholeNumber(flag, value, 1, 600);
    else if (flag === '--judge-only') options.judgeOnly = value;
    else if (flag === '--max-load') options.maxLoad = Number(value);
    else throw new Error(`unknown flag ${flag}`);
  }
  if (!(options.slower > 1 && options.slower < 10)) throw new Error('--slower must be a factor above 1, such as 1.2');
  if (options.maxLoad !== undefined && !(options.maxLoad > 0)) throw new Error('--max-load must be a load average above 0, such as 3');
  return options;
}

function wholeNumber(flag: string | undefined, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} must be a whole number from ${min} to ${max}`);
  return n;
}

/** The child running now: killed with the bench, so an interrupted bench leaves nothing behind. */
let current: ChildProcess | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    current?.kill('SIGKILL');
    process.exit(130);
  });
}

/** Runs the built CLI with `args`, killed after `timeoutMs`; its exit code and stdout. */
function cli(args: readonly string[], timeoutMs: number): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'ignore'] });
    current = child;
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      current = undefined;
      if (signal !== null) reject(new Error(`pushsim ${args[0]} was stopped by ${signal} (timeout ${timeoutMs / 1000} s)`));
      else resolve({ code: code ?? 1, stdout });
    });
  });
}

/** What a run says about itself: one that fell far behind its schedule measured the machine, not the mock. */
interface RunSummary {
  readonly achievedShare: number | undefined;
  readonly dropped: number;
  readonly p99: number;
  /** `validity.valid` of the result: false when pushsim fell behind its schedule (exit 97). */
  readonly valid: boolean | undefined;
}

/** One `pushsim run` into `dir` (exit 0 or 99 are both a finished run). */
async function run(dir: string, scenario: string | undefined, options: Pick<Options, 'count' | 'rate'>): Promise<RunSummary> {
  const load = [...(options.count === undefined ? [] : ['--count', String(options.count)]), ...(options.rate === undefined ? [] : ['--rate', String(options.rate)])];
  const { code } = await cli(['run', ...(scenario === undefined ? [] : [scenario]), '--out', dir, '--quiet', ...load], RUN_TIMEOUT_MS);
  if (!existsSync(join(dir, 'result.json'))) throw new Error(`pushsim run ${dir} exited ${code} without a result`);
  const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as Result;
  return { achievedShare: result.rate.target === null ? undefined : result.rate.achieved / result.rate.target, dropped: result.counts.dropped, p99: result.latencyMs.accepted.p99, valid: result.validity?.valid };
}

/** `pushsim compare`: 98 = regression, 0 = none; anything else is a failure of the bench. */
async function compare(base: string, candidate: string): Promise<{ flagged: boolean; regressions: string[] }> {
  const { code, stdout } = await cli(['compare', join(base, 'result.json'), join(candidate, 'result.json'), '--json'], 60_000);
  if (code !== 0 && code !== 98) throw new Error(`pushsim compare ${base} ${candidate} exited ${code}`);
  return { flagged: code === 98, regressions: (JSON.parse(stdout) as { regressions: string[] }).regressions };
}

/** Waits, up to 5 minutes, for the 1-minute load average to drop below `maxLoad`; the load it saw last. */
async function quietEnough(maxLoad: number | undefined): Promise<number | undefined> {
  const giveUp = performance.now() + 300_000;
  while (maxLoad !== undefined && (loadavg()[0] ?? 0) >= maxLoad && performance.now() < giveUp) await new Promise((resolve) => setTimeout(resolve, 5_000));
  return loadavg()[0];
}

/**
 * A label for the report only (verdicts are compare's): a run its own validity check failed (exit
 * 97), that shed notifications, or whose p99 passed a second against a mock answering in
 * milliseconds, fell behind its schedule — the machine, not the mock, set its pace.
 */
const overloaded = (runs: readonly RunSummary[]): boolean => runs.some((r) => r.valid === false || r.dropped > 0 || r.p99 > 1000);

interface PairVerdict {
  readonly kind: 'identical' | 'slower';
  readonly index: number;
  readonly flagged: boolean;
  readonly regressions: readonly string[];
  readonly load1: number | undefined;
  /** A run of the pair fell behind its target rate or shed notifications (unknown when re-judged). */
  readonly overloaded: boolean | undefined;
}

function report(verdicts: readonly PairVerdict[], startedAt: number): void {
  for (const kind of ['identical', 'slower'] as const) {
    const pairs = verdicts.filter((v) => v.kind === kind);
    const flagged = pairs.filter((v) => v.flagged);
    const expected = kind === 'identical' ? 'false alarms' : 'detected';
    const valid = pairs.filter((v) => v.overloaded === false);
    const overloadedNote = valid.length === pairs.length || pairs.some((v) => v.overloaded === undefined) ? '' : `; without the ${pairs.length - valid.length} pair(s) with an overloaded run: ${valid.filter((v) => v.flagged).length}/${valid.length}`;
    console.log(`${kind.padEnd(9)} pairs: ${flagged.length}/${pairs.length} flagged as a regression (${expected})${overloadedNote}`);
    for (const v of kind === 'identical' ? flagged : pairs.filter((p) => !p.flagged)) {
      console.log(`  pair ${v.index}${v.load1 === undefined ? '' : ` (load ${v.load1.toFixed(2)})`}${v.overloaded === true ? ' [overloaded run]' : ''}: ${v.flagged ? v.regressions.join(', ') : 'not flagged'}`);
    }
  }
  const loads = verdicts.flatMap((v) => (v.load1 === undefined ? [] : [v.load1])).sort((a, b) => a - b);
  if (loads.length > 0) console.log(`1-minute load average before each pair: min ${loads[0]?.toFixed(2)} · median ${loads[loads.length >> 1]?.toFixed(2)} · max ${loads[loads.length - 1]?.toFixed(2)}`);
  console.log(`took ${((performance.now() - startedAt) / 60_000).toFixed(1)} min`);
}

/** Re-judges the pairs a previous run left in `dir` (identical-N-a/b, slower-N-a/b). */
async function judgeOnly(dir: string): Promise<PairVerdict[]> {
  const verdicts: PairVerdict[] = [];
  const names = new Set(readdirSync(dir));
  for (const kind of ['identical', 'slower'] as const) {
    for (let index = 1; names.has(`${kind}-${index}-b`); index++) {
      const candidate = join(dir, `${kind}-${index}-b`);
      if (!existsSync(join(candidate, 'result.json'))) continue;
      verdicts.push({ kind, index, ...(await compare(join(dir, `${kind}-${index}-a`), candidate)), load1: undefined, overloaded: undefined });
    }
  }
  return verdicts;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const startedAt = performance.now();
  if (options.judgeOnly !== undefined) {
    report(await judgeOnly(options.judgeOnly), startedAt);
    return;
  }
  const out = options.out === '' ? mkdtempSync(join(tmpdir(), 'pushsim-compare-noise-')) : options.out;
  mkdirSync(out, { recursive: true });
  // The default scenario with only the mock's median latency raised: the regression to detect.
  const latency = defaultScenario.target.kind === 'mock' ? defaultScenario.target.latency : undefined;
  if (latency?.kind !== 'lognormal') throw new Error('the default scenario no longer has a lognormal mock latency: update this bench');
  const slowerFile = join(out, 'slower.yaml');
  writeFileSync(slowerFile, `name: ${defaultScenario.name}\ntarget: { mock: apns, latency: { kind: lognormal, medianMs: ${latency.medianMs * options.slower}, sigma: ${latency.sigma} } }\n`);
  const load = options.count === undefined && options.rate === undefined ? 'default runs' : `runs of ${options.count ?? 'the default number of'} notifications at ${options.rate ?? 'the default rate of'}/s`;
  console.log(`compare-noise: ${options.pairs} identical and ${options.pairs} slower (×${options.slower} mock median) pairs of ${load}, in ${out}`);

  const verdicts: PairVerdict[] = [];
  const deadline = startedAt + options.maxMinutes * 60_000;
  for (let index = 1; index <= options.pairs; index++) {
    for (const kind of ['identical', 'slower'] as const) {
      if (performance.now() > deadline) {
        console.log(`stopped after ${options.maxMinutes} min (--max-minutes)`);
        report(verdicts, startedAt);
        return;
      }
      const load1 = await quietEnough(options.maxLoad);
      const base = join(out, `${kind}-${index}-a`);
      const candidate = join(out, `${kind}-${index}-b`);
      const runs = [await run(base, undefined, options), await run(candidate, kind === 'slower' ? slowerFile : undefined, options)];
      const verdict = { kind, index, ...(await compare(base, candidate)), load1, overloaded: overloaded(runs) };
      verdicts.push(verdict);
      const shares = runs.map((r) => (r.achievedShare === undefined ? '—' : `${(100 * r.achievedShare).toFixed(1)}%`)).join(' / ');
      console.log(`${kind} ${index}: ${verdict.flagged ? `regression (${verdict.regressions.join(', ')})` : 'no regression'} · load ${load1?.toFixed(2)} · achieved ${shares} of target`);
    }
  }
  report(verdicts, startedAt);
}

await main();
