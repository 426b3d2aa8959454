/**
 * A scenario's mock target (APNs, FCM, Web Push) as simulated transports on a Scheduler (issue 17): each provider's mock
 * is the same decision logic the socket mock runs (validation, auth, faults, ledger, latency;
 * scenarios/virtual-transport.ts), joined to the sender without sockets. The endpoints look like
 * target.ts's mock endpoints — recipients, credentials, ledgers, fault counts — plus the
 * `transport` the lanes' senders use instead of HTTP/2 connections.
 *
 * Recipients from a file need nothing more here, as in a real run (target.ts): their device and
 * registration tokens go as they are (any well-formed token is a live device to the mocks), and
 * recipients-send.ts stands each Web Push recipient in for one of the mock's own subscriptions.
 */
import { createHash } from 'node:crypto';
import { InvalidConfigError } from '../core/errors.js';
import type { Provider } from '../core/reasons.js';
import type { Scheduler } from '../core/scheduler.js';
import type { FaultsDocument } from '../simulator/faults/spec.js';
import type { ScenarioConfig } from './config.js';
import { targetProviders } from './config.js';
import { mixShares, populationSizes } from './mix.js';
import { apnsLatency, withProfileFaults } from './profile-target.js';
import { closeAll, describe, expectedTraffic, observeInProcess, vapidKeys } from './target.js';
import type { Endpoints, ObservedMock } from './target-endpoints.js';
import type { OpenTarget } from './target.js';
import { deadIndices, makeFcmTokens, makeTokens } from './tokens.js';
import type { VirtualProvider } from '../simulator/virtual/provider.js';
import { createSimulatedTransport } from './virtual-transport.js';

/** Why this scenario cannot be simulated (each problem says what to change), or none. */
export function simulationProblems(config: ScenarioConfig): string[] {
  const { target } = config;
  if (target.kind !== 'mock') {
    const what = target.kind === 'url' ? `the external origin ${target.url}` : 'real providers';
    return [`target: a simulation runs the embedded mocks' logic on virtual time and sends nothing; this scenario's target is ${what}. Use target.mock (e.g. \`mock: apns\`), or \`pushsim run\` for a real target`];
  }
  return [];
}

/** Opens the scenario's mocks as simulated transports on `scheduler`; throws InvalidConfigError for a target that cannot be simulated. */
export async function openSimulatedTarget(config: ScenarioConfig, scheduler: Scheduler): Promise<OpenTarget> {
  const problems = simulationProblems(config);
  if (problems.length > 0) throw new InvalidConfigError(`scenario "${config.name}"`, problems);
  const target = config.target as Extract<ScenarioConfig['target'], { kind: 'mock' }>;
  const providers = targetProviders(target);
  const shares = mixShares(config.mix, providers);
  const sizes = populationSizes(config.tokens.count, shares);
  const { unregisteredRatio: ratio, seed } = config.tokens;
  const faults: FaultsDocument | undefined = withProfileFaults(target, providers, config.faults, seed);
  const endpoints: Endpoints = {};
  const observed: ObservedMock[] = [];
  const closers: (() => Promise<void>)[] = [];
  // What each simulated transport shares: the scheduler, the sender's pool limits, the scenario's faults (paused until the measured run).
  const common = (provider: Provider) => {
    const ledgerExpected = expectedTraffic(config, shares.get(provider) ?? 0);
    return {
      scheduler,
      seed,
      networkSeed: seed,
      limits: { connections: config.sender.connections, maxInFlight: config.sender.maxInFlight, maxQueue: config.sender.maxQueue, requestTimeoutMs: config.sender.requestTimeoutMs },
      ...(faults !== undefined && { faults, faultsPaused: true }),
      ...(ledgerExpected !== undefined && { ledgerExpected }),
    };
  };
  const watch = (mock: VirtualProvider): void => {
    observed.push(observeInProcess(mock.engine, mock.ledger));
    closers.push(async () => mock.close());
  };
  try {
    for (const provider of providers) {
      const size = sizes.get(provider) ?? 0;
      if (provider === 'apns') {
        const population = makeTokens(size, ratio, seed);
        const transport = createSimulatedTransport({ provider: 'apns', ...common('apns'), latency: apnsLatency(target), unregistered: [...population.unregistered] });
        watch(transport.mock);
        endpoints.apns = { url: transport.origin, ca: undefined, credentials: transport.mock.credentials, placement: 'simulated', recipients: population.tokens, transport };
      } else if (provider === 'fcm') {
        // As in a real run, the FCM and Web Push mocks add no latency of their own (target.latency is the APNs mock's).
        const population = makeFcmTokens(size, ratio, seed);
        const transport = createSimulatedTransport({ provider: 'fcm', ...common('fcm'), unregistered: population.unregistered });
        watch(transport.mock);
        endpoints.fcm = { url: transport.origin, ca: undefined, serviceAccount: await transport.mock.serviceAccount(), placement: 'simulated', recipients: population.tokens, transport };
      } else {
        // Subscriptions derived from the seed, not random: their endpoints are in the result (tokens to prune).
        const subscriptionSecret = createHash('sha256').update(`pushsim simulate subscriptions ${seed}`).digest('base64url');
        const transport = createSimulatedTransport({ provider: 'webpush', ...common('webpush'), vapid: vapidKeys(), subscriptions: size, subscriptionSecret, decrypt: false, keepMessages: 0 });
        watch(transport.mock);
        // list() leaves expired subscriptions out, so take them all before expiring some (target.ts does the same).
        const subscriptions = transport.mock.subscriptions.list();
        for (const i of deadIndices(size, ratio, seed)) {
          const dead = subscriptions[i];
          if (dead) transport.mock.subscriptions.expire(dead.endpoint);
        }
        endpoints.webpush = { url: transport.origin, ca: undefined, vapid: transport.mock.vapid, placement: 'simulated', recipients: subscriptions, transport };
      }
    }
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
  return describe(endpoints, closers, observed);
}
