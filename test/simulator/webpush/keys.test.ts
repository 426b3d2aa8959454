import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { deriveSubscription, generateVapidKeys } from '../../../simulator/webpush/keys.js';

describe('generateVapidKeys', () => {
  it('always gives a 32-byte private key that matches the public key, even when it starts with zero bytes', () => {
    // 1 key in 256 has a leading zero byte; 2000 draws make missing that case very unlikely.
    for (let i = 0; i < 2000; i++) {
      const keys = generateVapidKeys();
      const privateKey = Buffer.from(keys.privateKey, 'base64url');
      expect(privateKey).toHaveLength(32);
      const ecdh = createECDH('prime256v1');
      ecdh.setPrivateKey(privateKey);
      expect(ecdh.getPublicKey('base64url')).toBe(keys.publicKey);
    }
  });
});

describe('deriveSubscription', () => {
  const secret = Buffer.alloc(32, 7);

  it('makes the same subscription from the same secret and number, and different ones otherwise', () => {
    const first = deriveSubscription(secret, 0);
    const again = deriveSubscription(secret, 0);
    expect({ id: again.id, p256dh: again.keys.p256dh, auth: again.keys.auth }).toEqual({ id: first.id, p256dh: first.keys.p256dh, auth: first.keys.auth });
    expect(deriveSubscription(secret, 1).id).not.toBe(first.id);
    expect(deriveSubscription(Buffer.alloc(32, 8), 0).keys.p256dh).not.toBe(first.keys.p256dh);
  });

  it('gives keys of a browser subscription: a P-256 point whose private half is kept, a 16-byte auth secret', () => {
    const { id, keys } = deriveSubscription(secret, 3);
    expect(Buffer.from(id, 'base64url')).toHaveLength(16);
    expect(Buffer.from(keys.auth, 'base64url')).toHaveLength(16);
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(keys.ecdh.getPrivateKey());
    expect(ecdh.getPublicKey('base64url')).toBe(keys.p256dh);
  });
});
