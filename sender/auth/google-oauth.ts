/**
 * OAuth2 access tokens for a Google service account (protocols.md §2.2, RFC 7523): signs an RS256
 * assertion with `jose`, exchanges it at `token_uri` over HTTP/1.1 (undici), caches the access
 * token and refreshes it when less than `refreshBeforeMs` (5 min, as firebase-admin does, §2.2)
 * remain. Concurrent callers share one exchange (single flight). Neither the private key, the
 * assertion nor the access token ever appears in an error message.
 */
import { SignJWT, importPKCS8, type CryptoKey } from 'jose';
import type { Dispatcher } from 'undici';
import type * as undiciModule from 'undici';

type Undici = typeof undiciModule;
import { systemClock, type Clock } from '../../core/clock.js';
import { holdOn } from '../../core/scheduler.js';
import { CredentialError, InvalidArgumentError, assertInteger } from '../../core/errors.js';

/** The fields of a service-account JSON file the sender uses (snake_case, as Google writes them). */
export interface ServiceAccount {
  readonly client_email: string;
  /** PKCS#8 PEM. A secret: never logged. */
  readonly private_key: string;
  readonly project_id: string;
  readonly private_key_id?: string;
  /** @default 'https://oauth2.googleapis.com/token' */
  readonly token_uri?: string;
}

export interface GoogleAccessTokensOptions {
  /** The parsed service-account JSON, or its text. */
  readonly serviceAccount: ServiceAccount | string;
  /** @default 'https://www.googleapis.com/auth/firebase.messaging' */
  readonly scope?: string;
  readonly clock?: Clock;
  /** Refresh once fewer than this many ms remain. @default 300000 (5 minutes) */
  readonly refreshBeforeMs?: number;
  /** Extra CA (PEM) to trust for `token_uri` (the mock's, with TLS). */
  readonly ca?: string | Buffer;
  /** @default 15000 */
  readonly requestTimeoutMs?: number;
}

export const firebaseMessagingScope = 'https://www.googleapis.com/auth/firebase.messaging';
const defaultTokenUri = 'https://oauth2.googleapis.com/token';
const assertionLifetimeS = 3600;

export class GoogleAccessTokens {
  readonly clientEmail: string;
  readonly projectId: string;
  readonly tokenUri: string;
  readonly #keyId: string | undefined;
  readonly #key: CryptoKey;
  readonly #scope: string;
  readonly #clock: Clock;
  readonly #refreshBeforeMs: number;
  readonly #timeoutMs: number;
  readonly #dispatcher: Dispatcher;
  readonly #request: Undici['request'];
  #closing: Promise<void> | undefined;
  #token: string | undefined;
  #expiresAt = 0;
  #inFlight: Promise<string> | undefined;
  #fetched = 0;

  private constructor(account: ServiceAccount, key: CryptoKey, options: GoogleAccessTokensOptions, undici: Undici) {
    this.clientEmail = account.client_email;
    this.projectId = account.project_id;
    this.tokenUri = account.token_uri ?? defaultTokenUri;
    this.#keyId = account.private_key_id;
    this.#key = key;
    this.#scope = options.scope ?? firebaseMessagingScope;
    this.#clock = options.clock ?? systemClock;
    this.#refreshBeforeMs = assertInteger('refreshBeforeMs', options.refreshBeforeMs ?? 300_000, 0, 3_000_000);
    this.#timeoutMs = assertInteger('requestTimeoutMs', options.requestTimeoutMs ?? 15_000, 1);
    this.#request = undici.request;
    this.#dispatcher = new undici.Agent({ connect: options.ca === undefined ? {} : { ca: options.ca }, allowH2: false });
  }

  /** Reads and checks the service account and its key; fails here, at construction, never echoing the key. */
  static async create(options: GoogleAccessTokensOptions): Promise<GoogleAccessTokens> {
    const account = parseServiceAccount(options.serviceAccount);
    let key: CryptoKey;
    try {
      key = await importPKCS8(account.private_key, 'RS256');
    } catch (cause) {
      throw new CredentialError(`service account ${account.client_email}: private_key is not a PKCS#8 RSA key (${(cause as Error).name}); download a new JSON key from the Cloud console`, { cause });
    }
    // undici is imported here, not at the top: importing the sender should not pay ~100 ms for the
    // HTTP/1.1 client that only FCM's token exchange uses.
    return new GoogleAccessTokens(account, key, options, await import('undici'));
  }

  /** Access tokens fetched so far (for tests and stats). */
  get fetched(): number {
    return this.#fetched;
  }

