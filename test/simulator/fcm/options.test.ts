import { describe, expect, it } from 'vitest';
import { resolveMockFcmOptions } from '../../../simulator/fcm/options.js';
import { startMockFcm } from '../../../simulator/fcm/index.js';
import { resolveMockWebPushOptions } from '../../../simulator/webpush/options.js';

describe('mock FCM options', () => {
  it('defaults follow protocols.md §2.6-2.7', () => {
    const o = resolveMockFcmOptions();
    expect(o).toMatchObject({
      host: '127.0.0.1',
      projectId: 'pushsim-test',
      projectQuota: { limit: 600_000, windowMs: 60_000 },
      deviceQuotas: [{ limit: 240, windowMs: 60_000 }, { limit: 5_000, windowMs: 3_600_000 }],
      maxConcurrentStreams: 100,
      idleTimeoutMs: 240_000,
      maxConnectionAgeMs: 3_600_000,
      accessTokenTtlSeconds: 3599,
    });
  });

  it.each([
    [{ port: 70_000 }, /port must be an integer from 0 to 65535/],
    [{ projectId: 'Bad_Project' }, /projectId must be a Google Cloud project id/],
    [{ deviceQuotas: [{ limit: 0, windowMs: 1 }] }, /deviceQuotas\[0\]\.limit must be an integer from 1/],
    [{ projectQuota: 5 }, /projectQuota must be \{ limit, windowMs \}/],
    [{ tls: 'yes' }, /tls must be true, false or \{ cert, key, ca\? \}/],
    [{ clock: {} }, /clock must be an object with a now\(\) method/],
    [{ bogus: 1 }, /unknown option 'bogus' of startMockFcm/],
    [{ tokenPattern: '.*' }, /tokenPattern must be a RegExp/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveMockFcmOptions(options as never)).toThrow(message);
  });

  it('refuses to script an unknown FCM error code', async () => {
    const mock = await startMockFcm();
    try {
      expect(() => mock.faults.script('*', ['NOT_A_CODE' as never])).toThrow(/unknown FCM error code 'NOT_A_CODE'/);
    } finally {
      await mock.close();
    }
  });
});

describe('mock Web Push options', () => {
  it.each([
    [{ goneStatus: 400 }, /goneStatus must be 404 or 410/],
    [{ subscriptions: -1 }, /subscriptions must be an integer/],
    [{ vapid: { publicKey: 1 } }, /vapid must be \{ publicKey, privateKey, subject \}/],
    [{ subscriptionQuota: { limit: 1 } }, /subscriptionQuota.windowMs must be an integer/],
    [{ nope: true }, /unknown option 'nope' of startMockWebPush/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveMockWebPushOptions(options as never)).toThrow(message);
  });
});
