import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SignJWT, importPKCS8 } from 'jose';
import { generateApnsSigningKey, loadApnsVerificationKey } from '../../../simulator/apns/credentials.js';
import { createProviderTokenVerifier, type ProviderTokenVerifierOptions } from '../../../simulator/apns/jwt-verifier.js';
import type { AuthCheck } from '../../../simulator/apns/validate.js';
import { signHs256Token, signProviderToken } from './helpers.js';

const key = generateApnsSigningKey();
const nowMs = 1_800_000_000_000;
const nowS = nowMs / 1000;

function setup(options: Partial<ProviderTokenVerifierOptions> = {}) {
  const clock = { now: () => nowMs };
  const verifier = createProviderTokenVerifier(
    [{ keyId: key.keyId, teamId: key.teamId, verificationKey: loadApnsVerificationKey(key.privateKey) }],
    { clock, ...options },
  );
  return { verifier, clock };
}

const bearer = (jwt: string): string => `bearer ${jwt}`;
const unsigned = (header: object, claims: object): string =>
  `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

describe('provider token verifier', () => {
  it('accepts a fresh ES256 token from a trusted key', async () => {
    const { verifier } = setup();
    expect(await verifier.check(bearer(await signProviderToken(key, { iat: nowS - 60 })))).toBeUndefined();
  });

  it.each([[undefined], [''], ['bearer '], ['bearer    '], ['Basic dXNlcjpwYXNz'], ['bearer']])(
    'answers MissingProviderToken for authorization %j',
    async (authorization) => {
      const { verifier } = setup();
      expect(await verifier.check(authorization)).toBe('MissingProviderToken');
    },
  );

  it('accepts the Bearer prefix in any case', async () => {
    const { verifier } = setup();
    expect(await verifier.check(`Bearer ${await signProviderToken(key, { iat: nowS })}`)).toBeUndefined();
  });

  it.each<[string, () => Promise<string>]>([
    ['a key id it does not know', () => signProviderToken(key, { kid: 'UNKNOWN123', iat: nowS })],
    ['a trusted kid but another key', () => signProviderToken({ ...generateApnsSigningKey(), keyId: key.keyId, teamId: key.teamId }, { iat: nowS })],
    ['another team in iss', () => signProviderToken(key, { iss: 'OTHERTEAM1', iat: nowS })],
    ['alg HS256 (algorithm confusion)', () => signHs256Token(key)],
    ['alg none', async () => unsigned({ alg: 'none', kid: key.keyId }, { iss: key.teamId, iat: nowS })],
    ['no iat', async () =>
      new SignJWT({ iss: key.teamId }).setProtectedHeader({ alg: 'ES256', kid: key.keyId }).sign(await importPKCS8(key.privateKey, 'ES256'))],
    ['garbage', async () => 'not.a.jwt'],
    ['a truncated signature', async () => (await signProviderToken(key, { iat: nowS })).slice(0, -10)],
  ])('answers InvalidProviderToken for %s', async (_name, makeToken) => {
    const { verifier } = setup();
    expect(await verifier.check(bearer(await makeToken()))).toBe('InvalidProviderToken');
  });

  it('synchronous (a simulation): the same verdicts as jose, never a promise, and cached', async () => {
    const tokens = [
      await signProviderToken(key, { iat: nowS }),
      await signProviderToken(key, { iat: nowS - 3601 }),
      await signProviderToken(key, { kid: 'UNKNOWN123', iat: nowS }),
      await signProviderToken({ ...generateApnsSigningKey(), keyId: key.keyId, teamId: key.teamId }, { iat: nowS }),
      await signProviderToken(key, { iss: 'OTHERTEAM1', iat: nowS }),
      await signHs256Token(key),
      unsigned({ alg: 'none', kid: key.keyId }, { iss: key.teamId, iat: nowS }),
      (await signProviderToken(key, { iat: nowS })).slice(0, -10),
      'not.a.jwt',
    ];
    const asynchronous = setup().verifier;
    const synchronous = setup({ synchronous: true }).verifier;
    for (const jwt of tokens) {
      const verdict = synchronous.check(bearer(jwt));
      expect(verdict).not.toBeInstanceOf(Promise);
      expect(verdict).toBe(await asynchronous.check(bearer(jwt)));
    }
    expect(synchronous.check(bearer(tokens[0]!))).toBeUndefined();
    expect(synchronous.stats().cacheHits).toBe(1);
  });

  it('synchronous: a JWS with a crit header is invalid (jose would treat it specially; no sender sends one)', async () => {
    const signingInput = `${Buffer.from(JSON.stringify({ alg: 'ES256', kid: key.keyId, crit: ['b64'], b64: true })).toString('base64url')}.${Buffer.from(JSON.stringify({ iss: key.teamId, iat: nowS })).toString('base64url')}`;
    const jwt = `${signingInput}.${sign('sha256', Buffer.from(signingInput), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    expect(setup({ synchronous: true }).verifier.check(bearer(jwt))).toBe('InvalidProviderToken');
  });

  it('answers InvalidProviderToken for alg RS256 even with a valid RSA signature', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwt = await new SignJWT({ iss: key.teamId, iat: nowS }).setProtectedHeader({ alg: 'RS256', kid: key.keyId }).sign(privateKey);
    const { verifier } = setup();
    expect(await verifier.check(bearer(jwt))).toBe('InvalidProviderToken');
    expect(verifier.stats().signatureVerifications).toBe(0);
  });

  it('answers ExpiredProviderToken when iat is more than an hour old or more than a minute ahead', async () => {
    const { verifier } = setup();
    expect(await verifier.check(bearer(await signProviderToken(key, { iat: nowS - 3601 })))).toBe('ExpiredProviderToken');
    expect(await verifier.check(bearer(await signProviderToken(key, { iat: nowS - 3600 })))).toBeUndefined();
    expect(await verifier.check(bearer(await signProviderToken(key, { iat: nowS + 61 })))).toBe('ExpiredProviderToken');
    expect(await verifier.check(bearer(await signProviderToken(key, { iat: nowS + 59 })))).toBeUndefined();
  });

  it('re-checks the age of a cached token against the clock on every use', async () => {
    let now = nowMs;
    const { verifier } = setup({ clock: { now: () => now } });
    const authorization = bearer(await signProviderToken(key, { iat: nowS }));
    expect(await verifier.check(authorization)).toBeUndefined();
    now += 59 * 60_000;
    expect(verifier.check(authorization)).toBeUndefined();
    now += 2 * 60_000;
    expect(verifier.check(authorization)).toBe('ExpiredProviderToken');
    expect(verifier.stats().signatureVerifications).toBe(1);
  });

  it('verifies a signature once per token: repeated and concurrent uses hit the cache, synchronously', async () => {
    const { verifier } = setup();
    const authorization = bearer(await signProviderToken(key, { iat: nowS }));
    const first = await Promise.all(Array.from({ length: 20 }, () => verifier.check(authorization)));
    expect(first).toEqual(Array(20).fill(undefined));
    const later: AuthCheck[] = [];
    for (let i = 0; i < 100; i++) {
      const result = verifier.check(authorization);
      expect(result).not.toBeInstanceOf(Promise);
      later.push(result as AuthCheck);
    }
    expect(later.every((r) => r === undefined)).toBe(true);
    expect(verifier.stats()).toEqual({ signatureVerifications: 1, cacheHits: 100, cachedTokens: 1 });

    await verifier.check(bearer(await signProviderToken(key, { iat: nowS - 1 })));
    expect(verifier.stats().signatureVerifications).toBe(2);
  });

  it('caches invalid tokens too, so a bad token is not re-verified on every request', async () => {
    const { verifier } = setup();
    const wrongKey = bearer(await signProviderToken({ ...generateApnsSigningKey(), keyId: key.keyId, teamId: key.teamId }, { iat: nowS }));
    expect(await verifier.check(wrongKey)).toBe('InvalidProviderToken');
    expect(verifier.check(wrongKey)).toBe('InvalidProviderToken');
    expect(verifier.stats().signatureVerifications).toBe(1);
  });

  it('bounds the cache: it is cleared when full and a forgotten token is verified again', async () => {
    const { verifier } = setup({ maxCachedTokens: 2 });
    const [first, ...others] = await Promise.all([0, 1, 2].map(async (i) => bearer(await signProviderToken(key, { iat: nowS - i }))));
    for (const authorization of [first, ...others]) await verifier.check(authorization);
    expect(verifier.stats()).toMatchObject({ signatureVerifications: 3, cachedTokens: 1 });
    await verifier.check(first);
    expect(verifier.stats().signatureVerifications).toBe(4);
  });
});
