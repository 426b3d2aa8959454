/**
 * How far the sending thread's heap may grow past what it holds alive, for a run against real
 * providers (one sending thread: scenarios/safety.ts).
 *
 * Why: at full speed the sender keeps a few thousand objects per notification in flight long
 * enough for the young generation to promote them (~3 MB per scavenge at 500 in flight), so the
 * old generation fills with garbage quickly; V8 on a machine with a few GB of memory lets it grow
 * to 4× the live heap before the next mark-compact. With ~25 MB live that is ~100 MB of dead
 * objects, and a 1,000,000-recipient run peaked at ~220 MB RSS with ~25 MB of live data. A growth
 * factor of 2 (V8's --heap-growing-percent=100) holds the peak near 167 MB; the cost is more
 * frequent (concurrent) mark-compacts: within the noise in CPU per notification, where 1.5 cost
 * far more (`node dist/bench/recipients-rss.js --compare`; docs/targets.md, "Memory").
 *
 * PUSHSIM_HEAP_GROWING_PERCENT=N sets it (0: V8's own choice, as before); the flag is the
 * process's, read by V8 at each collection, so it is set once before the run starts.
 */
import { setFlagsFromString } from 'node:v8';
import { InvalidArgumentError } from '../core/errors.js';

export const heapGrowingEnv = 'PUSHSIM_HEAP_GROWING_PERCENT';

/** The heap may grow to 2× its live size before the next full collection. */
export const defaultHeapGrowingPercent = 100;

const maxPercent = 300;

/** The percent to use: the environment's when set (0 leaves V8's choice), else the default. Throws InvalidArgumentError on a bad value. */
export function heapGrowingPercent(env: Readonly<Record<string, string | undefined>>): number {
  const text = env[heapGrowingEnv];
  if (text === undefined || text === '') return defaultHeapGrowingPercent;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value > maxPercent) {
    throw new InvalidArgumentError(`${heapGrowingEnv}=${text}: expected a whole number from 0 (V8's own heap growth) to ${maxPercent} (the heap grows to 1 + N/100 times its live size between full collections); unset it for the default ${defaultHeapGrowingPercent}`);
  }
  return value;
}

/** Sets V8's heap growth for this process (every thread); 0 restores V8's own choice. */
export function limitHeapGrowth(percent: number): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
