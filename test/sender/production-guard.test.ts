import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApnsSender } from '../../sender/apns-sender.js';
import { assertProductionAllowed, isProductionOrigin } from '../../sender/production-guard.js';

const p8 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('production guard', () => {
  it('knows the production hosts and not the sandbox ones', () => {
    expect(isProductionOrigin('https://api.push.apple.com')).toBe(true);
    expect(isProductionOrigin('https://api.push.apple.com:2197')).toBe(true);
    expect(isProductionOrigin('https://fcm.googleapis.com')).toBe(true);
    expect(isProductionOrigin('https://api.sandbox.push.apple.com')).toBe(false);
    expect(isProductionOrigin('http://127.0.0.1:8443')).toBe(false);
    expect(isProductionOrigin('not a url')).toBe(false);
  });

  it('refuses a production origin without the opt-in, at construction, before any connection', async () => {
    expect(() => assertProductionAllowed('https://api.push.apple.com', false)).toThrow(/allowProduction: true/);
    expect(() => assertProductionAllowed('https://api.push.apple.com', true)).not.toThrow();
    await expect(ApnsSender.create({ url: 'https://api.push.apple.com', credentials: { keyId: 'K', teamId: 'T', privateKey: p8 } })).rejects.toThrow(/delivers to real devices/);
  });
});
