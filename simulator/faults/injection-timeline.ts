/**
 * When the faults fired: injections counted per 100 ms of the fault timeline, all faults together.
 * The runner places them on its own per-second timeline (reports/timeline.ts `injectedPerSecond`),
 * whose clock starts a few ms after the faults' — a tenth of a second is fine enough to put each in
 * the right second, and an hour of it is 36,000 numbers. Bounded: a mock or proxy left running for
 * days keeps 24 hours of bins (a scenario plans at most that) and counts what comes later in the last.
 */

/** Injections per bin of `binMs`, bin 0 starting at the fault timeline's start. */
export interface InjectionCounts {
  readonly binMs: number;
  readonly counts: readonly number[];
}

export const injectionBinMs = 100;
/** 24 hours of bins: the longest a scenario can plan (scenarios/config.ts `maxPlannedMs`). */
export const maxInjectionBins = (24 * 3600 * 1000) / injectionBinMs;

export class InjectionTimeline {
  readonly #counts: number[] = [];

  /** One injection `offsetMs` after the fault timeline started (one before it is counted in bin 0). */
  count(offsetMs: number): void {
    const bin = Math.min(maxInjectionBins - 1, Math.max(0, Math.floor(offsetMs / injectionBinMs)));
    for (let b = this.#counts.length; b <= bin; b++) this.#counts.push(0);
    this.#counts[bin] = (this.#counts[bin] ?? 0) + 1;
  }

  snapshot(): InjectionCounts {
    return { binMs: injectionBinMs, counts: [...this.#counts] };
  }

  clear(): void {
    this.#counts.length = 0;
  }
}

/** Several mocks' counts on one timeline (they start their faults together): added bin by bin. */
export function sumInjectionCounts(parts: readonly InjectionCounts[]): InjectionCounts {
  const counts: number[] = [];
  for (const part of parts) {
    if (part.binMs !== injectionBinMs) continue;
    part.counts.forEach((n, bin) => {
      counts[bin] = (counts[bin] ?? 0) + n;
    });
  }
  return { binMs: injectionBinMs, counts: Array.from(counts, (n) => n ?? 0) };
}
