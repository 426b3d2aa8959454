import { createPublicKey, createSign, generateKeyPairSync, createVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { compactVerify } from 'jose';
import {
  generateApnsSigningKey,
  isPrivateKeyPem,
  loadApnsVerificationKey,
} from '../../../simulator/apns/credentials.js';
import { signProviderToken } from './helpers.js';

describe('generateApnsSigningKey', () => {
  it('makes Apple-shaped ids and a PKCS#8 EC P-256 key (.p8 contents)', () => {
    const key = generateApnsSigningKey();
    expect(key.keyId).toMatch(/^[A-Z0-9]{10}$/);
    expect(key.teamId).toMatch(/^[A-Z0-9]{10}$/);
    expect(key.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/);
    expect(createPublicKey(key.privateKey).asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(generateApnsSigningKey().privateKey).not.toBe(key.privateKey);
  });

  it('keeps ids it is given', () => {
    expect(generateApnsSigningKey({ keyId: 'KEY0000001', teamId: 'TEAM000001' })).toMatchObject({ keyId: 'KEY0000001', teamId: 'TEAM000001' });
  });

  it('signs ES256 provider tokens that the verification key accepts', async () => {
    const key = generateApnsSigningKey();
    const jwt = await signProviderToken(key);
    const { protectedHeader } = await compactVerify(jwt, loadApnsVerificationKey(key.privateKey), { algorithms: ['ES256'] });
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: key.keyId });
  });
});

describe('loadApnsVerificationKey', () => {
  it('accepts a .p8 and the matching public key PEM alike', () => {
    const key = generateApnsSigningKey();
    const publicPem = createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' }).toString();
    const signature = createSign('sha256').update('x').sign(key.privateKey);
    for (const pem of [key.privateKey, publicPem]) {
      expect(createVerify('sha256').update('x').verify(loadApnsVerificationKey(pem), signature)).toBe(true);
    }
  });

  it('refuses non-P-256 keys with a CredentialError naming what it got', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadApnsVerificationKey(rsa)).toThrow(expect.objectContaining({ code: 'PUSHSIM_ERR_CREDENTIAL', message: 'the APNs key must be EC P-256 (ES256), got rsa' }));
    expect(() => loadApnsVerificationKey(p384)).toThrow('got EC secp384r1');
  });

  it('refuses garbage without echoing it', () => {
    const secret = 'not-a-key-but-maybe-a-secret';
    let message = '';
    try {
      loadApnsVerificationKey(secret);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/neither a PKCS#8 private key/);
    expect(message).not.toContain(secret);
  });
});

describe('isPrivateKeyPem', () => {
  it('tells a .p8 from a public key', () => {
    const key = generateApnsSigningKey();
    expect(isPrivateKeyPem(key.privateKey)).toBe(true);
    expect(isPrivateKeyPem(createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' }).toString())).toBe(false);
    expect(() => isPrivateKeyPem('garbage')).toThrow(expect.objectContaining({ code: 'PUSHSIM_ERR_CREDENTIAL' }));
  });
});
