/**
 * Latency replayed from a recorded HDR histogram (a profile's `latencyMs.hdr`): inverse-CDF
 * sampling. The histogram's quantiles are read once, in one pass, into a table of 10,001 points (every 0.01 %),
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
  const module = requireCjs('hdr-histogram-js') as typeof HdrModule;
  let histogram: HdrModule.Histogram;
  try {
    // The JS build: decoding needs no WebAssembly instance, and its counts can be walked directly.
    histogram = module.decodeFromCompressedBase64(hdr, 32, false);
  } catch (error) {
    throw new InvalidConfigError(source, [`latencyMs.hdr is not a readable HDR histogram: ${(error as Error).message}`]);
  }
  try {
    const total = histogram.totalCount;
    if (total === 0) throw new InvalidConfigError(source, ['latencyMs.hdr holds no values: nothing to replay']);
    if (!(histogram instanceof module.JsHistogram)) throw new Error('hdr-histogram-js decoded into a WebAssembly histogram');
    return walk(histogram, total);
  } finally {
    histogram.destroy();
  }
}

/**
 * One pass over the buckets (getValueAtPercentile would walk them once per point: seconds for a
 * histogram of a wide range). Each point is what getValueAtPercentile gives: the highest value of
 * the bucket where the cumulative count reaches max(round(q · total), 1); the 0 % point the
 * lowest value of the first bucket with a count.
 */
function walk(histogram: HdrModule.JsHistogram, total: number): Float64Array {
  const table = new Float64Array(steps + 1);
  let index = 0;
  let cumulative = histogram.getCountAtIndex(0);
  for (let i = 0; i <= steps; i++) {
    const rank = Math.max(Math.floor((i / steps) * total + 0.5), 1);
    while (cumulative < rank && index < histogram.countsArrayLength - 1) cumulative += histogram.getCountAtIndex(++index);
    const value = histogram.valueFromIndex(index);
    table[i] = (i === 0 ? histogram.lowestEquivalentValue(value) : histogram.highestEquivalentValue(value)) / 1000;
  }
  // The top is the maximum as recorded (a decoded histogram's: its bucket's highest value).
  table[steps] = histogram.maxValue / 1000;
  return table;
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
