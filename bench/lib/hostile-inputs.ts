/**
 * Hostile and random inputs for pushsim's surfaces, as fast-check arbitraries: shared by the fuzz
 * suite (test/fuzz/, properties with bounded runs) and the hostile-input campaign
 * (bench/hostile-campaign.ts, which samples them with a fixed seed). Three families:
 *
 *  - documents: scenario and fault-spec texts — random text, random data serialized as YAML or
 *    JSON, valid documents with one field made hostile, and known attacks (alias bombs, deep nesting,
 *    YAML tags, several documents, control characters);
 *  - valid documents, for round-trip properties;
 *  - HTTP/2 requests to the mocks: methods, paths, headers and bodies, hostile or near-valid.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';

// ---------- scalars a user could mistype -------------------------------------------------------

const edgeNumbers = [0, -0, -1, 1, 0.5, 1e-12, 1e12, 1e308, -1e308, 2 ** 31, 2 ** 31 - 1, 2 ** 53, Number.MAX_SAFE_INTEGER + 2, 4097, 65_536, 100_000_001];
const edgeStrings = ['', ' ', '0x10', '1e3', 'Infinity', 'NaN', '-1', '\u0000', '\u202e', '${HOME}', '../../etc/passwd', '/dev/zero', 'a'.repeat(5000), '🚀', 'null', 'true', '~', '*a', '&a', '!!binary AAAA', '%YAML 1.1'];

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(fc.constantFrom(...edgeNumbers), fc.integer(), fc.double({ noNaN: true }));
export const hostileString: fc.Arbitrary<string> = fc.oneof(fc.constantFrom(...edgeStrings), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 }));
export const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(hostileNumber, hostileString, fc.boolean(), fc.constant(null));

/** Nested objects and lists of hostile scalars, a few levels deep. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    hostileScalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(hostileString, fc.constantFrom('name', 'kind', 'rate', 'count', 'faults', 'load', 'target', 'mock')), tie('value'), { maxKeys: 4 }),
  ),
})).value;

// ---------- known attacks on YAML parsers ------------------------------------------------------

/** "Billion laughs": each level refers to the previous one nine times. */
export function aliasBomb(levels = 9, prefix = ''): string {
  const names = 'abcdefghijklmnop'.slice(0, levels);
  const lines = [`a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let i = 1; i < names.length; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(',')}]`);
  return `${prefix}${lines.join('\n')}\n`;
}

export const yamlAttacks: readonly string[] = [
  aliasBomb(),
  aliasBomb(9, 'name: bomb\n'),
  `name: x\nfaults: { faults: [${aliasBomb(6).replace(/\n/g, ' ')}] }`,
  `name: deep\nnotification: { payload: ${'{a: '.repeat(200)}1${'}'.repeat(200)} }`,
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  `${'- '.repeat(3000)}x`,
  `a:\n${Array.from({ length: 300 }, (_, i) => `${' '.repeat(i + 1)}b${i}:`).join('\n')} 1`,
  'name: x\nname: y\n',
  'name: a\n---\nname: b\n',
  'name: !!js/function "function () { process.exit(9) }"',
  'name: !!binary aGVsbG8=',
  'name: !custom x',
  'name: &self [*self]',
  'base: &b { rate: 1 }\nload:\n  <<: *b\n  count: 5\nname: merge',
  '? [complex, key]\n: value\nname: x',
  '\uFEFFname: bom',
  'name: "unterminated',
  'name:\tx',
  '%YAML 1.1\n---\nname: yes',
  'name: x\u0000y',
  `name: ${'x'.repeat(200_000)}`,
  '{"name": "json", "load": {"rate": 1e-12, "count": 10}}',
  '{"name": "json", "tokens": {"count": 1e12}}',
  '{"name": "json", "load": {"rate": "0x10"}}',
  'name: x\nload: { executor: ramping-arrival-rate, stages: [] }',
  `name: x\nload: { executor: ramping-arrival-rate, stages: [${Array(200).fill('{ durationMs: 1, target: 1 }').join(', ')}] }`,
  `name: x\nthresholds: [${Array(1000).fill('"p(99)<1"').join(', ')}]`,
  'name: x\nsender: { connections: 1e9, requestTimeoutMs: 1e15 }',
  'name: x\npolicies: { retry: { baseDelayMs: 1e15, maxAttempts: 1e9 } }',
  'name: x\nfaults: /dev/zero',
  'name: x\nfaults: ../../../../etc/passwd',
  'name: x\nfaults: .',
  'seed: -1\nfaults: [{ kind: latency }]',
  'faults: [{ kind: latency, distribution: { kind: pareto, scaleMs: 1e308, shape: 1e-308 } }]',
  'faults: [{ kind: throttle, ratePerSecond: 1e-12, burst: 1e12 }]',
  'faults: [{ kind: error, match: { token: "(a+)+$" } }]',
  `faults: [{ kind: error, match: { tokens: [${Array(5000).fill('"t"').join(',')}] } }]`,
  'phases: [{ name: a, durationMs: 1e300 }]\nfaults: []',
];

