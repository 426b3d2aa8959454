/**
 * `pushsim run`'s real-provider flags: `--apns`, `--fcm`, `--webpush` name the target (credentials
 * from the environment, docs/targets.md), `--dry-run` and `--allow-push-services` set its options,
 * and `--max-notifications`, `--max-rate` (or PUSHSIM_MAX_NOTIFICATIONS, PUSHSIM_MAX_RATE) and
 * `--allow-production` are the ceilings and consent a scenario file cannot give itself
 * (scenarios/safety.ts).
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { ProvidersTarget, ScenarioConfig, Target } from '../scenarios/config.js';
import { targetProviders } from '../scenarios/config.js';
import { validateMix } from '../scenarios/mix.js';
import { isRealTarget, safetyEnv } from '../scenarios/safety.js';
import type { SafetyCeilings } from '../scenarios/safety.js';

export interface RealTargetFlags {
  /** `--apns [host]`: true for the sandbox, or sandbox / production / a URL. */
  apns?: string | true;
  /** `--fcm [url]`: true for fcm.googleapis.com. */
  fcm?: string | true;
  /** `--webpush <subscriptions.json>`. */
  webpush?: string;
  dryRun?: boolean;
  allowPushServices?: boolean;
  allowProduction?: boolean;
  maxNotifications?: number;
  maxRate?: number;
  warmup?: number;
}

/**
 * The scenario with the target the flags name: added to (or replacing the URL of) a real-provider
 * target's providers, or replacing a mock target. A mix that does not fit the new providers is
 * dropped (equal shares); a warm-up the scenario inherited is dropped for a real target unless
 * `--warmup` asks for one.
 */
export function withTargetFlags(base: ScenarioConfig, flags: RealTargetFlags): ScenarioConfig {
  const named = flags.apns !== undefined || flags.fcm !== undefined || flags.webpush !== undefined;
  let target: Target = base.target;
  if (named) {
    const from: Omit<ProvidersTarget, 'kind'> = base.target.kind === 'providers' ? base.target : {};
    const url = (flag: string | true | undefined): { url?: string } => (typeof flag === 'string' ? { url: flag } : {});
    target = {
      kind: 'providers',
      ...(flags.apns !== undefined ? { apns: { ...from.apns, ...url(flags.apns) } } : from.apns !== undefined && { apns: from.apns }),
      ...(flags.fcm !== undefined ? { fcm: { ...from.fcm, ...url(flags.fcm) } } : from.fcm !== undefined && { fcm: from.fcm }),
      ...(flags.webpush !== undefined ? { webpush: { ...from.webpush, subscriptionsFile: flags.webpush } } : from.webpush !== undefined && { webpush: from.webpush }),
    };
  }
  if (flags.dryRun === true) {
    if (target.kind !== 'providers' || target.fcm === undefined) throw new InvalidArgumentError('--dry-run is FCM\'s validate_only: the target has no FCM; add --fcm (or target.fcm in the scenario)');
    target = { ...target, fcm: { ...target.fcm, validateOnly: true } };
  }
  if (flags.allowPushServices === true) {
    if (target.kind !== 'providers' || target.webpush === undefined) throw new InvalidArgumentError('--allow-push-services is for a Web Push target: add --webpush SUBSCRIPTIONS.json (or target.webpush in the scenario)');
    target = { ...target, webpush: { ...target.webpush, allowPushServices: true } };
  }
  if (target === base.target) return base;
  const { mix, warmup, ...rest } = base;
  const keepMix = mix !== undefined && validateMix(mix, targetProviders(target), 'the target').length === 0;
  // A warm-up the scenario had for the mocks would be real notifications now: only --warmup gives one.
  const keepWarmup = warmup !== undefined && (!named || !isRealTarget(target) || isRealTarget(base.target));
  return {
    ...rest,
    target,
    ...(keepMix && { mix }),
    ...(keepWarmup && { warmup }),
    ...(flags.warmup !== undefined && { warmup: flags.warmup }),
  };
}

/** The ceilings from the flags, then the environment; a bad environment value is a usage error naming the variable. */
export function safetyCeilings(flags: RealTargetFlags, env: Readonly<Record<string, string | undefined>>): SafetyCeilings {
  const fromEnv = (name: string, whole: boolean): number | undefined => {
    const text = env[name];
    if (text === undefined || text === '') return undefined;
    const n = Number(text);
    if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0) || (whole && !Number.isInteger(n))) throw new InvalidArgumentError(`${name} must be a ${whole ? 'whole number ≥ 1' : 'number > 0'}, got "${text}"`);
    return n;
  };
  const maxNotifications = flags.maxNotifications ?? fromEnv(safetyEnv.maxNotifications, true);
  const maxRate = flags.maxRate ?? fromEnv(safetyEnv.maxRate, false);
  return {
    ...(maxNotifications !== undefined && { maxNotifications }),
    ...(maxRate !== undefined && { maxRate }),
    ...(flags.allowProduction === true && { allowProduction: true }),
  };
}
