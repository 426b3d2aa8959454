import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { ApnsSender } from '../../../sender/apns-sender.js';
import { ApnsTokenSigner, appleIdProblem, isAppleApnsOrigin } from '../../../sender/auth/apns-token.js';

function p8(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

function fakeClock(start = 1_700_000_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const MIN = 60_000;

describe('ApnsTokenSigner', () => {
  it('signs an ES256 JWT with kid and iss=team id that verifies with the public key', async () => {
    const key = p8();
    const clock = fakeClock();
    const signer = await ApnsTokenSigner.create({ keyId: 'ABC123DEFG', teamId: 'TEAM123456', privateKey: key.privateKey, clock });
    const header = await signer.authorization();
    expect(header.startsWith('bearer ')).toBe(true);
    const jwt = header.slice('bearer '.length);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'ES256', kid: 'ABC123DEFG' });
    expect(decodeJwt(jwt)).toEqual({ iss: 'TEAM123456', iat: Math.floor(clock.now() / 1000) });
    await expect(jwtVerify(jwt, await importSPKI(key.publicKey, 'ES256'), { currentDate: new Date(clock.now()) })).resolves.toBeTruthy();
  });

  it('reuses the token until 50 minutes, then re-signs', async () => {
    const clock = fakeClock();
    const signer = await ApnsTokenSigner.create({ keyId: 'K', teamId: 'T', privateKey: p8().privateKey, clock });
    const first = await signer.authorization();
    clock.advance(49 * MIN);
    expect(signer.authorization()).toBe(first);
    clock.advance(1 * MIN);
    const second = await signer.authorization();
    expect(second).not.toBe(first);
  });

  it('refuses a forced refresh within 20 minutes of the last signature (TooManyProviderTokenUpdates)', async () => {
    const clock = fakeClock();
    const signer = await ApnsTokenSigner.create({ keyId: 'K', teamId: 'T', privateKey: p8().privateKey, clock });
    const first = await signer.authorization();
    clock.advance(19 * MIN);
    expect(await signer.refresh()).toBe(false);
    expect(signer.authorization()).toBe(first);
    clock.advance(1 * MIN);
    expect(await signer.refresh()).toBe(true);
    expect(await signer.authorization()).not.toBe(first);
  });

  it('signs once for many concurrent callers', async () => {
    const signer = await ApnsTokenSigner.create({ keyId: 'K', teamId: 'T', privateKey: p8().privateKey, clock: fakeClock() });
    const all = await Promise.all(Array.from({ length: 20 }, () => signer.authorization()));
    expect(new Set(all).size).toBe(1);
  });

  it('rejects unusable credentials without echoing the key', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(ApnsTokenSigner.create({ keyId: 'K', teamId: 'T', privateKey: 'not a key' })).rejects.toThrow(/contents of a \.p8 file/);
    const error = await ApnsTokenSigner.create({ keyId: 'K', teamId: 'T', privateKey: rsa }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'PUSHSIM_ERR_CREDENTIAL' });
    expect((error as Error).message).not.toContain('PRIVATE KEY');
    await expect(ApnsTokenSigner.create({ keyId: 'has space', teamId: 'T', privateKey: p8().privateKey })).rejects.toThrow(/keyId/);
  });
});

describe('Apple key and team ids (10 characters, protocols.md §1.9)', () => {
  it('a key or team id of another length is named with the fix; a 10-character one passes', () => {
    expect(appleIdProblem('keyId', 'ABC123DEFG', 'keyId')).toBeUndefined();
    expect(appleIdProblem('keyId', 'ABC123DEF', '$APNS_KEY_ID')).toMatch(/^\$APNS_KEY_ID "ABC123DEF" is 9 characters long: Apple's key ids are 10 characters .*InvalidProviderToken.*Key ID shown next to the key/);
    expect(appleIdProblem('teamId', 'T', 'teamId')).toMatch(/"T" is 1 character long: Apple's team ids are 10 .*Team ID in the Membership details/);
    expect(appleIdProblem('keyId', 'ABC-123-DE', 'keyId')).toMatch(/is not made of letters and digits/);
  });

  it('only Apple\'s hosts are held to them: a mock or proxy elsewhere knows its own ids', () => {
    expect(isAppleApnsOrigin('https://api.sandbox.push.apple.com')).toBe(true);
    expect(isAppleApnsOrigin('https://api.push.apple.com:2197')).toBe(true);
    expect(isAppleApnsOrigin('https://api.development.push.apple.com')).toBe(true);
    expect(isAppleApnsOrigin('https://127.0.0.1:8443')).toBe(false);
    expect(isAppleApnsOrigin('not a url')).toBe(false);
  });

  it('ApnsSender refuses a short key id for Apple\'s sandbox at construction (a credential error, before any connection), and accepts it for a mock', async () => {
    const privateKey = p8().privateKey;
    const error = await ApnsSender.create({ url: 'https://api.sandbox.push.apple.com', credentials: { keyId: 'K1', teamId: 'TEAM123456', privateKey } }).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'PUSHSIM_ERR_CREDENTIAL' });
    expect((error as Error).message).toMatch(/APNs credentials\.keyId "K1" is 2 characters long/);
    const toMock = await ApnsSender.create({ url: 'https://127.0.0.1:1', credentials: { keyId: 'K1', teamId: 'T1', privateKey } });
    await toMock.close();
  });
});
