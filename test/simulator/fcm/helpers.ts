/** Test helpers for the FCM and Web Push mocks: raw HTTP/2 and HTTP/1.1 requests, OAuth assertions. */
import { connect, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { SignJWT, importPKCS8 } from 'jose';
import type { ServiceAccountJson } from '../../../simulator/fcm/credentials.js';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders | Record<string, string>;
  readonly body: string;
}

export interface RawRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: string | Buffer;
}

export function openH2(url: string, ca?: string): ClientHttp2Session {
  const session = connect(url, ca === undefined ? {} : { ca });
  session.on('error', () => {});
  return session;
}

export function h2(session: ClientHttp2Session, req: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': req.method ?? 'POST', ':path': req.path, ...req.headers }, { endStream: req.body === undefined });
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (headers = h));
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks).toString('utf8') }));
    stream.on('error', reject);
    if (req.body !== undefined) stream.end(req.body);
  });
}

/** HTTP/1.1 (Node's fetch never speaks h2). */
export async function h1(url: string, req: RawRequest): Promise<RawResponse> {
  const response = await fetch(`${url}${req.path}`, {
    method: req.method ?? 'POST',
    headers: req.headers as Record<string, string>,
    ...(req.body !== undefined && { body: req.body }),
  });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
}

export interface AssertionClaims {
  readonly iss?: string;
  readonly aud?: string;
  readonly scope?: string | undefined;
  /** Seconds. */
  readonly iat?: number;
  readonly exp?: number;
  readonly kid?: string;
  readonly privateKey?: string;
}

/** A service-account assertion (RS256) with overridable claims. */
export async function signAssertion(account: ServiceAccountJson, claims: AssertionClaims = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const key = await importPKCS8(claims.privateKey ?? account.private_key, 'RS256');
  const payload: Record<string, unknown> = {
    iss: claims.iss ?? account.client_email,
    aud: claims.aud ?? account.token_uri,
    iat: claims.iat ?? now,
    exp: claims.exp ?? (claims.iat ?? now) + 3600,
  };
  if (!('scope' in claims)) payload['scope'] = 'https://www.googleapis.com/auth/firebase.messaging';
  else if (claims.scope !== undefined) payload['scope'] = claims.scope;
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: claims.kid ?? account.private_key_id }).sign(key);
}

export function tokenForm(assertion: string, grantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer'): RawRequest {
  return {
    path: '/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: grantType, assertion }).toString(),
  };
}

/** Exchanges a fresh assertion for an access token. */
export async function accessToken(url: string, account: ServiceAccountJson): Promise<string> {
  const response = await h1(url, tokenForm(await signAssertion(account)));
  if (response.status !== 200) throw new Error(`token exchange failed: ${response.body}`);
  return (JSON.parse(response.body) as { access_token: string }).access_token;
}

export const sendPath = (project: string): string => `/v1/projects/${project}/messages:send`;
export const fcmToken = (i: number): string => `tok-${i}:APA91b${'q'.repeat(30)}`;

export function sendRequest(project: string, token: string, body: unknown): RawRequest {
  return { path: sendPath(project), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** Waits until `condition` holds, polling on the event loop (no timing thresholds). */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