/** Small edits of a valid text: a character dropped, doubled or replaced, a line repeated. */
export function mutatedText(valid: readonly string[]): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...valid), fc.nat(), fc.constantFrom('drop', 'double', 'replace', 'repeat-line', 'truncate'), fc.constantFrom(':', '[', '{', '-', '&', '*', '#', '"', '\n', ' ', '\t', '!', '|', '>', '0', 'x')).map(([text, at, how, c]) => {
    const i = text.length === 0 ? 0 : at % text.length;
    switch (how) {
      case 'drop':
        return text.slice(0, i) + text.slice(i + 1);
      case 'double':
        return text.slice(0, i) + text.charAt(i) + text.slice(i);
      case 'replace':
        return text.slice(0, i) + c + text.slice(i + 1);
      case 'repeat-line': {
        const lines = text.split('\n');
        const line = lines[i % lines.length] ?? '';
        return [...lines.slice(0, i % lines.length), line, ...lines.slice(i % lines.length)].join('\n');
      }
      default:
        return text.slice(0, i);
    }
  });
}

// ---------- valid documents --------------------------------------------------------------------

const safeName = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const reasons = ['InternalServerError', 'ServiceUnavailable', 'TooManyRequests', 'Unregistered', 'BadDeviceToken'] as const;

/** A fault that validateFaultsDocument accepts. */
export const validFault: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.oneof(
      fc.record({ kind: fc.constant('latency'), distribution: fc.record({ kind: fc.constant('fixed'), ms: fc.integer({ min: 0, max: 500 }) }) }),
      fc.record({ kind: fc.constant('error'), apns: fc.constantFrom(...reasons) }),
      fc.record({ kind: fc.constant('outage') }),
      fc.record({ kind: fc.constant('throttle'), per: fc.constantFrom('mock', 'device'), ratePerSecond: fc.integer({ min: 1, max: 1000 }), burst: fc.integer({ min: 1, max: 100 }) }),
      fc.record({ kind: fc.constant('reset') }),
      fc.record({ kind: fc.constant('stall'), holdMs: fc.integer({ min: 1, max: 1000 }) }),
    ),
    fc.record({ id: safeName, probability: fc.double({ min: 0, max: 1, noNaN: true }), enabled: fc.boolean(), match: fc.record({ provider: fc.constant('apns'), token: fc.constantFrom('^a', '1$', '[0-9a-f]{64}') }) }, { requiredKeys: [] }),
  )
  .map(([kind, common]) => ({ ...kind, ...common }));

/** A fault spec document that validateFaultsDocument accepts (fault ids unique). */
export const validFaultSpec: fc.Arbitrary<Record<string, unknown>> = fc
  .record({ seed: fc.nat({ max: 2 ** 31 - 1 }), faults: fc.uniqueArray(validFault, { maxLength: 5, selector: (f) => f['id'] ?? Symbol('no id') }) }, { requiredKeys: ['faults'] })
  .map((spec) => spec);

