import type * as NodeModule from 'node:module';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  HISTOGRAM_BOUNDS,
  createLatencyHistogram,
  decodeHistogram,
  histogramBackend,
  initHistograms,
  mergeEncoded,
} from '../../reports/histogram.js';
import type { LatencyHistogram } from '../../reports/histogram.js';
import type * as hdr from 'hdr-histogram-js';

/** HDR with 3 significant digits keeps values within 0.1 %; allow that plus the µs rounding. */
function expectWithin(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(expected * 0.001 + 0.001);
}

const created: LatencyHistogram[] = [];
function histogram(): LatencyHistogram {
  const h = createLatencyHistogram();
  created.push(h);
  return h;
}

function recordRange(h: LatencyHistogram, fromMs: number, toMs: number): void {
  for (let v = fromMs; v <= toMs; v++) h.recordMs(v);
}

beforeAll(async () => {
  await initHistograms();
});

afterEach(() => {
  for (const h of created.splice(0)) h.destroy();
});

describe('initHistograms', () => {
  it('uses the WebAssembly build and is idempotent', async () => {
    await initHistograms();
    await initHistograms();
    expect(histogramBackend()).toEqual({ kind: 'wasm' });
    expect(histogram().backend).toBe('wasm');
  });
});

describe('LatencyHistogram', () => {
  it('reports percentiles of 1..1000 ms within HDR precision', () => {
    const h = histogram();
    recordRange(h, 1, 1000);
    const s = h.summary();
    expect(s.count).toBe(1000);
    expectWithin(s.p50, 500);
    expectWithin(s.p90, 900);
    expectWithin(s.p99, 990);
    expectWithin(s.p999, 999);
    expectWithin(s.max, 1000);
  });

  it('keeps microsecond resolution below a millisecond and rounds to 3 decimals', () => {
    const h = histogram();
    h.recordMs(0.25);
    h.recordMs(0.2504); // rounds to 250 µs
    const s = h.summary();
    expect(s.p50).toBe(0.25);
    expect(s.max).toBe(0.25);
    for (const value of [s.p50, s.p90, s.p99, s.p999, s.max]) {
      expect(Math.round(value * 1000) / 1000).toBe(value);
    }
  });

  it('summarises an empty histogram as zeros', () => {
    expect(histogram().summary()).toEqual({ count: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
  });

  it('clamps values above ten minutes and below zero instead of throwing', () => {
    const h = histogram();
    h.recordMs(20 * 60_000);
    h.recordMs(Number.POSITIVE_INFINITY);
    h.recordMs(-5);
    const s = h.summary();
    expect(s.count).toBe(3);
    expectWithin(s.max, HISTOGRAM_BOUNDS.highestUs / 1000);
    expect(h.summary().p50).toBeGreaterThan(599_000);
  });

  it('rejects NaN without recording it', () => {
    const h = histogram();
    expect(() => h.recordMs(Number.NaN)).toThrow(expect.objectContaining({ code: 'PUSHSIM_ERR_INVALID_ARGUMENT' }));
    expect(h.count).toBe(0);
  });

  it('recordCorrectedMs adds the samples missed during a stall', () => {
    const h = histogram();
    // 100 ms with one expected every 10 ms: 100, 90, …, 10 → 10 values (HdrHistogram semantics).
    h.recordCorrectedMs(100, 10);
    expect(h.count).toBe(10);
    expectWithin(h.summary().p50, 50);
    // Below the interval nothing is added.
    h.recordCorrectedMs(5, 10);
    expect(h.count).toBe(11);
    expect(() => h.recordCorrectedMs(5, -1)).toThrow(expect.objectContaining({ code: 'PUSHSIM_ERR_INVALID_ARGUMENT' }));
  });

  it('destroy is idempotent and later use throws', () => {
    const h = createLatencyHistogram();
    h.destroy();
    h.destroy();
    expect(() => h.recordMs(1)).toThrow(expect.objectContaining({ code: 'PUSHSIM_ERR_CLOSED' }));
  });
});

describe('encode / decode / merge', () => {
  it('round-trips count and percentiles', () => {
    const h = histogram();
    recordRange(h, 1, 1000);
    h.recordMs(0.5);
    const decoded = decodeHistogram(h.encode());
    created.push(decoded);
    expect(decoded.summary()).toEqual(h.summary());
    expect(decoded.count).toBe(1001);
  });

  it('merges encoded histograms into one with the summed count', () => {
    const low = histogram();
    const high = histogram();
    recordRange(low, 1, 100);
    recordRange(high, 101, 200);
    const merged = decodeHistogram(mergeEncoded([low.encode(), high.encode()]));
    created.push(merged);
    const s = merged.summary();
    expect(s.count).toBe(200);
    expectWithin(s.p50, 100);
    expectWithin(s.max, 200);
  });

  it('merges an empty list into an empty histogram', () => {
    const merged = decodeHistogram(mergeEncoded([]));
    created.push(merged);
    expect(merged.count).toBe(0);
  });

  it('throws InvalidArgumentError on something that is not an HDR histogram', () => {
    expect(() => decodeHistogram('bm90IGEgaGlzdG9ncmFt')).toThrow(
      expect.objectContaining({ code: 'PUSHSIM_ERR_INVALID_ARGUMENT' }),
    );
    expect(() => mergeEncoded(['%%%'])).toThrow(expect.objectContaining({ code: 'PUSHSIM_ERR_INVALID_ARGUMENT' }));
  });
});

describe('backend selection (fresh module instances)', () => {
  afterEach(() => {
    vi.doUnmock('node:module');
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('falls back to the JS build with a warning when WebAssembly fails, and stays interoperable', async () => {
    vi.resetModules();
    // histogram.ts loads hdr-histogram-js (CommonJS) with createRequire on first use: hand it a copy
    // whose WebAssembly initialisation fails.
    vi.doMock('node:module', async (importOriginal) => {
      const actual = await importOriginal<typeof NodeModule>();
      return {
        ...actual,
        createRequire: (url: string | URL) => {
          const require = actual.createRequire(url);
          return (id: string): unknown =>
            id === 'hdr-histogram-js'
              ? {
                  ...(require(id) as typeof hdr),
                  initWebAssembly: () => Promise.reject(new Error('no wasm here')),
                  initWebAssemblySync: () => {
                    throw new Error('no wasm here');
                  },
                }
              : require(id);
        },
      };
    });
    const warn = vi.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const fresh = await import('../../reports/histogram.js');

    await fresh.initHistograms();
    await fresh.initHistograms();
    expect(fresh.histogramBackend()).toEqual({ kind: 'js', fallbackReason: 'no wasm here' });
    expect(warn).toHaveBeenCalledTimes(1);

    const js = fresh.createLatencyHistogram();
    expect(js.backend).toBe('js');
    recordRange(js, 1, 1000);
    expectWithin(js.summary().p99, 990);
    // A JS-encoded histogram decodes in the WebAssembly build (the module under test above).
    const decoded = decodeHistogram(js.encode());
    created.push(decoded);
    expect(decoded.summary()).toEqual(js.summary());
    js.destroy();
  });

  it('uses the JS build for histograms created while the async init is still running', async () => {
    vi.resetModules();
    const fresh = await import('../../reports/histogram.js');
    const pending = fresh.initHistograms();
    const early = fresh.createLatencyHistogram();
    expect(early.backend).toBe('js');
    await pending;
    const late = fresh.createLatencyHistogram();
    expect(late.backend).toBe('wasm');
    early.recordMs(1);
    late.recordMs(2);
    // Both merge, whatever their build.
    const merged = decodeHistogram(fresh.mergeEncoded([early.encode(), late.encode()]));
    created.push(merged);
    expect(merged.count).toBe(2);
    early.destroy();
    late.destroy();
  });

  it('compiles WebAssembly on first use when initHistograms was not called', async () => {
    vi.resetModules();
    const fresh = await import('../../reports/histogram.js');
    expect(fresh.histogramBackend()).toEqual({ kind: 'uninitialized' });
    const h = fresh.createLatencyHistogram();
    expect(h.backend).toBe('wasm');
    expect(fresh.histogramBackend()).toEqual({ kind: 'wasm' });
    h.destroy();
  });
});
