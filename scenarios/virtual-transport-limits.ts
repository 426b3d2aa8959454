/** The simulated transport's limits and timings: the HTTP/2 pool's (sender/http2/pool.ts, same defaults) and the provider's. */
import { assertInteger } from '../core/errors.js';
import { poolDefaults } from '../sender/http2/pool.js';

/** Connection and queue limits: the pool's (sender/http2/pool.ts) and the provider's. */
export interface SimulatedLimits {
  /** Connections kept open. @default 1 (the pool's default) */
  readonly connections?: number;
  /** Requests on the wire at once, over all connections. @default 1000 */
  readonly maxInFlight?: number;
  /** Requests waiting for a stream; beyond it they fail as `queue-full`. @default 100000 */
  readonly maxQueue?: number;
  /** From the moment a stream opens until its answer arrives. @default 30000 */
  readonly requestTimeoutMs?: number;
  /** Replays of a request the provider provably did not process. @default 2 */
  readonly maxReplays?: number;
  /** Requests the provider works on at once over all connections; the rest wait in its queue (service times add up). @default unlimited */
  readonly providerConcurrency?: number;
  /** A connection not usable within this long fails to connect (the pool's connectTimeoutMs). @default 10000 */
  readonly connectTimeoutMs?: number;
  /** An idle connection is PINGed this often (the pool's pingIntervalMs; 0: never). @default 60000 */
  readonly pingIntervalMs?: number;
  /** First wait after a failed connect, doubling up to reconnectMaxMs (the pool's). @default 1000 */
  readonly reconnectBaseMs?: number;
  /** @default 60000 */
  readonly reconnectMaxMs?: number;
}

export type Limits = Required<SimulatedLimits>;

export function resolveLimits(limits: SimulatedLimits): Limits {
  const d = poolDefaults;
  return {
    connections: assertInteger('limits.connections', limits.connections ?? d.connections, 1, d.maxConnections),
    maxInFlight: assertInteger('limits.maxInFlight', limits.maxInFlight ?? d.maxInFlight, 1),
    maxQueue: assertInteger('limits.maxQueue', limits.maxQueue ?? d.maxQueue, 0),
    requestTimeoutMs: assertInteger('limits.requestTimeoutMs', limits.requestTimeoutMs ?? d.requestTimeoutMs, 1),
    maxReplays: assertInteger('limits.maxReplays', limits.maxReplays ?? d.maxReplays, 0, d.maxMaxReplays),
    providerConcurrency: limits.providerConcurrency === undefined ? Infinity : assertInteger('limits.providerConcurrency', limits.providerConcurrency, 1),
    connectTimeoutMs: assertInteger('limits.connectTimeoutMs', limits.connectTimeoutMs ?? d.connectTimeoutMs, 1),
    pingIntervalMs: assertInteger('limits.pingIntervalMs', limits.pingIntervalMs ?? d.pingIntervalMs, 0),
    reconnectBaseMs: assertInteger('limits.reconnectBaseMs', limits.reconnectBaseMs ?? d.reconnectBaseMs, 0),
    reconnectMaxMs: assertInteger('limits.reconnectMaxMs', limits.reconnectMaxMs ?? d.reconnectMaxMs, 0),
  };
}