const thresholdExpressions = ['p(99)<250', 'p(99.9, rejected)<500', 'rate(accepted)>=0.97', 'count(failed)==0', 'count(duplicates)<=100', 'throughput>=10'];

/** A scenario document that validateScenario accepts, within every limit. */
export const validScenario: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      name: safeName,
      description: fc.string({ maxLength: 30 }),
      target: fc.record({ mock: fc.constantFrom('apns', 'fcm', 'webpush'), tls: fc.boolean(), worker: fc.boolean() }, { requiredKeys: ['mock'] }),
      // rate ≥ 2: 100,000 notifications then plan at most 50,000 s, inside the 24 h a scenario may plan.
      load: fc.record({ rate: fc.integer({ min: 2, max: 100_000 }), count: fc.integer({ min: 1, max: 100_000 }) }),
      tokens: fc.record({ count: fc.integer({ min: 1, max: 50_000 }), unregisteredRatio: fc.double({ min: 0, max: 1, noNaN: true }), seed: fc.nat({ max: 1_000_000 }) }, { requiredKeys: [] }),
      sender: fc.record({ connections: fc.integer({ min: 1, max: 16 }), maxInFlight: fc.integer({ min: 1, max: 5000 }), requestTimeoutMs: fc.integer({ min: 1, max: 60_000 }) }, { requiredKeys: [] }),
      policies: fc.record({ retry: fc.oneof(fc.constant(false), fc.record({ maxAttempts: fc.integer({ min: 1, max: 10 }), baseDelayMs: fc.integer({ min: 0, max: 1000 }) })) }),
      warmup: fc.integer({ min: 0, max: 10_000 }),
      thresholds: fc.uniqueArray(fc.constantFrom(...thresholdExpressions), { maxLength: 4 }),
      faults: validFaultSpec,
    },
    { requiredKeys: ['name'] },
  )
  .map((doc) => doc);

/** A scenario-shaped document with one field replaced by a hostile value. */
export const hostileScenario: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(validScenario, fc.constantFrom('name', 'target', 'load', 'tokens', 'sender', 'policies', 'warmup', 'thresholds', 'faults', 'mix', 'notification', 'gracefulStopMs', 'nope'), hostileValue)
  .map(([doc, key, value]) => ({ ...doc, [key]: value }));

/** A fault spec with one field of one fault replaced by a hostile value. */
export const hostileFaultSpec: fc.Arbitrary<unknown> = fc
  .tuple(validFaultSpec, fc.constantFrom('kind', 'id', 'probability', 'match', 'phase', 'startMs', 'durationMs', 'distribution', 'ratePerSecond', 'holdMs', 'everyNth', 'limit', 'apns', 'nope'), hostileValue)
  .map(([spec, key, value]) => {
    const faults = (spec['faults'] as Record<string, unknown>[]).length > 0 ? (spec['faults'] as Record<string, unknown>[]) : [{ kind: 'outage' }];
    return { ...spec, faults: faults.map((f, i) => (i === 0 ? { ...f, [key]: value } : f)) };
  });

const asYamlOrJson = (value: unknown): fc.Arbitrary<string> => fc.constantFrom(stringify(value), JSON.stringify(value) ?? 'null');

/** Scenario files a user (or an attacker) could hand `pushsim run`. */
export const scenarioText: fc.Arbitrary<string> = fc.oneof(
  hostileScenario.chain(asYamlOrJson),
  hostileValue.chain(asYamlOrJson),
  fc.constantFrom(...yamlAttacks),
  mutatedText(['name: smoke\ntarget: { mock: apns }\nload: { rate: 1000, count: 5000 }\nthresholds: ["p(99)<250"]\n']),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

/** Fault spec files for `--faults` and a scenario's `faults:` path. */
export const faultSpecText: fc.Arbitrary<string> = fc.oneof(
  hostileFaultSpec.chain(asYamlOrJson),
  hostileValue.chain(asYamlOrJson),
  fc.constantFrom(...yamlAttacks),
  mutatedText(['seed: 7\nphases: [{ name: a, durationMs: 1000 }, { name: b }]\nfaults:\n  - { kind: error, phase: b, probability: 0.2, apns: InternalServerError }\n']),
  fc.string({ maxLength: 200 }),
);

// ---------- HTTP/2 requests to the mocks -------------------------------------------------------

export type MockProvider = 'apns' | 'fcm' | 'webpush';

export interface HostileRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly body: Buffer | undefined;
}

