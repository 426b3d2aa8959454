/**
 * The run's configuration as the reports print it: one label and one compact value per row, in
 * reading order, defaults named as the sender has them.
 */
import { describe, expect, it } from 'vitest';
import { compactValue, configRows, policyDefaults } from '../../reports/run-config.js';
import { circuitBreakerDefaults } from '../../sender/interceptors/circuit-breaker.js';
import { retryDefaults } from '../../sender/interceptors/retry.js';
import { defaultScenario } from '../../scenarios/builtin/default.js';
import { runConfigOf } from '../../scenarios/run-config.js';
import { brownoutConfig } from './fixtures.js';

describe('configRows', () => {
  it('lists load, target, recipients, sender, policies, faults and thresholds, then what the result adds', () => {
    const rows = configRows(brownoutConfig, { pushsim: '0.4.0', workers: 2 });
    expect(rows).toEqual([
      ['load', 'executor constant-arrival-rate, rate 500, count 5000'],
      ['target', 'pushsim mocks, apns, h2c, APNs mock in a worker thread'],
      ['mock latency', 'kind fixed, ms 2'],
      ['recipients', '1000 (2 % unregistered), seed 7'],
      ['sender', 'connections 2, maxInFlight 1000, maxQueue 10000, requestTimeoutMs 10000'],
      ['stop', 'warm-up 500 notifications · graceful stop 5000 ms'],
      ['retry', 'maxAttempts 3, baseDelayMs 50 (the rest default)'],
      ['circuit breaker', 'on, defaults (errorRate 0.5, minRequests 20, openMs 5000)'],
      ['fault seed', '42'],
      ['fault phases', 'healthy 3000 ms → brownout 3000 ms → recovering to the end'],
      ['fault brownout-503', 'outage: phase brownout, probability 0.3'],
      ['thresholds', 'p(99)<1000'],
      ['workers', '2'],
      ['pushsim', '0.4.0'],
    ]);
  });

  it('shows a mix of several providers as shares, and a policy turned off as off', () => {
    const rows = configRows({ ...brownoutConfig, mix: { apns: 0.6, fcm: 0.3, webpush: 0.1 }, policies: { retry: false, circuitBreaker: false }, faults: undefined });
    expect(rows).toContainEqual(['mix', 'apns 60 %, fcm 30 %, webpush 10 %']);
    expect(rows).toContainEqual(['retry', 'off']);
    expect(rows).toContainEqual(['circuit breaker', 'off']);
    expect(rows.some(([label]) => label.startsWith('fault'))).toBe(false);
  });

  it('names the recipients file a run sent to, not the generated tokens it did not use', () => {
    const rows = configRows({ ...brownoutConfig, recipients: { file: 'users.csv', format: 'csv' } });
    expect(rows).toContainEqual(['recipients', 'users.csv (csv)']);
    expect(rows.some(([, value]) => value.includes('unregistered'))).toBe(false);
  });

  it('with a recipients file and several providers, gives the routing in the target\'s order instead of a mix, which does not apply', () => {
    const rows = configRows({ ...brownoutConfig, target: { ...brownoutConfig.target, providers: ['apns', 'fcm'] }, mix: { apns: 0.5, fcm: 0.5 }, recipients: { file: 'users.csv', format: 'csv' } });
    expect(rows.some(([label]) => label === 'mix')).toBe(false);
    expect(rows).toContainEqual(['routing', 'each recipient to its first channel of apns → fcm, falling back along that order (no mix)']);
    // Without the file, the mix as before.
    expect(configRows({ ...brownoutConfig, target: { ...brownoutConfig.target, providers: ['apns', 'fcm'] }, mix: { apns: 0.5, fcm: 0.5 } })).toContainEqual(['mix', 'apns 50 %, fcm 50 %']);
  });

  it('says a simulated target is simulated, not a mock on a worker thread or h2c', () => {
    const rows = configRows(brownoutConfig, { virtual: true });
    const target = rows.find(([label]) => label === 'target')?.[1] ?? '';
    expect(target).toMatch(/simulated .*no sockets/);
    expect(target).not.toMatch(/worker thread|h2c|TLS/);
  });

  it("names the same defaults as the sender's retry and circuit breaker", () => {
    expect(policyDefaults.retry).toEqual(retryDefaults);
    expect(policyDefaults.circuitBreaker).toEqual(circuitBreakerDefaults);
  });
});

describe('compactValue', () => {
  it('writes nested objects in braces and lists in brackets, leaving out what is undefined', () => {
    expect(compactValue({ a: 1, b: { c: true, d: undefined }, e: ['x', 2], f: null })).toBe('a 1, b {c true}, e [x, 2], f —');
    expect(compactValue('text')).toBe('text');
  });
});

describe('the recipients file in the configuration', () => {
  it('runConfigOf names it relative to the scenario with its rows and sha256 (never the absolute path or a row), and the report prints that', () => {
    const sha256 = 'c0ffee'.padEnd(64, '0');
    const config = runConfigOf({ ...defaultScenario, recipients: { file: '/home/ci/work/data/users.csv', name: 'data/users.csv', checked: { rows: 1_000_000, sha256 } } });
    expect(config.recipients).toEqual({ file: 'data/users.csv', format: 'csv', rows: 1_000_000, sha256 });
    expect(JSON.stringify(config)).not.toContain('/home/ci');
    expect(configRows(config)).toContainEqual(['recipients', 'data/users.csv (csv, 1000000 rows, sha256 c0ffee0000000000…)']);
    // Without a name (a library caller), the base name; before the check, no rows or digest.
    expect(runConfigOf({ ...defaultScenario, recipients: { file: '/srv/x/people.ndjson' } }).recipients).toEqual({ file: 'people.ndjson', format: 'ndjson' });
  });
});
