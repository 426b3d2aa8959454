/**
 * Safety rails for a run against real providers: pushsim is a load generator, and a scenario file
 * written for the mocks must not become 50,000 real notifications on real phones.
 *
 * A target is real when any origin it sends to is not on this machine (the embedded mocks and
 * loopback URLs are not; a Web Push target always is until its subscriptions are read). For a real
 * target:
 *  - no warm-up unless the scenario or `--warmup` asks for one (file.ts, run-action.ts);
 *  - a hard cap on notifications (warm-up included) and on their rate: the command line's ceilings
 *    (`--max-notifications`, `--max-rate`, or PUSHSIM_MAX_NOTIFICATIONS / PUSHSIM_MAX_RATE; low by
 *    default), which the file's `safety` section may lower and never raise; a larger load is cut
 *    to the cap, and the run says so;
 *  - Apple's production host, and FCM sending for real (not `validateOnly`), need the target's
 *    `allowProduction` AND `--allow-production`: one in a file someone else wrote is not consent.
 */
import { InvalidArgumentError, InvalidConfigError } from '../core/errors.js';
import type { Provider } from '../core/reasons.js';
import { isLoopback } from '../simulator/redirect/spec.js';
import type { ScenarioConfig, Target } from './config.js';
import { apnsHosts, apnsOrigin, fcmOrigin } from './config.js';
import type { LoadConfig } from './executors/index.js';
import { plannedCount } from './executors/index.js';

/** What the command line (or a library caller) allows; a scenario file cannot go above it. */
export interface SafetyCeilings {
  /** Notifications in all, warm-up included. @default realProviderDefaults.maxNotifications */
  readonly maxNotifications?: number;
  /** Notifications per second. @default realProviderDefaults.maxRate */
  readonly maxRate?: number;
  /** `--allow-production`: the second key to production APNs and real FCM sends. @default false */
  readonly allowProduction?: boolean;
}

/** Low on purpose: a first real run is a smoke test; more is a deliberate `--max-notifications`. */
export const realProviderDefaults = { maxNotifications: 1000, maxRate: 50 } as const;

/** The environment variables the CLI reads its ceilings from (after its flags). */
export const safetyEnv = { maxNotifications: 'PUSHSIM_MAX_NOTIFICATIONS', maxRate: 'PUSHSIM_MAX_RATE' } as const;

/** Each provider's origin that leaves this machine; empty for the mocks and loopback URLs. */
export function realOrigins(target: Target): ReadonlyMap<Provider, string> {
  const origins = new Map<Provider, string>();
  const add = (provider: Provider, url: string): void => {
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      return;
    }
    if (!isLoopback(host)) origins.set(provider, url);
  };
  if (target.kind === 'url') add('apns', target.url);
  if (target.kind === 'providers') {
    if (target.apns !== undefined) add('apns', apnsOrigin(target.apns.url));
    if (target.fcm !== undefined) {
      add('fcm', target.fcm.url ?? fcmOrigin);
      // The token endpoint is Google's unless moved: a real credential exchange.
      if (target.fcm.tokenUrl !== undefined && !origins.has('fcm')) add('fcm', target.fcm.tokenUrl);
    }
    // Where a subscription points is known once its file is read (target.ts checks the opt-in then).
    if (target.webpush !== undefined) origins.set('webpush', 'the subscriptions\' push services');
  }
  return origins;
}

export function isRealTarget(target: Target): boolean {
  return realOrigins(target).size > 0;
}

/** The safety caps a run against `config` is held to; undefined for mock and loopback targets. */
export interface AppliedSafety {
  readonly maxNotifications: number;
  readonly maxRate: number;
  /** The providers whose origin leaves this machine. */
  readonly realProviders: readonly Provider[];
  /** FCM sends with validate_only: checked, never delivered. */
  readonly dryRun: boolean;
}

/**
 * The scenario as it may run against a real provider: its load cut to the caps (with a note per
 * cut for the run's warnings), or an error when the file asks for more than the ceilings or for
 * production without the command line's consent. Mock and loopback targets are returned unchanged.
 */
