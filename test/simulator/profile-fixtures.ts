/** Profiles for tests: a lognormal latency histogram from a seeded generator and a chosen answer mix. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLatencyHistogram } from '../../reports/histogram.js';
import { PROFILE_SCHEMA } from '../../simulator/profile.js';
import type { Profile, ProfileAnswer, ProviderProfile } from '../../simulator/profile.js';
import { createRandom } from '../../simulator/random.js';

/** `count` samples of medianMs · e^(sigma · z), from seed `seed`, as a provider part with these answers. */
export function lognormalPart(medianMs: number, sigma: number, count: number, answers: readonly ProfileAnswer[], seed = 11): ProviderProfile {
  const random = createRandom(seed);
  const histogram = createLatencyHistogram();
  try {
    for (let i = 0; i < count; i++) {
      const z = Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
      histogram.recordMs(medianMs * Math.exp(sigma * z));
    }
    const attempts = answers.reduce((sum, a) => sum + a.count, 0);
    return { attempts, latencyMs: { ...histogram.summary(), hdr: histogram.encode() }, answers };
  } finally {
    histogram.destroy();
  }
}

export function profileOf(providers: Profile['providers']): Profile {
  return { schema: PROFILE_SCHEMA, recordedAt: '2026-12-06T08:00:00.000Z', providers };
}

/** Writes `value` (a profile or anything else) to a new temporary file; its path. */
export function writeTemp(value: unknown, name = 'profile.json'): string {
  const file = join(mkdtempSync(join(tmpdir(), 'pushsim-profile-')), name);
  writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

/** APNs: 93 % accepted, 5 % 503 ServiceUnavailable, 2 % 410 Unregistered (the example). */
export const apnsMix: readonly ProfileAnswer[] = [
  { status: 200, count: 9300 },
  { status: 503, reason: 'ServiceUnavailable', count: 500 },
  { status: 410, reason: 'Unregistered', count: 200 },
];
