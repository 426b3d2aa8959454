/**
 * A mock target that replays a recorded profile (`target: { mock: apns, profile: FILE }`,
 * simulator/profile.ts): for each provider of the target the profile holds,
 *  - latency: each mock gets a `latency` fault with the recorded distribution, matched to its
 *    provider (the mock APNs' own latency becomes 0): a fault's delay comes before every answer,
 *    the recorded errors included, as the recorded times were measured over every answer;
 *  - answers: one `recorded-answers` fault answers in the recorded proportions.
 * The faults join the scenario's own (after them, so a scenario's outage still wins), start with
 * the measured run like every scenario fault, and show in the result's `faults` with their counts.
 */
import { resolve } from 'node:path';
import { InvalidConfigError } from '../core/errors.js';
import type { Provider } from '../core/reasons.js';
import type { LatencySpec } from '../simulator/distributions.js';
import { loadProfileSync } from '../simulator/profile.js';
import type { FaultSpec, FaultsDocument } from '../simulator/faults/spec.js';

interface ProfiledTarget {
  readonly kind: string;
  readonly profile?: string;
}

/** Problems with `target.profile` for a target sending to `providers`; reads the file (cached). */
export function validateProfileTarget(profile: unknown, providers: readonly Provider[]): string[] {
  if (profile === undefined) return [];
  if (typeof profile !== 'string' || profile.length === 0) return [`target.profile must be the path of a profile file (pushsim run --record-profile FILE), got ${JSON.stringify(profile)}`];
  try {
    const held = Object.keys(loadProfileSync(profile).providers);
    if (!providers.some((p) => held.includes(p))) {
      return [`target.profile: profile ${profile} holds ${held.join(', ')}, none of the target's providers (${providers.join(', ')}); record one from a run to them`];
    }
    return [];
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    return error.problems.map((problem) => `target.profile: profile ${profile}: ${problem}`);
  }
}

/** The profile's providers among `providers`. */
function replayed(file: string, providers: readonly Provider[]): Provider[] {
  const held = loadProfileSync(file).providers;
  return providers.filter((p) => held[p] !== undefined);
}

/** Whether the mocks inject faults: the scenario's own, or a profile's replay (their counts go in the result). */
export function hasFaults(config: { readonly target: ProfiledTarget; readonly faults?: FaultsDocument | undefined }): boolean {
  return config.faults?.faults !== undefined || (config.target.kind === 'mock' && config.target.profile !== undefined);
}

/**
 * The mock APNs' own latency: none when the target's profile holds APNs. Its recorded latency is a
 * `latency` fault instead (withProfileFaults): the mock's own latency delays only what it accepts,
 * while the recorded times are those of every answer, and a replayed error answered at once would
 * pull the replay's percentiles below the recording's (by 2 % at p50 with 7 % errors).
 */
export function apnsLatency(target: ProfiledTarget & { readonly latency: LatencySpec }): LatencySpec {
  if (target.profile === undefined || loadProfileSync(target.profile).providers.apns === undefined) return target.latency;
  return { kind: 'fixed', ms: 0 };
}

/** The scenario's faults with the profile's replay faults after them; the scenario's own when there is no profile. */
export function withProfileFaults(target: ProfiledTarget, providers: readonly Provider[], faults: FaultsDocument | undefined, seed: number): FaultsDocument | undefined {
  if (target.kind !== 'mock' || target.profile === undefined) return faults;
  const added = replayFaults(target.profile, providers);
  return faults === undefined ? { seed, faults: added } : { ...faults, faults: [...(faults.faults ?? []), ...added] };
}

/**
 * The faults that replay profile `file`: a `latency` fault matched to each of `latencyFor` the
 * profile holds, then one `recorded-answers` fault (for every provider it holds).
 */
export function replayFaults(file: string, latencyFor: readonly Provider[]): FaultSpec[] {
  const faults = replayed(file, latencyFor).map(
    (provider) => ({ id: `profile-latency-${provider}`, kind: 'latency', match: { provider }, distribution: { kind: 'recorded', file, provider } }) as FaultSpec,
  );
  faults.push({ id: 'profile-answers', kind: 'recorded-answers', file } as FaultSpec);
  return faults;
}

/**
 * A scenario file's profile paths made absolute against the file's directory (as a `faults` path
 * is), and a problem when the file sets both `latency` and `profile` (the profile is the latency).
 */
export function resolveProfilePaths(target: Record<string, unknown> | undefined, baseDir: string): string[] {
  if (target === undefined || !('mock' in target)) return [];
  if (typeof target['profile'] === 'string') {
    target['profile'] = resolve(baseDir, target['profile']);
    if (target['latency'] !== undefined) return ['target.latency and target.profile both set the mock\'s latency: the profile replays the recorded one, so drop latency (or drop profile)'];
  }
  const latency = target['latency'];
  if (typeof latency === 'object' && latency !== null && typeof (latency as Record<string, unknown>)['file'] === 'string') {
    (latency as Record<string, unknown>)['file'] = resolve(baseDir, (latency as Record<string, unknown>)['file'] as string);
  }
  return [];
}
