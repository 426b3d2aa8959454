/**
 * What the live status shows about the last progress tick beside the running counts: the p99 of
 * the latency accepted in that tick, the fault phase the run is in, and the circuit breakers'
 * state. Kept apart from the result's histograms (reports/result.ts), which are the run's record:
 * this is a display's glance, bounded in memory whatever the rate.
 */
import { Timeline } from '../simulator/faults/timeline.js';
import type { PhaseSpec } from '../simulator/faults/timeline.js';

/** Latencies kept per tick; past it, a uniform sample (reservoir), so a p99 at 100,000/s costs no more than at 4,000/s. */
const reservoirSize = 4096;

export type BreakerState = 'closed' | 'open' | 'half-open';

/** Worst first: one open breaker is what a person watching needs to see. */
const severity: Record<BreakerState, number> = { closed: 0, 'half-open': 1, open: 2 };

export class TickStats {
  readonly #latencies = new Float64Array(reservoirSize);
  #seen = 0;
  readonly #breakers = new Map<string, BreakerState>();
  readonly #timeline: Timeline | undefined;
  // A small deterministic generator for the reservoir (no Math.random: runs stay reproducible).
  #state = 0x9e3779b9;

  constructor(phases: readonly PhaseSpec[] | undefined) {
    this.#timeline = phases === undefined || phases.length === 0 ? undefined : new Timeline(phases);
  }

  onAccepted(latencyMs: number): void {
    const seen = this.#seen++;
    if (seen < reservoirSize) {
      this.#latencies[seen] = latencyMs;
      return;
    }
    const slot = this.#next() % (seen + 1);
    if (slot < reservoirSize) this.#latencies[slot] = latencyMs;
  }

  /** p99 of what was accepted since the last call (null when nothing was), and a new tick. */
  takeP99(): number | null {
    const n = Math.min(this.#seen, reservoirSize);
    this.#seen = 0;
    if (n === 0) return null;
    const sorted = this.#latencies.subarray(0, n).sort();
    return sorted[Math.min(n - 1, Math.ceil(0.99 * n) - 1)] as number;
  }

  onBreakerStateChange(origin: string, to: string): void {
    if (to === 'closed' || to === 'open' || to === 'half-open') this.#breakers.set(origin, to);
  }

  /** The worst state among the origins' breakers; undefined until one changed state (all closed). */
  breaker(): BreakerState | undefined {
    let worst: BreakerState | undefined;
    for (const state of this.#breakers.values()) if (worst === undefined || severity[state] > severity[worst]) worst = state;
    return worst;
  }

  /** The fault phase at `elapsedMs` of the measured run; undefined when the scenario has no phases. */
  phaseAt(elapsedMs: number): string | undefined {
    return this.#timeline?.phaseAt(elapsedMs);
  }

  #next(): number {
    // xorshift32
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state;
  }
}

/** The worse of two breaker states (the whole run's over its worker threads). */
export function worseBreaker(a: BreakerState | undefined, b: BreakerState | undefined): BreakerState | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return severity[b] > severity[a] ? b : a;
}
