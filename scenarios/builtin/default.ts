import type { ScenarioConfig } from '../config.js';
import type { ConstantArrivalRateConfig } from '../executors/index.js';

/** The default load; also what a scenario file's `load` falls back on, field by field. */
export const defaultLoad: ConstantArrivalRateConfig = { executor: 'constant-arrival-rate', rate: 5000, count: 50_000 };

/**
 * What `npm start` runs: 50,000 notifications at 5,000/s to the embedded mock APNs, 2 % of tokens
 * unregistered, a lognormal provider latency (median 8 ms, long right tail). About 10 s of sending.
 */
export const defaultScenario: ScenarioConfig = {
  name: 'default',
  description: 'APNs token auth against the embedded mock: constant arrival rate, 2 % unregistered tokens, lognormal latency',
  target: { kind: 'mock', provider: 'apns', tls: false, latency: { kind: 'lognormal', medianMs: 8, sigma: 0.6 }, worker: true },
  load: defaultLoad,
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
