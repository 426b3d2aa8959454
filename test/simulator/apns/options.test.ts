import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { resolveMockApnsOptions, type MockApnsOptions } from '../../../simulator/apns/options.js';
import { startMockApns } from '../../../simulator/apns/server.js';
import { generateApnsSigningKey } from '../../../simulator/apns/credentials.js';

const invalid = (options: unknown) => () => resolveMockApnsOptions(options as MockApnsOptions);

describe('mock APNs options', () => {
  it('fills defaults', () => {
    const resolved = resolveMockApnsOptions();
    expect(resolved).toMatchObject({
      host: '127.0.0.1',
      port: 0,
      tls: false,
      maxConcurrentStreams: 1000,
      sandbox: false,
      idleTimeoutMs: 600_000,
      logger: false,
      latency: undefined,
    });
    expect(resolved.trustedKeys).toHaveLength(1);
    expect(resolved.trustedKeys[0]?.keyId).toBe(resolved.credentials.keyId);
    expect(resolved.deviceTokenPattern.test('ab'.repeat(32))).toBe(true);
  });

  it.each<[string, unknown, RegExp]>([
    ['an unknown option', { latencyMs: 5 }, /unknown option 'latencyMs'; known options: host, port, tls/],
    ['a port out of range', { port: 70_000 }, /port must be an integer from 0 to 65535, got 70000/],
    ['a fractional stream limit', { maxConcurrentStreams: 1.5 }, /maxConcurrentStreams must be an integer from 1 to 4294967295/],
    ['zero streams', { maxConcurrentStreams: 0 }, /maxConcurrentStreams must be an integer from 1/],
    ['an empty host', { host: '' }, /host must be a non-empty string/],
    ['tls as a string', { tls: 'yes' }, /tls must be true, false or \{ cert, key, ca\? \}/],
    ['a bad latency spec, listing all problems', { latency: { kind: 'uniform', minMs: 5, maxMs: 1, jitter: 1 } }, /invalid latency option: latency.jitter is not a field of kind 'uniform'.*; latency.maxMs \(1\) must be >= latency.minMs \(5\)/],
    ['a clock without now()', { clock: {} }, /clock must be an object with a now\(\) method/],
    ['sandbox as a string', { sandbox: 'true' }, /sandbox must be true or false/],
    ['a negative seed', { seed: -1 }, /seed must be an integer from 0/],
    ['unregistered tokens that are not strings', { unregistered: [1] }, /unregistered must list device tokens as strings/],
    ['an unregistered timestamp that is not a number', { unregistered: { abc: 'yesterday' } }, /unregistered\['abc'\] \(timestamp, ms since epoch\) must be an integer/],
    ['keys that are not an array', { keys: {} }, /keys must be an array/],
    ['a key without keyId', { keys: [{ teamId: 'T', key: 'x' }] }, /keys\[0\].keyId must be a non-empty string \(the JWT kid\)/],
    ['a key that is not PEM', { keys: [{ keyId: 'K', teamId: 'T', key: 'nope' }] }, /keys\[0\].key \(keyId 'K'\) is not usable: the APNs key is neither/],
    ['a deviceTokenPattern string', { deviceTokenPattern: '^[0-9a-f]+$' }, /deviceTokenPattern must be a RegExp/],
    ['a negative idle timeout', { idleTimeoutMs: -1 }, /idleTimeoutMs must be an integer from 0/],
    ['mtls with tls: false', { mtls: true, tls: false }, /mtls needs TLS: remove tls: false/],
    ['mtls as a string', { mtls: 'yes' }, /mtls must be true, 'apple', false or \{ ca: \{ cert, key\? \} \}/],
    ['an unknown profile', { profile: 'fast' }, /profile must be 'validated' or 'accept-all', got fast/],
    ['a bundle id with spaces', { bundleId: 'com example' }, /bundleId must be a bundle id like com.example.app/],
    ['a rate limit without a window', { deviceRateLimit: { max: 1 } }, /deviceRateLimit.windowMs must be an integer from 1/],
    ['zero initial streams', { initialStreams: 0 }, /initialStreams must be an integer from 1/],
    ['onPush that is not a function', { onPush: 'Forbidden' }, /onPush must be a function/],
    ['a topic-specific key with no topics', { keys: [{ keyId: 'K', teamId: 'T', key: 'x', topics: [] }] }, /keys\[0\].topics must be a non-empty list of bundle ids/],
    ['a key with an unknown environment', { keys: [{ keyId: 'K', teamId: 'T', key: 'x', environment: 'dev' }] }, /keys\[0\].environment must be 'sandbox' or 'production'/],
  ])('rejects %s with InvalidArgumentError saying what to fix', (_name, options, message) => {
    expect(invalid(options)).toThrow(expect.objectContaining({ code: 'PUSHSIM_ERR_INVALID_ARGUMENT', message: expect.stringMatching(message) }));
  });

  it('rejects a key that is not EC P-256 and a key id listed twice', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(invalid({ keys: [{ keyId: 'K', teamId: 'T', key: rsa }] })).toThrow(/must be EC P-256 \(ES256\), got rsa/);
    const key = generateApnsSigningKey();
    const entry = { keyId: key.keyId, teamId: key.teamId, key: key.privateKey };
    expect(invalid({ keys: [entry, entry] })).toThrow(/keys\[1\].keyId '\w+' is listed twice/);
  });

  it('keeps unregistered timestamps, stamps listed tokens with the clock, and strips g/y flags from the token pattern', () => {
    const resolved = resolveMockApnsOptions({
      clock: { now: () => 77 },
      unregistered: ['a', 'b'],
      deviceTokenPattern: /^[a-z]+$/gy,
    });
    expect([...resolved.unregistered]).toEqual([['a', 77], ['b', 77]]);
    expect(resolved.deviceTokenPattern.flags).toBe('');
    expect(resolveMockApnsOptions({ unregistered: { t: 5 } }).unregistered.get('t')).toBe(5);
  });

  it('turns mtls on TLS, caps initialStreams at maxConcurrentStreams, and lets accept-all allow every stream at once', () => {
    expect(resolveMockApnsOptions({ mtls: true })).toMatchObject({ tls: 'generate', mtls: 'generate', bundleId: 'com.example.app', initialStreams: 1 });
    expect(resolveMockApnsOptions({ initialStreams: 50, maxConcurrentStreams: 10 }).initialStreams).toBe(10);
    expect(resolveMockApnsOptions({ profile: 'accept-all', maxConcurrentStreams: 10 }).initialStreams).toBe(10);
    expect(resolveMockApnsOptions().tokenUpdateWindowMs).toBe(1_200_000);
  });

  it('reports config problems as InvalidConfigError listing them all', () => {
    expect(invalid({ config: { expired: 'x', script: { a: 'Nope' } } })).toThrow(
      expect.objectContaining({ code: 'PUSHSIM_ERR_INVALID_CONFIG', problems: [expect.stringMatching(/^expired:/), expect.stringMatching(/^script.a:/)] }),
    );
  });

  it('makes startMockApns throw before listening', async () => {
    await expect(startMockApns({ port: -1 })).rejects.toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(/^port must be/) });
  });
});
