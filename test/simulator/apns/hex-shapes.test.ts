import { describe, expect, it } from 'vitest';
import { isHexOfLength, isHexUuid } from '../../../simulator/apns/hex-shapes.js';
import { createRandom } from '../../../simulator/random.js';

/** The RegExps validate.ts used before (and still documents). */
const token64 = /^[0-9a-fA-F]{64}$/;
const uuid = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

describe('isHexOfLength and isHexUuid', () => {
  it.each([
    ['ab'.repeat(32), true],
    ['AB'.repeat(32), true],
    ['0123456789abcdefABCDEF'.repeat(3).slice(0, 64), true],
    ['ab'.repeat(31), false],
    ['ab'.repeat(33), false],
    [`${'ab'.repeat(31)}ag`, false],
    [`${'ab'.repeat(31)}a\n`, false],
    [`${'ab'.repeat(31)}a\u0661`, false],
    ['', false],
  ])('token %j is 64 hex digits: %s', (text, expected) => {
    expect(isHexOfLength(text, 64)).toBe(expected);
    expect(token64.test(text)).toBe(expected);
  });

  it.each([
    ['0ea7c649-02c9-463b-b2fa-f92ee3a83702', true],
    ['0EA7C649-02C9-463B-B2FA-F92EE3A83702', true],
    ['0ea7c64902c9-463b-b2fa-f92ee3a83702-', false],
    ['0ea7c649-02c9-463b-b2fa-f92ee3a8370', false],
    ['0ea7c649-02c9-463b-b2fa-f92ee3a837021', false],
    ['{0ea7c649-02c9-463b-b2fa-f92ee3a8370}', false],
    ['0ea7c649-02c9-463b-b2fa-f92ee3a8370g', false],
    ['', false],
  ])('apns-id %j is a UUID: %s', (text, expected) => {
    expect(isHexUuid(text)).toBe(expected);
    expect(uuid.test(text)).toBe(expected);
  });

  it('agrees with the RegExps on 20 000 seeded random near-misses', () => {
    const random = createRandom(11);
    const alphabet = '0123456789abcdefABCDEFgG-xz \u00e9\u0661';
    const mutate = (text: string): string => {
      const chars = [...text];
      const at = Math.floor(random.next() * (chars.length + 1));
      const char = alphabet[Math.floor(random.next() * alphabet.length)] as string;
      const kind = random.next();
      if (kind < 0.3) chars.splice(at, 1);
      else if (kind < 0.6) chars.splice(at, 0, char);
      else chars.splice(at, 1, char);
      return chars.join('');
    };
    let passed = 0;
    for (let i = 0; i < 10_000; i++) {
      const token = mutate('ab'.repeat(32));
      const id = mutate('0ea7c649-02c9-463b-b2fa-f92ee3a83702');
      expect(isHexOfLength(token, 64)).toBe(token64.test(token));
      expect(isHexUuid(id)).toBe(uuid.test(id));
      if (uuid.test(id)) passed++;
    }
    // Both outcomes occurred, so the agreement means something.
    expect(passed).toBeGreaterThan(100);
    expect(passed).toBeLessThan(9_900);
  });
});
