/**
 * A scenario's mock target as simulated transports on a Scheduler (issue 17): each provider's mock
 * is the same decision logic the socket mock runs (validation, auth, faults, ledger, latency;
 * scenarios/virtual-transport.ts), joined to the sender without sockets. The endpoints look like
 * target.ts's mock endpoints — recipients, credentials, ledgers, fault counts — plus the
 * `transport` the lanes' senders use instead of HTTP/2 connections.
 */
import { InvalidConfigError } from '../core/errors.js';
import type { Provider } from '../core/reasons.js';
import type { Scheduler } from '../core/scheduler.js';
import type { FaultsDocument } from '../simulator/faults/spec.js';
import type { ScenarioConfig } from './config.js';
import { targetProviders } from './config.js';
import { mixShares, populationSizes } from './mix.js';
import { apnsLatency, withProfileFaults } from './profile-target.js';
import { describe, expectedTraffic, observeInProcess } from './target.js';
import type { Endpoints, ObservedMock, OpenTarget } from './target.js';
import { makeTokens } from './tokens.js';
import { createSimulatedTransport } from './virtual-transport.js';

/** The providers a simulation has the mock's logic for, so far. */
export const simulatedProviders: readonly Provider[] = ['apns'];

/** Why this scenario cannot be simulated (each problem says what to change), or none. */
export function simulationProblems(config: ScenarioConfig): string[] {
  const { target } = config;
  if (target.kind !== 'mock') {
    const what = target.kind === 'url' ? `the external origin ${target.url}` : 'real providers';
    return [`target: a simulation runs the embedded mocks' logic on virtual time and sends nothing; this scenario's target is ${what}. Use target.mock (e.g. \`mock: apns\`), or \`pushsim run\` for a real target`];
  }
  const missing = targetProviders(target).filter((p) => !simulatedProviders.includes(p));
  if (missing.length > 0) return [`target.mock: ${missing.join(', ')} cannot be simulated yet (simulated: ${simulatedProviders.join(', ')}); simulate the APNs part alone, or \`pushsim run\` the scenario in real time`];
  if (config.recipients !== undefined) return ['recipients: a simulation sends to generated tokens (tokens.count); drop `recipients` (or --recipients) to simulate'];
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
  const population = makeTokens(sizes.get('apns') ?? 0, ratio, seed);
  const ledgerExpected = expectedTraffic(config, shares.get('apns') ?? 0);
  const transport = createSimulatedTransport({
    provider: 'apns',
    scheduler,
    latency: apnsLatency(target),
    unregistered: [...population.unregistered],
    seed,
    ...(faults !== undefined && { faults, faultsPaused: true }),
    ...(ledgerExpected !== undefined && { ledgerExpected }),
    limits: { connections: config.sender.connections, maxInFlight: config.sender.maxInFlight, maxQueue: config.sender.maxQueue, requestTimeoutMs: config.sender.requestTimeoutMs },
    networkSeed: seed,
  });
  const { mock } = transport;
  observed.push(observeInProcess(mock.engine, mock.ledger));
  closers.push(async () => mock.close());
  endpoints.apns = { url: transport.origin, ca: undefined, credentials: mock.credentials, placement: 'simulated', recipients: population.tokens, transport };
  return describe(endpoints, closers, observed);
}
