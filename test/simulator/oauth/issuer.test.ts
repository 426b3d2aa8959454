/**
 * Stateless access tokens: an issuer accepts what an issuer with the same secret issued (the workers
 * of one mock), refuses another secret's and altered ones, and says 'expired' on the clock.
 */
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { trustServiceAccount } from '../../../simulator/fcm/credentials.js';
import { createOAuthIssuer, jwtBearerGrant, type OAuthIssuer } from '../../../simulator/oauth/issuer.js';

const audience = 'http://127.0.0.1:1/token';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const account = trustServiceAccount({ client_email: 'sender@pushsim-test.iam.gserviceaccount.com', project_id: 'pushsim-test', private_key_id: 'k1', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string });
let now = Date.UTC(2026, 0, 1);
const clock = { now: () => now };

const issuer = (secret: Buffer): OAuthIssuer => createOAuthIssuer({ accounts: [account], audiences: [audience], clock, tokenTtlSeconds: 3599, secret });

async function issue(from: OAuthIssuer): Promise<string> {
  const iat = Math.floor(now / 1000);
  const assertion = await new SignJWT({ scope: 'https://www.googleapis.com/auth/firebase.messaging' })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(account.clientEmail).setAudience(audience).setIssuedAt(iat).setExpirationTime(iat + 3600)
    .sign(privateKey);
  const answer = await from.exchange(new URLSearchParams({ grant_type: jwtBearerGrant, assertion }));
  if (answer.status !== 200) throw new Error(JSON.stringify(answer.body));
  return answer.body.access_token;
}

describe('createOAuthIssuer access tokens', () => {
  const secret = Buffer.alloc(32, 1);

  it('are accepted by another issuer with the same secret, with the account and expiry they were issued for', async () => {
    const token = await issue(issuer(secret));
    expect(issuer(secret).check(token)).toEqual({ clientEmail: account.clientEmail, projectId: 'pushsim-test', expiresAt: now + 3599_000 });
  });

  it('differ each time, and are refused by an issuer with another secret or when altered', async () => {
    const first = issuer(secret);
    const token = await issue(first);
    expect(await issue(first)).not.toBe(token);
    expect(issuer(Buffer.alloc(32, 2)).check(token)).toBe('unknown');
    const payloadEnd = token.lastIndexOf('.');
    const altered = `${token.slice(0, payloadEnd - 1)}${token[payloadEnd - 1] === 'A' ? 'B' : 'A'}${token.slice(payloadEnd)}`;
    expect(first.check(altered)).toBe('unknown');
    expect(first.check('ya29.made-up')).toBe('unknown');
  });

  it('expire on the clock', async () => {
    const from = issuer(secret);
    const token = await issue(from);
    now += 3600_000;
    expect(from.check(token)).toBe('expired');
    expect(from.lookup(token)).toBeUndefined();
  });
});
