import { afterEach, describe, expect, it } from 'vitest';
import { GoogleAccessTokens, parseServiceAccount } from '../../../sender/auth/google-oauth.js';
import { generateServiceAccount } from '../../../simulator/fcm/credentials.js';
import { startMockFcm, type MockFcm } from '../../../simulator/fcm/index.js';

const account = generateServiceAccount('pushsim-test', 'http://127.0.0.1:1/token');

let mock: MockFcm | undefined;
let tokens: GoogleAccessTokens | undefined;
afterEach(async () => {
  await tokens?.close();
  await mock?.close();
  tokens = undefined;
  mock = undefined;
});

describe('parseServiceAccount', () => {
  it.each([
    ['{not json', /not valid JSON/],
    [{ ...account, client_email: undefined }, /serviceAccount\.client_email is missing/],
    [{ ...account, project_id: 7 }, /serviceAccount\.project_id is missing or not a string/],
    [{ ...account, private_key: 'secret-but-not-pem' }, /private_key of .* is not a PEM private key/],
    [{ ...account, token_uri: 'ftp://x' }, /token_uri must be an http\(s\) URL/],
  ])('refuses %#, naming the field and never the key', (input, message) => {
    let error: Error | undefined;
    try {
      parseServiceAccount(input as never);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('PRIVATE KEY-----\n');
    expect(error?.message).not.toContain('secret-but-not-pem');
  });

  it('refuses a key that is not RSA', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(GoogleAccessTokens.create({ serviceAccount: { ...account, private_key: ec } })).rejects.toThrow(/not a PKCS#8 RSA key/);
  });
});

describe('GoogleAccessTokens against the mock token endpoint', () => {
  it('concurrent callers share one exchange (single flight); later calls are synchronous', async () => {
    mock = await startMockFcm();
    tokens = await GoogleAccessTokens.create({ serviceAccount: JSON.stringify(mock.serviceAccount) });
    const all = await Promise.all(Array.from({ length: 25 }, () => tokens!.token()));
    expect(new Set(all).size).toBe(1);
    expect(tokens.fetched).toBe(1);
    expect(typeof tokens.token()).toBe('string');
    expect(mock.stats().tokenRequests).toBe(1);
  });

  it('invalidate() makes the next call fetch a new token', async () => {
    mock = await startMockFcm();
    tokens = await GoogleAccessTokens.create({ serviceAccount: mock.serviceAccount });
    const first = await tokens.token();
    tokens.invalidate('some other token');
    expect(tokens.token()).toBe(first);
    tokens.invalidate(first);
    expect(await tokens.token()).not.toBe(first);
    expect(tokens.fetched).toBe(2);
  });

  it('keeps a still-valid token when a refresh fails, and fails with CredentialError once it has expired', async () => {
    let now = Date.now();
    mock = await startMockFcm({ clock: { now: () => now } });
    tokens = await GoogleAccessTokens.create({ serviceAccount: mock.serviceAccount, clock: { now: () => now } });
    const first = await tokens.token();
    await mock.close();
    mock = undefined;
    now += 57 * 60_000; // in the refresh window, the endpoint is gone
    expect(await tokens.token()).toBe(first);
    now += 3 * 60_000; // expired
    await expect(tokens.token()).rejects.toMatchObject({ code: 'PUSHSIM_ERR_CREDENTIAL', message: expect.stringMatching(/cannot reach the OAuth token endpoint/) });
  });
});
