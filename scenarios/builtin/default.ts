import type { ScenarioConfig } from '../config.js';

/**
 * What `npm start` runs: 50,000 notifications at 5,000/s to the embedded mock APNs, 2 % of tokens
 * unregistered, a lognormal provider latency (median 8 ms, long right tail). About 10 s of sending.
 */
export const defaultScenario: ScenarioConfig = {
  name: 'default',
  description: 'APNs token auth against the embedded mock: constant arrival rate, 2 % unregistered tokens, lognormal latency',
  target: { kind: 'mock', provider: 'apns', tls: false, latency: { kind: 'lognormal', medianMs: 8, sigma: 0.6 }, worker: true },
  load: { executor: 'constant-arrival-rate', rate: 5000, count: 50_000 },
  tokens: { count: 10_000, unregisteredRatio: 0.02, seed: 1 },
  notification: {
    topic: 'com.example.pushsim',
    pushType: 'alert',
    priority: 10,
    payload: { aps: { alert: { title: 'pushsim', body: 'Load test notification' }, badge: 1, sound: 'default' } },
  },
  sender: { connections: 1, maxInFlight: 1000, maxQueue: 100_000, requestTimeoutMs: 10_000 },
  gracefulStopMs: 15_000,
  // A second's worth, not measured: the run then starts warm (see runner.ts warmUp).
  warmup: 5000,
};
