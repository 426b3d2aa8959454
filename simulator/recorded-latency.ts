/**
 * Latency replayed from a recorded HDR histogram (a profile's `latencyMs.hdr`): inverse-CDF
 * sampling. The histogram's quantiles are read once into a table of 10,001 points (every 0.01 %),
 * and a sample is `u` from the seeded generator mapped through the table, interpolating between
 * neighbouring points: O(1) per request, and the same seed gives the same delays.
 *
 * Resolution: the table follows the histogram to 0.01 % of the mass (HDR keeps values within 0.1 %),
 * so p50 and p99 come back as recorded; the last point is the recorded maximum.
 */
import { createRequire } from 'node:module';
import type * as HdrModule from 'hdr-histogram-js';
import { InvalidConfigError } from '../core/errors.js';
import type { Random } from './random.js';

const requireCjs = createRequire(import.meta.url);

/** Quantile points in the table: 0 %, 0.01 %, …, 100 %. */
const steps = 10_000;

/** The table of quantiles (ms) of an encoded histogram, in microseconds as result.json holds them. */
export function quantileTable(hdr: string, source: string): Float64Array {
  let histogram: HdrModule.Histogram;
  try {
    // The JS build: decoding needs no WebAssembly instance, and this runs once per mock.
    histogram = (requireCjs('hdr-histogram-js') as typeof HdrModule).decodeFromCompressedBase64(hdr, 32, false);
  } catch (error) {
    throw new InvalidConfigError(source, [`latencyMs.hdr is not a readable HDR histogram: ${(error as Error).message}`]);
  }
  try {
    if (histogram.totalCount === 0) throw new InvalidConfigError(source, ['latencyMs.hdr holds no values: nothing to replay']);
    const table = new Float64Array(steps + 1);
    for (let i = 0; i <= steps; i++) table[i] = histogram.getValueAtPercentile((i * 100) / steps) / 1000;
    // getValueAtPercentile(0) is the lowest bucket's lowest value; the others their highest, so the
    // table is monotone already. The top is the maximum as recorded.
    table[steps] = histogram.maxValue / 1000;
    return table;
  } finally {
    histogram.destroy();
  }
}

/** A sampler drawing from the table with `random`; never negative. */
export function recordedSampler(table: Float64Array, random: Random): () => number {
  return () => {
    const position = random.next() * steps;
    const i = Math.floor(position);
    const low = table[i] ?? 0;
    const high = table[i + 1] ?? low;
    return low + (high - low) * (position - i);
  };
}
