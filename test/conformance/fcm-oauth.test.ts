/**
 * Conformance of the mock's OAuth2 token endpoint (protocols.md §2.2) over a real HTTP/1.1 socket:
 * every refusal has Google's OAuth error JSON, and a good assertion gets an access token.
 */
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockFcm, type MockFcm } from '../../simulator/fcm/index.js';
import { h1, signAssertion, tokenForm } from '../simulator/fcm/helpers.js';

let mock: MockFcm;
beforeAll(async () => {
  mock = await startMockFcm();
});
afterAll(() => mock.close());

const now = (): number => Math.floor(Date.now() / 1000);

describe('mock OAuth2 token endpoint', () => {
  it('exchanges a valid assertion for {access_token, expires_in, token_type}', async () => {
    const response = await h1(mock.url, tokenForm(await signAssertion(mock.serviceAccount)));
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(response.body);
    expect(body).toEqual({ access_token: expect.stringMatching(/^ya29\./), expires_in: 3599, token_type: 'Bearer' });
  });

  it('accepts the cloud-platform scope too', async () => {
    const response = await h1(mock.url, tokenForm(await signAssertion(mock.serviceAccount, { scope: 'https://www.googleapis.com/auth/cloud-platform' })));
    expect(response.status).toBe(200);
  });

  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const cases: [string, () => Promise<ReturnType<typeof tokenForm>>, string, RegExp][] = [
    ['bad signature (another key)', async () => tokenForm(await signAssertion(mock.serviceAccount, { privateKey: stranger })), 'invalid_grant', /Invalid JWT Signature/],
    ['wrong key id', async () => tokenForm(await signAssertion(mock.serviceAccount, { kid: 'not-the-key' })), 'invalid_grant', /Invalid JWT Signature/],
    ['HS256 (algorithm confusion)', async () => tokenForm(await new SignJWT({ iss: mock.serviceAccount.client_email, aud: mock.serviceAccount.token_uri, scope: 'https://www.googleapis.com/auth/firebase.messaging', iat: now(), exp: now() + 3600 }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('x'.repeat(32)))), 'invalid_grant', /Invalid JWT Signature/],
    ['wrong audience', async () => tokenForm(await signAssertion(mock.serviceAccount, { aud: 'https://example.com/token' })), 'invalid_grant', /audience/],
    ['expired assertion', async () => tokenForm(await signAssertion(mock.serviceAccount, { iat: now() - 7200, exp: now() - 3600 })), 'invalid_grant', /short-lived token/],
    ['exp more than an hour after iat', async () => tokenForm(await signAssertion(mock.serviceAccount, { iat: now(), exp: now() + 3601 })), 'invalid_grant', /short-lived token/],
    ['iat in the future', async () => tokenForm(await signAssertion(mock.serviceAccount, { iat: now() + 600, exp: now() + 1200 })), 'invalid_grant', /short-lived token/],
    ['wrong scope', async () => tokenForm(await signAssertion(mock.serviceAccount, { scope: 'https://www.googleapis.com/auth/drive' })), 'invalid_scope', /Invalid OAuth scope/],
    ['no scope', async () => tokenForm(await signAssertion(mock.serviceAccount, { scope: undefined })), 'invalid_scope', /Invalid OAuth scope/],
    ['unknown service account', async () => tokenForm(await signAssertion(mock.serviceAccount, { iss: 'nobody@pushsim-test.iam.gserviceaccount.com' })), 'invalid_grant', /account not found/],
    ['not a JWT', async () => tokenForm('not.a.jwt'), 'invalid_grant', /Invalid JWT Signature/],
    ['wrong grant type', async () => tokenForm(await signAssertion(mock.serviceAccount), 'client_credentials'), 'unsupported_grant_type', /Invalid grant_type/],
    ['no assertion', async () => ({ path: '/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer' }), 'invalid_request', /assertion/],
  ];

  it.each(cases)('refuses %s with 400 %s', async (_name, build, error, description) => {
    const response = await h1(mock.url, await build());
    expect(response.status).toBe(400);
    const body = JSON.parse(response.body);
    expect(body).toEqual({ error, error_description: expect.stringMatching(description) });
  });

  it('counts what it issued and refused', () => {
    expect(mock.stats().tokensIssued).toBe(2);
    expect(mock.stats().tokenRequests).toBe(2 + cases.length);
  });
});
