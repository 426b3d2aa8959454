import { describe, expect, it } from 'vitest';
import { resolveMockFcmOptions } from '../../../simulator/fcm/options.js';
import { generateServiceAccount, startMockFcm } from '../../../simulator/fcm/index.js';
import { h1, signAssertion, tokenForm } from './helpers.js';
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
    [{ accessTokenSecret: 'c2hvcnQ' }, /accessTokenSecret must be at least 32 bytes in base64url/],
    [{ serviceAccount: { project_id: 'pushsim-test' } }, /serviceAccount must be a service-account JSON object .* missing private_key_id, private_key, client_email/],
    [{ serviceAccount: generateServiceAccount('pushsim-one', 'x'), projectId: 'pushsim-two' }, /projectId "pushsim-two" differs from the serviceAccount's project_id "pushsim-one"/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveMockFcmOptions(options as never)).toThrow(message);
  });

  it('trusts a given service account (its project is the mock\'s, its token_uri the mock\'s) instead of generating one', async () => {
    const account = generateServiceAccount('pushsim-given', 'https://oauth2.googleapis.com/token');
    const mock = await startMockFcm({ serviceAccount: account });
    try {
      expect(mock.projectId).toBe('pushsim-given');
      expect(mock.serviceAccount).toEqual({ ...account, token_uri: `${mock.url}/token` });
      const answer = await h1(mock.url, tokenForm(await signAssertion(account)));
      expect(answer.status, answer.body).toBe(200);
    } finally {
      await mock.close();
    }
  });

  it('refuses a given service account whose key is not a PEM key before listening', async () => {
    await expect(startMockFcm({ serviceAccount: { ...generateServiceAccount('pushsim-given', 'x'), private_key: 'not a key' } })).rejects.toThrow(/private_key is not a PEM key/);
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
    [{ subscriptionSecret: 42 }, /subscriptionSecret must be at least 32 bytes in base64url/],
  ])('rejects %j', (options, message) => {
    expect(() => resolveMockWebPushOptions(options as never)).toThrow(message);
  });
});
