/** RoundTripProbe: this machine's own HTTP/2 round trip on 127.0.0.1, timed only once measuring. */
import { afterEach, describe, expect, it } from 'vitest';
import { RoundTripProbe } from '../../reports/profile-probe.js';
import type { RoundTripProbeOptions } from '../../reports/profile-probe.js';

const probes: RoundTripProbe[] = [];
afterEach(async () => {
  for (const probe of probes.splice(0)) {
    await probe.close();
    probe.destroy();
  }
});

async function started(options: RoundTripProbeOptions): Promise<RoundTripProbe> {
  const probe = await RoundTripProbe.start(options);
  probes.push(probe);
  return probe;
}

/** Polls until `done` (real sockets: a generous bound, not a timing assertion). */
async function until(done: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the probe');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('RoundTripProbe', () => {
  it('times round trips only after measure(), and stops at maxProbes', async () => {
    const probe = await started({ intervalMs: 2, maxProbes: 20 });
    // Probing before the measured run counts nothing.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(probe.summary().count).toBe(0);
    probe.measure();
    await until(() => probe.summary().count >= 20);
    const summary = probe.summary();
    expect(summary.p50).toBeGreaterThan(0);
    expect(summary.max).toBeGreaterThanOrEqual(summary.p50);
    expect(summary.mean).toBeGreaterThan(0);
    expect(summary.mean).toBeLessThanOrEqual(summary.max);
    // The cap holds: no more probes once it is reached.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(probe.summary().count).toBe(20);
  });

  it('closes twice without harm and keeps its measurements readable', async () => {
    const probe = await started({ intervalMs: 2 });
    probe.measure();
    await until(() => probe.summary().count >= 3);
    await probe.close();
    const count = probe.summary().count;
    await probe.close();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(probe.summary().count).toBe(count);
  });
});