  /** The current access token, refreshed when due. Synchronous while cached; rejects with CredentialError. */
  token(): string | Promise<string> {
    if (this.#token !== undefined && this.#clock.now() < this.#expiresAt - this.#refreshBeforeMs) return this.#token;
    return this.#refresh();
  }

  /** Forgets `token` after the provider said it is not valid (401), so the next call fetches a new one. */
  invalidate(token: string): void {
    if (this.#token === token) {
      this.#token = undefined;
      this.#expiresAt = 0;
    }
  }

  close(): Promise<void> {
    // Once: undici rejects a second close() with ClientDestroyedError, and a sender may be closed twice.
    this.#closing ??= this.#dispatcher.close();
    return this.#closing;
  }

  #refresh(): Promise<string> {
    // A virtual clock stands still while the token is fetched (real I/O, even in a simulation).
    this.#inFlight ??= holdOn(this.#clock)(this.#exchange())
      .catch((error: unknown) => {
        // A refresh that fails while the old token is still valid keeps the old one (it is retried next call).
        if (this.#token !== undefined && this.#clock.now() < this.#expiresAt) return this.#token;
        throw error;
      })
      .finally(() => {
        this.#inFlight = undefined;
      });
    return this.#inFlight;
  }

  async #exchange(): Promise<string> {
    const started = this.#clock.now();
    const iat = Math.floor(started / 1000);
    const assertion = await new SignJWT({ scope: this.#scope })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(this.#keyId !== undefined && { kid: this.#keyId }) })
      .setIssuer(this.clientEmail)
      .setAudience(this.tokenUri)
      .setIssuedAt(iat)
      .setExpirationTime(iat + assertionLifetimeS)
      .sign(this.#key);
    const form = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString();
    let status: number;
    let text: string;
    try {
      const response = await this.#request(this.tokenUri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
        dispatcher: this.#dispatcher,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (cause) {
      throw new CredentialError(`cannot reach the OAuth token endpoint ${this.tokenUri}: ${(cause as Error).message}`, { cause });
    }
    const parsed = parseJson(text);
    if (status !== 200) {
      const error = typeof parsed?.['error'] === 'string' ? parsed['error'] : `HTTP ${status}`;
      const description = typeof parsed?.['error_description'] === 'string' ? `: ${parsed['error_description'].slice(0, 300)}` : '';
      throw new CredentialError(`the OAuth token endpoint ${this.tokenUri} refused service account ${this.clientEmail} (HTTP ${status}, ${error}${description})`);
    }
    const accessToken = parsed?.['access_token'];
    const expiresIn = parsed?.['expires_in'];
    if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number' || !(expiresIn > 0)) {
      throw new CredentialError(`the OAuth token endpoint ${this.tokenUri} answered 200 without access_token and expires_in`);
    }
    this.#token = accessToken;
    // Counted from before the request, so network time only makes us refresh early.
    this.#expiresAt = started + expiresIn * 1000;
    this.#fetched++;
    return accessToken;
  }
}

/** Checks the fields the sender needs; the message names the missing field and never the key. */
export function parseServiceAccount(input: ServiceAccount | string): ServiceAccount {
  let account: unknown = input;
  if (typeof input === 'string') {
    try {
      account = JSON.parse(input);
    } catch {
      throw new CredentialError('serviceAccount is not valid JSON: pass the parsed object or the text of the key file from the Cloud console (IAM → Service accounts → Keys)');
    }
  }
  if (typeof account !== 'object' || account === null) throw new CredentialError('serviceAccount must be the service-account JSON (an object with client_email, private_key, project_id)');
  const a = account as Record<string, unknown>;
  for (const field of ['client_email', 'private_key', 'project_id'] as const) {
    if (typeof a[field] !== 'string' || a[field] === '') throw new CredentialError(`serviceAccount.${field} is missing or not a string; is this a service-account key file (type "service_account")?`);
  }
  if (!(a['private_key'] as string).includes('PRIVATE KEY-----')) throw new CredentialError(`serviceAccount.private_key of ${String(a['client_email'])} is not a PEM private key`);
  if (a['token_uri'] !== undefined) {
    let uri: URL | undefined;
    try {
      uri = new URL(String(a['token_uri']));
    } catch {
      uri = undefined;
    }
    if (uri === undefined || (uri.protocol !== 'https:' && uri.protocol !== 'http:')) {
      throw new InvalidArgumentError(`serviceAccount.token_uri must be an http(s) URL, got ${JSON.stringify(a['token_uri'])}`);
    }
  }
  return a as unknown as ServiceAccount;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
