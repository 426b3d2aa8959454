import { createECDH } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateVapidKeys } from '../../../simulator/webpush/keys.js';

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
