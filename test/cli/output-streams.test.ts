/**
 * `pushsim run 2>&1 | head`: the reader closes the pipe after its first bytes. The run must carry on,
 * write result.json and exit with its own code, not 1 (a bug) from an unhandled EPIPE.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { bin, cliTestTimeout } from './helpers.js';

it(
  'a reader that closes stdout and stderr early does not turn the run into exit 1; the result is still written',
  async () => {
    const out = await mkdtemp(join(tmpdir(), 'pushsim-closed-reader-'));
    const child = spawn(process.execPath, [bin, 'run', '--count', '2000', '--rate', '1000', '--warmup', '0', '--no-fail-on-overload', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    // As `head -c` does: read the first chunk of each stream, then close the read end.
    for (const stream of [child.stdout, child.stderr]) stream.once('data', () => stream.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect((await stat(join(out, 'result.json'))).size).toBeGreaterThan(0);
  },
  cliTestTimeout,
);
