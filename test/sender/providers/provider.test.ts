import { describe, expect, it } from 'vitest';
import { parseLastBody } from '../../../sender/providers/provider.js';
import { apnsAdapter } from '../../../sender/providers/apns.js';
import type { TransportResult } from '../../../sender/transport.js';

describe('parseLastBody', () => {
  it('parses a body once however often it is asked, and each new body again', () => {
    let parses = 0;
    const parse = parseLastBody((body: Buffer) => {
      parses++;
      return body.toString('utf8').length;
    });
    const body = Buffer.from('{"reason":"BadDeviceToken"}');
    expect([parse(body), parse(body), parse(body)]).toEqual([27, 27, 27]);
    expect(parses).toBe(1);
    // Another response with the same bytes is another body: parsed, not mistaken for the last one by content.
    expect(parse(Buffer.from('{}'))).toBe(2);
    expect(parse(Buffer.from('{}'))).toBe(2);
    expect(parses).toBe(3);
  });

  it("keeps each APNs rejection's own reason when bodies alternate", () => {
    const rejection = (reason: string, status: number): TransportResult => ({ ok: true, status, headers: {}, body: Buffer.from(JSON.stringify({ reason })) });
    const gone = rejection('Unregistered', 410);
    const busy = rejection('TooManyRequests', 429);
    expect(apnsAdapter.classify(gone)).toBe('permanent');
    expect(apnsAdapter.classify(busy)).toBe('retryable');
    expect(apnsAdapter.classify(gone)).toBe('permanent');
    const outcome = apnsAdapter.outcome({ token: 'ab', topic: 't', payload: '{}' }, busy, 1);
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'TooManyRequests', httpStatus: 429 });
  });
});