/** Header names node:http2 lets a client send (lower-case tokens; no connection-specific ones). */
const headerName = fc.oneof(
  fc.constantFrom('authorization', 'content-type', 'content-length', 'apns-topic', 'apns-id', 'apns-priority', 'apns-push-type', 'apns-expiration', 'apns-collapse-id', 'ttl', 'urgency', 'topic', 'content-encoding', 'crypto-key', 'encryption', 'x-filler'),
  fc.stringMatching(/^x-[a-z0-9-]{1,20}$/),
);
/** Values node:http2 lets a client send: tab, printable ASCII and Latin-1. */
const headerValue = fc.oneof(
  fc.constantFrom('', '0', '-1', '10', '99999999999999999999', 'bearer ', 'bearer x.y.z', 'vapid t=a,k=b', 'aes128gcm', 'application/json', 'text/plain', 'high', 'alert', 'background', 'voip'),
  fc.string({ maxLength: 60 }).map((s) => s.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?')),
  fc.integer({ min: 1, max: 20_000 }).map((n) => 'h'.repeat(n)),
);
/** A body that prints as its size and first bytes in a counterexample, not as 300,000 numbers. */
function described(buffer: Buffer): Buffer {
  const preview = buffer.subarray(0, 40).toString('latin1');
  return Object.assign(buffer, { [fc.toStringMethod]: () => `Buffer(${buffer.length} bytes: ${JSON.stringify(preview)}${buffer.length > 40 ? '…' : ''})` });
}

const body = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('{}', '[]', 'null', '{"aps":{"alert":"hi"}}', '{"message":{"token":"t","data":{"a":"1"}}}', '{"message":', '{"aps":' + '{"a":'.repeat(100)).map((s) => described(Buffer.from(s))),
  hostileValue.map((v) => described(Buffer.from(JSON.stringify(v) ?? 'null'))),
  fc.uint8Array({ maxLength: 5000 }).map((bytes) => described(Buffer.from(bytes))),
  fc.integer({ min: 4_000, max: 300_000 }).map((n) => described(Buffer.alloc(n, 0x7b))),
);

const pathsOf: Record<MockProvider, readonly string[]> = {
  apns: ['/3/device/', '/3/device/' + 'ab'.repeat(32), '/3/device//', '/3/', '/'],
  fcm: ['/v1/projects/pushsim-test/messages:send', '/v1/projects//messages:send', '/v1/projects/other/messages:send', '/token', '/v1/'],
  webpush: ['/push/', '/push/unknown', '/subscribe', '/message/x', '/'],
};

/** A request to one mock: hostile, or near-valid with one part made hostile. */
export function mockRequest(provider: MockProvider): fc.Arbitrary<HostileRequest> {
  const path = fc.oneof(
    fc.constantFrom(...pathsOf[provider]),
    fc.tuple(fc.constantFrom(...pathsOf[provider]), fc.string({ maxLength: 80 })).map(([prefix, tail]) => `${prefix}${encodeURIComponent(tail)}`),
    fc.constantFrom('/../../etc/passwd', '/%00', '/' + 'a'.repeat(5000), '/?x=' + '%'.repeat(10), '*'),
  );
  return fc.record({
    method: fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'FOO', 'post', 'CONNECT'),
    path,
    headers: fc.dictionary(headerName, fc.oneof(headerValue, fc.array(headerValue, { minLength: 2, maxLength: 3 })), { maxKeys: 6 }),
    body,
  });
}
