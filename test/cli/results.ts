/** result.json files for the merge and compare CLI tests, built by a real ResultCollector. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeResult } from '../../reports/json.js';
import { ResultCollector } from '../../reports/result.js';
import type { Result } from '../../reports/result.js';

/** Every accepted latency of `latencies` (ms), plus `rejected` Unregistered ones, in `durationMs`. */
export function collect(latencies: readonly number[], options: { rejected?: number; durationMs?: number; startedAt?: string } = {}, into: readonly ResultCollector[] = []): Result {
  const collector = new ResultCollector();
  try {
    for (const c of [collector, ...into]) {
      latencies.forEach((ms, i) => {
        c.onScheduled();
        c.onOutcome({ status: 'accepted', provider: 'apns', token: `tok-${i}`, attempts: 1, id: undefined }, ms);
      });
      for (let i = 0; i < (options.rejected ?? 0); i++) {
        c.onScheduled();
        c.onOutcome({ status: 'rejected', provider: 'apns', token: `dead-${i}`, attempts: 1, httpStatus: 410, reason: 'Unregistered', retryClass: 'permanent' }, 4);
      }
    }
    return collector.finish({
      startedAt: new Date(options.startedAt ?? '2026-01-01T00:00:00.000Z'),
      durationMs: options.durationMs ?? 1000,
      targetRate: 1000,
      scenario: 'smoke',
    });
  } finally {
    collector.destroy();
  }
}

/** Writes each result to its own directory under a new temporary one; returns the file paths. */
export async function writeResults(...results: Result[]): Promise<{ dir: string; files: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'pushsim-results-'));
  const files = await Promise.all(results.map((result, i) => writeResult(result, join(dir, `r${i}`))));
  return { dir, files };
}

/** Latencies from `low` to `low + 9.9` ms, 1000 of them. */
export const steady = (low: number, n = 1000): number[] => Array.from({ length: n }, (_, i) => low + (i % 100) / 10);
