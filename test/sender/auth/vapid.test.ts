import { compactVerify, decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { VapidSigner } from '../../../sender/auth/vapid.js';
import { generateVapidKeys } from '../../../simulator/webpush/keys.js';
import { p256PublicKey } from '../../../simulator/webpush/keys.js';

const keys = generateVapidKeys('mailto:ops@example.com');

describe('VapidSigner (RFC 8292)', () => {
  it('signs vapid t=<ES256 JWT>, k=<key> with aud, exp (12 h) and sub', async () => {
    const now = 1_800_000_000_000;
    const signer = await VapidSigner.create({ ...keys, clock: { now: () => now } });
    const header = await signer.authorization('https://push.example.net');
    const match = /^vapid t=([^,]+), k=(.+)$/.exec(header);
    expect(match?.[2]).toBe(keys.publicKey);
    const jwt = match![1]!;
    await compactVerify(jwt, p256PublicKey(Buffer.from(keys.publicKey, 'base64url'))!, { algorithms: ['ES256'] });
    expect(decodeJwt(jwt)).toEqual({ aud: 'https://push.example.net', exp: now / 1000 + 43_200, sub: 'mailto:ops@example.com' });
  });

  it('caches one JWT per audience and re-signs it at half-life', async () => {
    let now = 1_800_000_000_000;
    const signer = await VapidSigner.create({ ...keys, clock: { now: () => now } });
    const [a1, a2] = await Promise.all([signer.authorization('https://a.example'), signer.authorization('https://a.example')]);
    expect(a1).toBe(a2);
    expect(signer.authorization('https://a.example')).toBe(a1); // synchronous cache hit
    await signer.authorization('https://b.example');
    expect(signer.signed).toBe(2);
    now += 6 * 3_600_000 - 1;
    expect(signer.authorization('https://a.example')).toBe(a1);
    now += 1;
    expect(await signer.authorization('https://a.example')).not.toBe(a1);
    expect(signer.signed).toBe(3);
  });

  it.each([
    [{ subject: 'ops@example.com' }, /subject must be a mailto: or https: contact/],
    [{ publicKey: 'abc' }, /publicKey must be 65 bytes in base64url/],
    [{ privateKey: 'abc' }, /privateKey must be 32 bytes in base64url/],
    [{ privateKey: generateVapidKeys().privateKey }, /privateKey does not belong to publicKey/],
    [{ expiresInSeconds: 90_000 }, /expiresInSeconds must be an integer from 60 to 86400/],
  ])('refuses %j at construction, never echoing the private key', async (override, message) => {
    const error = await VapidSigner.create({ ...keys, ...override }).then(() => undefined, (e: Error) => e);
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain(keys.privateKey);
  });
});
