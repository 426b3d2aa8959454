/**
 * The faults of a scenario that cannot fire in this run (simulator/faults/dormant.ts), from what
 * every request will carry: the providers, the notification's fields, the recipients. Both the
 * mocks' faults (`faults`) and those of a fault proxy started in front of a real provider
 * (`target.apns.proxy.faults`, `target.fcm.proxy.faults`), each judged against the traffic that
 * goes through it.
 *
 * With recipients from a file the tokens are not known before the run (the file is streamed, and
 * each row goes to its first channel), so nothing is said about a fault's token match: only what
 * is sure (a provider, topic, push type or priority no request has, a phase after the end).
 */
import type { FaultsDocument } from '../simulator/faults/spec.js';
import { faultsThatCannotFire } from '../simulator/faults/dormant.js';
import type { RunTraffic } from '../simulator/faults/dormant.js';
import type { ScenarioConfig } from './config.js';
import { lastPlannedMs } from './executors/index.js';
import type { OpenTarget } from './target.js';

export function dormantFaults(config: ScenarioConfig, target: OpenTarget): string[] {
  const providers = trafficOf(config, target);
  const plannedEndMs = lastPlannedMs(config.load);
  const warnings = hasAny(config.faults) ? faultsThatCannotFire(config.faults as FaultsDocument, { providers, plannedEndMs }) : [];
  if (config.target.kind === 'providers') {
    for (const provider of ['apns', 'fcm'] as const) {
      const faults = config.target[provider]?.proxy?.faults;
      const traffic = providers[provider];
      if (!hasAny(faults) || traffic === undefined) continue;
      // The proxy in front of this provider sees only its requests.
      for (const warning of faultsThatCannotFire(faults as FaultsDocument, { providers: { [provider]: traffic }, plannedEndMs })) warnings.push(`target.${provider}.proxy: ${warning}`);
    }
  }
  return warnings;
}

function hasAny(faults: FaultsDocument | undefined): boolean {
  return faults?.faults !== undefined && faults.faults.length > 0;
}

function trafficOf(config: ScenarioConfig, target: OpenTarget): RunTraffic['providers'] {
  const { topic, pushType, priority } = config.notification;
  // A recipients file's tokens are not known up front: unknown, not the target's generated ones.
  const fromFile = config.recipients !== undefined;
  const tokens = <T>(list: readonly T[], key: (recipient: T) => string): { tokens?: readonly string[] } => (fromFile ? {} : { tokens: list.map(key) });
  return {
    ...(target.apns && { apns: { topic, pushType, priority: priority === undefined ? undefined : String(priority), ...tokens(target.apns.recipients, (t) => t) } }),
    // The FCM and Web Push messages of a run: android priority high, Urgency high (lanes.ts, recipients-send.ts).
    ...(target.fcm && { fcm: { priority: 'high', ...tokens(target.fcm.recipients, (t) => t) } }),
    ...(target.webpush && { webpush: { priority: 'high', ...tokens(target.webpush.recipients, (s) => new URL(s.endpoint).pathname) } }),
  };
}
