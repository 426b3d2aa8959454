/**
 * result.json's `config` (reports/run-config.ts) from the scenario as run: what a report shows as
 * the run's configuration. Built field by field, never by copying the scenario, so nothing secret
 * can ride along: a URL target's key file, key id and team id, its CA file and the notification's
 * payload are left out (the target's origin is in `target`), and only plain data is kept (a policy
 * given in code with a callback or a clock keeps its numbers, not the function).
 */
import type { RunConfig, PlainRecord } from '../reports/run-config.js';
import type { ScenarioConfig } from './config.js';
import { targetProviders } from './config.js';
import { mixShares } from './mix.js';
import { recipientsFormat } from './recipients-config.js';

export function runConfigOf(config: ScenarioConfig): RunConfig {
  const { target, tokens, sender, policies, faults } = config;
  const providers = targetProviders(target);
  const shares = mixShares(config.mix, providers);
  return {
    load: plainRecord(config.load),
    target:
      target.kind === 'mock'
        ? { kind: 'mock', providers: [...providers], tls: target.tls, worker: target.worker, latency: plain(target.latency) }
        : { kind: 'url', providers: [...providers] },
    mix: Object.fromEntries([...shares].map(([provider, share]) => [provider, Math.round(share * 1e6) / 1e6])),
    tokens: { count: tokens.count, unregisteredRatio: tokens.unregisteredRatio, seed: tokens.seed },
    ...(config.recipients !== undefined && { recipients: { file: config.recipients.file, format: recipientsFormat(config.recipients) ?? 'csv' } }),
    sender: { connections: sender.connections, maxInFlight: sender.maxInFlight, maxQueue: sender.maxQueue, requestTimeoutMs: sender.requestTimeoutMs },
    gracefulStopMs: config.gracefulStopMs,
    warmup: config.warmup ?? 0,
    policies: { retry: policy(policies?.retry), circuitBreaker: policy(policies?.circuitBreaker) },
    ...(faults !== undefined && {
      faults: {
        ...(faults.seed !== undefined && { seed: faults.seed }),
        ...(faults.phases !== undefined && { phases: faults.phases.map(plainRecord) }),
        faults: (faults.faults ?? []).map(plainRecord),
      },
    }),
    ...(config.validity !== undefined && { validity: plainRecord(config.validity) }),
    ...(config.thresholds !== undefined && { thresholds: [...config.thresholds] }),
  };
}

function policy(given: false | object | undefined): 'default' | false | PlainRecord {
  if (given === undefined) return 'default';
  if (given === false) return false;
  return plainRecord(given);
}

function plainRecord(value: object): PlainRecord {
  return (plain(value) ?? {}) as PlainRecord;
}

/**
 * JSON-safe plain data: numbers, strings, booleans, null, arrays and plain objects of them; functions,
 * class instances (a clock, a retry budget object) and undefined are left out.
 */
function plain(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (Array.isArray(value)) return value.map(plain).filter((v) => v !== undefined);
  if (typeof value !== 'object') return undefined;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    const kept = plain(v);
    if (kept !== undefined) out[key] = kept;
  }
  return out;
}
