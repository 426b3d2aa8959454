/**
 * A sender Transport without sockets (issue 17, point 2): the sender's policies (its interceptors:
 * retry, breaker, fallback…) run unchanged in front of it, and behind it the mock's own decision
 * logic (simulator/virtual/) answers on a Scheduler — validation, auth, faults, ledger, latency.
 *
 * It behaves like the HTTP/2 pool (sender/http2/pool.ts) where a policy can see it — the request
 * path in virtual-transport-dispatch.ts, connections (connect attempts, backoff, GOAWAY, resets,
 * PINGs) in virtual-transport-connections.ts, streams in virtual-transport-streams.ts, failures
 * classified by the pool's own streamFailure in virtual-transport-failures.ts — and the provider's
 * fault engine acts on it as on a socket mock: request faults on its streams, session-level faults
 * (idle / max-age / PING GOAWAY, `streams`, `connection` refuse / slow handshake / reset) on its
 * connections, which it numbers as the socket mock numbers accepted connections (`match.connection`).
 *
 * What it does not model: TLS and TCP (no handshake cost beyond the network's round trip, no flow
 * control, no head-of-line blocking), a PING that goes unanswered, and the pool's `staggerMs`.
 */
import { InvalidArgumentError } from '../core/errors.js';
import type { Scheduler } from '../core/scheduler.js';
import type { Transport } from '../sender/transport.js';
import type { LatencySpec } from '../simulator/distributions.js';
import { createVirtualApns, type VirtualApns, type VirtualApnsOptions } from '../simulator/virtual/apns.js';
import { createVirtualFcm, type VirtualFcm, type VirtualFcmOptions } from '../simulator/virtual/fcm.js';
import { serviceTime, type VirtualProvider } from '../simulator/virtual/provider.js';
import { createVirtualWebPush, type VirtualWebPush, type VirtualWebPushOptions } from '../simulator/virtual/webpush.js';
import { VirtualTransport } from './virtual-transport-dispatch.js';
import { resolveLimits, type SimulatedLimits } from './virtual-transport-limits.js';

export type { SimulatedLimits } from './virtual-transport-limits.js';

interface CommonOptions {
  readonly scheduler: Scheduler;
  /** Round-trip time of the simulated network, sampled per request and split evenly between the ways. @default 0 */
  readonly network?: LatencySpec;
  /** Seed of the network sampler. @default 1 */
  readonly networkSeed?: number;
  readonly limits?: SimulatedLimits;
}

export type SimulatedApnsOptions = CommonOptions & { readonly provider: 'apns' } & VirtualApnsOptions;
export type SimulatedFcmOptions = CommonOptions & { readonly provider: 'fcm' } & VirtualFcmOptions;
export type SimulatedWebPushOptions = CommonOptions & { readonly provider: 'webpush' } & VirtualWebPushOptions;
/** The provider and its mock's options (those that mean something without sockets), plus the simulation's. */
export type SimulatedTransportOptions = SimulatedApnsOptions | SimulatedFcmOptions | SimulatedWebPushOptions;

export interface SimulatedTransport<P extends VirtualProvider = VirtualProvider> extends Transport {
  /** The provider side: its ledger (delivered, duplicates), engine (faults), counters, credentials. */
  readonly mock: P;
}

export function createSimulatedTransport(options: SimulatedApnsOptions): SimulatedTransport<VirtualApns>;
export function createSimulatedTransport(options: SimulatedFcmOptions): SimulatedTransport<VirtualFcm>;
export function createSimulatedTransport(options: SimulatedWebPushOptions): SimulatedTransport<VirtualWebPush>;
export function createSimulatedTransport(options: SimulatedTransportOptions): SimulatedTransport;
export function createSimulatedTransport(options: SimulatedTransportOptions): SimulatedTransport {
  const { scheduler, network, networkSeed, limits } = options;
  if (typeof scheduler?.after !== 'function') throw new InvalidArgumentError('scheduler must be a Scheduler (core/scheduler.ts)');
  const mock = createMock(options);
  const roundTrip = serviceTime(network, networkSeed ?? 1);
  return new VirtualTransport(mock, scheduler, resolveLimits(limits ?? {}), roundTrip === undefined ? undefined : () => roundTrip() / 2);
}

function createMock(options: SimulatedTransportOptions): VirtualProvider {
  switch (options.provider) {
    case 'apns': {
      const { provider: _p, scheduler, network: _n, networkSeed: _s, limits: _l, ...mock } = options;
      return createVirtualApns(mock, scheduler);
    }
    case 'fcm': {
      const { provider: _p, scheduler, network: _n, networkSeed: _s, limits: _l, ...mock } = options;
      return createVirtualFcm(mock, scheduler);
    }
    case 'webpush': {
      const { provider: _p, scheduler, network: _n, networkSeed: _s, limits: _l, ...mock } = options;
      return createVirtualWebPush(mock, scheduler);
    }
    default:
      throw new InvalidArgumentError(`provider must be 'apns', 'fcm' or 'webpush', got ${String((options as { provider: unknown }).provider)}`);
  }
}

