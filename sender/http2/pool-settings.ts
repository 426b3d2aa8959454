/**
 * The pool settings every provider sender accepts at its top level, picked out of its options
 * (only those set, so a sender's `pool` block and the pool's own defaults still apply).
 */
import type { Http2PoolOptions } from './pool.js';

export type PoolSettings = Pick<Http2PoolOptions, 'connections' | 'maxInFlight' | 'maxQueue' | 'requestTimeoutMs' | 'tls'>;

const keys = ['connections', 'maxInFlight', 'maxQueue', 'requestTimeoutMs', 'tls'] as const;

export function definedPoolSettings(options: PoolSettings): PoolSettings {
  const settings: Record<string, unknown> = {};
  for (const key of keys) if (options[key] !== undefined) settings[key] = options[key];
  return settings as PoolSettings;
}
