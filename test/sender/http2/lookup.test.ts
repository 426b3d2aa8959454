import { describe, expect, it } from 'vitest';
import { isInvalidName, poolLookup } from '../../../sender/http2/lookup.js';

describe('poolLookup', () => {
  it('knows the names RFC 6761 reserves as invalid, and only those', () => {
    for (const name of ['invalid', 'nonexistent.invalid', 'a.b.INVALID', 'x.invalid.']) expect(isInvalidName(name), name).toBe(true);
    for (const name of ['invalid.example', 'localhost', '127.0.0.1', 'notinvalid']) expect(isInvalidName(name), name).toBe(false);
  });

  it('answers ENOTFOUND for an .invalid name, asynchronously, and resolves other names as dns.lookup does', async () => {
    const invalid = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
      let sync = true;
      poolLookup('nonexistent.invalid', {}, (error) => {
        expect(sync).toBe(false);
        resolve(error);
      });
      sync = false;
    });
    expect(invalid).toMatchObject({ code: 'ENOTFOUND', hostname: 'nonexistent.invalid' });
    const local = await new Promise<string>((resolve, reject) => poolLookup('127.0.0.1', {}, (error, address) => (error ? reject(error) : resolve(address as string))));
    expect(local).toBe('127.0.0.1');
  });
});
