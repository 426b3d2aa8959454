/**
 * How far a pushsim process's heaps may grow past what they hold alive before V8's next full
 * collection (mark-compact): for a run against real providers or a URL (the sending thread's
 * memory), and for a run that serves pushsim's own mocks (their pauses).
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
 * Why the mocks get less: their old generation fills with node:http2's per-request objects and
 * with the header values of 64 bytes or more (APNs `:path` and `authorization`), which node hands to
 * JavaScript as external strings that V8 allocates in the old generation and finalizes only in a
 * mark-compact's atomic pause. With V8's own growth the mock APNs at 5,000/s collected every ~3.4 s,
 * from about the 10th second on, and each pause took 30–140 ms, ~60 % of it finalizing those
 * strings: a run longer than 10 s had a tail a 10-s run never saw (60-s runs' accepted p99 1.5–3.3×
 * the 10-s runs'). At 1.5× it collects about once a second from the 3rd second on, each pause ~3×
 * shorter, for about the same GC time in all (`node --trace-gc-nvp dist/cli/bin.js run --count
 * 300000 --rate 5000`; issue 18's note has the numbers). `pushsim mock` keeps V8's own growth unless
 * told: at full speed under h2load the 1.5× costs the mock APNs ~14 % of its CPU per request.
 *
 * PUSHSIM_HEAP_GROWING_PERCENT=N sets it (0: V8's own choice, as before); the flag is the
 * process's, read by V8 at each collection, so it is set once before the run starts.
 */
import { setFlagsFromString } from 'node:v8';
import { InvalidArgumentError } from '../core/errors.js';

export const heapGrowingEnv = 'PUSHSIM_HEAP_GROWING_PERCENT';

/** The heap may grow to 2× its live size before the next full collection. */
export const defaultHeapGrowingPercent = 100;

/** A run serving pushsim's embedded mocks: 1.5×, for short and regular mark-compact pauses (above). */
export const mockHeapGrowingPercent = 50;

const maxPercent = 300;

/** The percent to use: the environment's when set (0 leaves V8's choice), else `fallback`. Throws InvalidArgumentError on a bad value. */
export function heapGrowingPercent(env: Readonly<Record<string, string | undefined>>, fallback: number = defaultHeapGrowingPercent): number {
  const text = env[heapGrowingEnv];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value > maxPercent) {
    throw new InvalidArgumentError(`${heapGrowingEnv}=${text}: expected a whole number from 0 (V8's own heap growth) to ${maxPercent} (the heap grows to 1 + N/100 times its live size between full collections); unset it for pushsim's default (${mockHeapGrowingPercent} for a run or a simulation with pushsim's mocks, ${defaultHeapGrowingPercent} for a run against real providers, V8's own for pushsim mock and anything else)`);
  }
  return value;
}

/** Where `pushsim run` sends: pushsim's own mocks, real providers, or anything else (a URL, a local origin). */
export type RunDestination = 'mocks' | 'real' | 'other';

/** For `pushsim run`: 1.5× with the embedded mocks, 2× against real providers, else V8's own choice (0) — unless the environment says otherwise. */
export function runHeapGrowingPercent(destination: RunDestination, env: Readonly<Record<string, string | undefined>>): number {
  return heapGrowingPercent(env, destination === 'mocks' ? mockHeapGrowingPercent : destination === 'real' ? defaultHeapGrowingPercent : 0);
}

/** Sets V8's heap growth for this process (every thread); 0 leaves V8 its own choice. */
export function limitHeapGrowth(percent: number): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** `pushsim mock`: V8's own growth unless PUSHSIM_HEAP_GROWING_PERCENT says otherwise (1.5× costs a mock ~14 % of its CPU at full speed, above). */
export function limitMockProcessHeapGrowth(env: Readonly<Record<string, string | undefined>>): void {
  limitHeapGrowth(heapGrowingPercent(env, 0));
}

/** How a bench names the growth it ran with: "V8's own" or "1.5× (PUSHSIM_HEAP_GROWING_PERCENT=50)". */
export function describeHeapGrowth(percent: number): string {
  return percent === 0 ? "V8's own" : `${1 + percent / 100}× (PUSHSIM_HEAP_GROWING_PERCENT=${percent})`;
}
