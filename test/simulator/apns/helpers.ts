/** Test helpers: a node:http2 client speaking to the mock, and provider-token signing. */
import { connect, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import { SignJWT, importPKCS8 } from 'jose';
import type { ApnsSigningKey } from '../../../simulator/apns/credentials.js';

export interface H2Response {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface H2Request {
  readonly method?: string;
  readonly path: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: string | Buffer;
}

/** A device token of the default shape (64 hex). */
export const deviceToken = (n: number): string => n.toString(16).padStart(64, '0');
export const uuidV4Lower = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function openClient(target: { readonly url: string; readonly ca?: string | undefined }): ClientHttp2Session {
  const client = connect(target.url, target.ca === undefined ? {} : { ca: target.ca });
  client.on('error', () => {}); // surfaced through the request promises
  return client;
}

export function request(client: ClientHttp2Session, req: H2Request): Promise<H2Response> {
  return new Promise((resolve, reject) => {
    const stream = client.request({ ':method': req.method ?? 'POST', ':path': req.path, ...req.headers }, { endStream: req.body === undefined });
    let headers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (received) => (headers = received));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks).toString('utf8') }));
    stream.on('error', reject);
    if (req.body !== undefined) stream.end(req.body);
  });
}

export interface TokenClaims {
  readonly alg?: string;
  readonly kid?: string;
  readonly iss?: string;
  /** Seconds since epoch; default now. */
  readonly iat?: number;
}

/** An ES256 provider token (protocols.md §1.9) signed with `credentials`, claims overridable. */
export async function signProviderToken(credentials: ApnsSigningKey, claims: TokenClaims = {}): Promise<string> {
  const key = await importPKCS8(credentials.privateKey, 'ES256');
  return new SignJWT({ iss: claims.iss ?? credentials.teamId, iat: claims.iat ?? Math.floor(Date.now() / 1000) })
    .setProtectedHeader({ alg: claims.alg ?? 'ES256', kid: claims.kid ?? credentials.keyId })
    .sign(key);
}

/** An HS256 token with the right kid and iss: must never be accepted (algorithm confusion). */
export async function signHs256Token(credentials: ApnsSigningKey): Promise<string> {
  return new SignJWT({ iss: credentials.teamId, iat: Math.floor(Date.now() / 1000) })
    .setProtectedHeader({ alg: 'HS256', kid: credentials.keyId })
    .sign(new TextEncoder().encode('a shared secret that is long enough for HS256'));
}

/** Headers of a request that the mock accepts, given a token. */
export function validHeaders(jwt: string, extra: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  return { authorization: `bearer ${jwt}`, 'apns-topic': 'com.example.app', ...extra };
}

/** Waits until `condition` holds, polling on the event loop (no timing thresholds). */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
