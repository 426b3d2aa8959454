import type { ScenarioConfig } from '../config.js';
import { defaultScenario } from './default.js';

/**
 * `pushsim run mixed`: one fleet on three providers. 20,000 notifications at 2,000/s, 60 % to the
 * mock APNs (in a worker thread), 30 % to the mock FCM, 10 % to the mock Web Push service, and 2 %
 * of each provider's recipients dead (APNs Unregistered, FCM UNREGISTERED, expired subscriptions).
 * About 10 s of sending.
 */
export const mixedScenario: ScenarioConfig = {
  ...defaultScenario,
  name: 'mixed',
  description: 'APNs, FCM and Web Push against the embedded mocks: 60/30/10 mix, constant arrival rate, 2 % dead tokens per provider',
  target: { kind: 'mock', provider: ['apns', 'fcm', 'webpush'], tls: false, latency: { kind: 'lognormal', medianMs: 8, sigma: 0.6 }, worker: true },
  mix: { apns: 0.6, fcm: 0.3, webpush: 0.1 },
  load: { executor: 'constant-arrival-rate', rate: 2000, count: 20_000 },
  tokens: { count: 10_000, unregisteredRatio: 0.02, seed: 1 },
};