export function applySafety(config: ScenarioConfig, ceilings: SafetyCeilings = {}): { config: ScenarioConfig; safety?: AppliedSafety; notes: string[] } {
  const origins = realOrigins(config.target);
  if (origins.size === 0) return { config, notes: [] };
  checkProduction(config.target, ceilings.allowProduction === true);
  const ceiling = { maxNotifications: ceilings.maxNotifications ?? realProviderDefaults.maxNotifications, maxRate: ceilings.maxRate ?? realProviderDefaults.maxRate };
  const problems: string[] = [];
  const { maxNotifications = ceiling.maxNotifications, maxRate = ceiling.maxRate } = config.safety ?? {};
  if (maxNotifications > ceiling.maxNotifications) problems.push(`safety.maxNotifications is ${maxNotifications}, above the ceiling of ${ceiling.maxNotifications} real notifications; raise the ceiling on purpose with --max-notifications (or ${safetyEnv.maxNotifications})`);
  if (maxRate > ceiling.maxRate) problems.push(`safety.maxRate is ${maxRate}/s, above the ceiling of ${ceiling.maxRate}/s; raise the ceiling on purpose with --max-rate (or ${safetyEnv.maxRate})`);
  const warmup = config.warmup ?? 0;
  if (warmup >= maxNotifications) problems.push(`warmup sends ${warmup} notifications, and the cap for real providers is ${maxNotifications} in all (warm-up included): lower warmup`);
  if (problems.length > 0) throw new InvalidConfigError(`scenario "${config.name}" against real providers (${[...origins.values()].join(', ')})`, problems);
  const notes: string[] = [];
  const load = capLoad(config.load, maxNotifications - warmup, maxRate, notes, config.name);
  const safety: AppliedSafety = {
    maxNotifications,
    maxRate,
    realProviders: [...origins.keys()],
    dryRun: config.target.kind === 'providers' && config.target.fcm?.validateOnly === true,
  };
  return { config: { ...config, load }, safety, notes };
}

function capLoad(load: LoadConfig, maxCount: number, maxRate: number, notes: string[], name: string): LoadConfig {
  const cut = (what: string, from: number, to: number): void => void notes.push(`real providers: ${what} cut from ${from} to ${to} by the safety cap (--max-notifications / --max-rate, safety section)`);
  if (load.executor === 'constant-arrival-rate') {
    if (load.count > maxCount) cut('the measured notifications', load.count, maxCount);
    if (load.rate > maxRate) cut('the rate (/s)', load.rate, maxRate);
    return { ...load, count: Math.min(load.count, maxCount), rate: Math.min(load.rate, maxRate) };
  }
  if (load.executor === 'closed') {
    if (load.count === undefined || load.count > maxCount) cut('the measured notifications', load.count ?? Infinity, maxCount);
    // The closed model has no rate of its own: the lanes' rate limit holds it to maxRate.
    return { ...load, count: Math.min(load.count ?? maxCount, maxCount) };
  }
  const stages = load.stages.map((stage) => ({ ...stage, target: Math.min(stage.target, maxRate) }));
  const capped = { ...load, stages, ...(load.startRate !== undefined && { startRate: Math.min(load.startRate, maxRate) }) };
  if (stages.some((stage, i) => stage.target !== load.stages[i]?.target) || capped.startRate !== load.startRate) cut('the ramp\'s rates (/s)', Math.max(load.startRate ?? 0, ...load.stages.map((s) => s.target)), maxRate);
  const planned = plannedCount(capped) ?? 0;
  if (planned > maxCount) {
    throw new InvalidConfigError(`scenario "${name}" against real providers`, [`load: the ramp plans ${Math.round(planned)} notifications, above the cap of ${maxCount} (after the warm-up): shorten its stages, or raise the cap with --max-notifications`]);
  }
  return capped;
}

/** Production APNs and real FCM sends need the target's `allowProduction` and the command line's `--allow-production`. */
function checkProduction(target: Target, flag: boolean): void {
  const wants: { what: string; inFile: boolean; fileKey: string }[] = [];
  if (target.kind === 'url' && new URL(target.url).hostname === new URL(apnsHosts.production).hostname) wants.push({ what: 'Apple\'s production APNs (api.push.apple.com)', inFile: target.allowProduction === true, fileKey: 'target.allowProduction' });
  if (target.kind === 'providers') {
    const { apns, fcm } = target;
    if (apns !== undefined && hostOf(apnsOrigin(apns.url)) === hostOf(apnsHosts.production)) wants.push({ what: 'Apple\'s production APNs (api.push.apple.com)', inFile: apns.allowProduction === true, fileKey: 'target.apns.allowProduction' });
    if (fcm !== undefined && fcm.validateOnly !== true && hostOf(fcm.url ?? fcmOrigin) === hostOf(fcmOrigin)) {
      wants.push({ what: 'FCM for real (fcm.googleapis.com delivers to real devices; it has no sandbox)', inFile: fcm.allowProduction === true, fileKey: 'target.fcm.allowProduction' });
    }
  }
  for (const want of wants) {
    if (want.inFile && flag) continue;
    const missing = [!want.inFile && `${want.fileKey}: true in the scenario`, !flag && '--allow-production on the command line'].filter(Boolean).join(' and ');
    const dryRun = want.what.startsWith('FCM') ? '; or send a dry run (target.fcm.validateOnly: true, or --dry-run)' : '';
    throw new InvalidArgumentError(`sending to ${want.what} needs both ${want.fileKey}: true in the scenario and --allow-production on the command line; missing: ${missing}${dryRun}`);
  }
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}
