/**
 * How long a command takes to start, as a whole process: what every CI step that calls `pushsim
 * report`, `merge` or `compare`, and every script that imports the sender, pays before doing
 * anything. Each command runs `rounds` times in a fresh `node` process after one unmeasured run (so
 * the files are in the page cache); the median wall time is reported beside `node -e 0`, the floor
 * no Node program starts under.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const bin = join(root, 'dist', 'cli', 'bin.js');

export interface StartupRow {
  readonly label: string;
  readonly command: string;
  /** Wall time of each measured run (for an import: of the import itself), ms. */
  readonly wallMs: readonly number[];
  readonly what: 'process' | 'import';
  /** The acceptance bound, ms, if the row has one. */
  readonly boundMs?: number;
}

interface Measured {
  readonly label: string;
  readonly what: 'process' | 'import';
  readonly args: readonly string[];
  readonly shown: string;
  readonly boundMs?: number;
}

function timeOnce(args: readonly string[], what: 'process' | 'import'): number {
  const started = process.hrtime.bigint();
  const child = spawnSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) throw new Error(`${args.join(' ')} exited ${child.status}: ${child.stderr.toString().slice(0, 500)}`);
  return what === 'process' ? ms : Number(child.stdout.toString().trim());
}

/** A child that imports `specifier` and prints how long the import took, in ms. */
function importArgs(specifier: string): string[] {
  return ['--input-type=module', '-e', `const t = performance.now(); await import('${specifier}'); console.log(performance.now() - t);`];
}

/** Measures the start-up of the CLI's light commands and of `import 'pushsim/sender'`. */
export async function measureStartup(rounds: number): Promise<StartupRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-startup-'));
  try {
    // A real result to report on: a short run against the embedded mock.
    const made = spawnSync(process.execPath, [bin, 'run', '--count', '2000', '--rate', '1000', '--warmup', '0', '--out', dir, '--quiet', '--no-fail-on-overload'], { cwd: root, stdio: 'ignore', timeout: 120_000 });
    if (made.status !== 0) throw new Error(`the run that makes result.json exited ${made.status}`);
    const result = join(dir, 'result.json');
    const measured: Measured[] = [
      { label: 'node -e 0 (no program: the floor)', what: 'process', args: ['-e', '0'], shown: 'node -e 0' },
      { label: 'pushsim --version', what: 'process', args: [bin, '--version'], shown: 'node dist/cli/bin.js --version', boundMs: 200 },
      { label: 'pushsim report result.json', what: 'process', args: [bin, 'report', result], shown: 'node dist/cli/bin.js report result.json', boundMs: 200 },
      { label: "import 'pushsim/sender'", what: 'import', args: importArgs('pushsim/sender'), shown: "await import('pushsim/sender')", boundMs: 150 },
      { label: "import 'pushsim' (everything)", what: 'import', args: importArgs('pushsim'), shown: "await import('pushsim')" },
    ];
    const rows: StartupRow[] = [];
    for (const m of measured) {
      timeOnce(m.args, m.what);
      const wallMs = Array.from({ length: rounds }, () => timeOnce(m.args, m.what));
      rows.push({ label: m.label, command: m.shown, what: m.what, wallMs, ...(m.boundMs !== undefined && { boundMs: m.boundMs }) });
    }
    return rows;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** A markdown table of the rows: median, range, and the bound each must stay under. */
export function startupTable(rows: readonly StartupRow[]): string[] {
  return [
    '| command | ms, median | range | must be under |',
    '|---|---:|---:|---:|',
    ...rows.map((r) => {
      const sorted = [...r.wallMs].sort((a, b) => a - b);
      const m = median(r.wallMs);
      const verdict = r.boundMs === undefined ? '' : `${r.boundMs} ms ${m < r.boundMs ? '✓' : '✗'}`;
      const what = r.what === 'import' ? ' (the import, in its process)' : ' (whole process)';
      return `| \`${r.command}\`${what} | ${m.toFixed(0)} | ${(sorted[0] ?? 0).toFixed(0)}–${(sorted[sorted.length - 1] ?? 0).toFixed(0)} | ${verdict} |`;
    }),
  ];
}
