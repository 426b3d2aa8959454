/**
 * A Transport that hands notifications to an HTTP/1.1 webhook sink instead of a push provider —
 * the last-resort fallback route ("store it, deliver it later") — over undici's connection pool.
 *
 * The sink receives `POST <url>` with JSON `{ path, headers, body }`: the provider request as it
 * would have been sent, minus `authorization` (credentials never leave for a third party). Any 2xx
 * from the sink counts as the provider's success (reported as 200, the original status in
 * `x-pushsim-sink-status`); anything else is passed through for the adapter to classify.
 */
import type { Pool } from 'undici';
import { InvalidArgumentError, PushSimError, assertInteger } from '../core/errors.js';
import type { Transport, TransportRequest, TransportResult, TransportStats } from './transport.js';

export interface WebhookTransportOptions {
  /** `http(s)://host:port/path` of the sink. */
  readonly url: string;
  /** @default 10 */
  readonly connections?: number;
  /** @default 10000 */
  readonly timeoutMs?: number;
}

export class WebhookTransport implements Transport {
  readonly origin: string;
  readonly #path: string;
  readonly #connections: number;
  readonly #timeoutMs: number;
  // undici is imported with the first request, not with the module: most senders never need it.
  #pool: Promise<Pool> | undefined;
  #stats: Pool['stats'] | undefined;
  #closed = false;
  #running = 0;

  constructor(options: WebhookTransportOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new InvalidArgumentError(`webhook url must be an http(s) URL, got ${JSON.stringify(options.url)}`);
    }
    this.origin = url.origin;
    this.#path = `${url.pathname}${url.search}`;
    this.#timeoutMs = assertInteger('webhook timeoutMs', options.timeoutMs ?? 10_000, 1);
    this.#connections = assertInteger('webhook connections', options.connections ?? 10, 1);
  }

  #open(): Promise<Pool> {
    this.#pool ??= import('undici').then(({ Pool }) => {
      const pool = new Pool(this.origin, { connections: this.#connections });
      this.#stats = pool.stats;
      return pool;
    });
    return this.#pool;
  }

  dispatch = async (request: TransportRequest, context?: { attempts: number }): Promise<TransportResult> => {
    const { authorization: _secret, ...headers } = request.headers;
    const body = request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8');
    if (context) context.attempts++;
    this.#running++;
    try {
      if (this.#closed) throw Object.assign(new Error('the webhook transport is closed'), { code: 'UND_ERR_CLOSED' });
      const pool = await this.#open();
      const response = await pool.request({
        method: 'POST',
        path: this.#path,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ path: request.path, headers, body }),
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
      const buffer = Buffer.from(await response.body.arrayBuffer());
      const success = response.statusCode >= 200 && response.statusCode < 300;
      const responseHeaders = { ...(response.headers as Record<string, string>), 'x-pushsim-sink-status': String(response.statusCode) };
      return { ok: true, status: success ? 200 : response.statusCode, headers: responseHeaders, body: buffer };
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      const timeout = code.includes('TIMEOUT');
      const refused = code === 'ECONNREFUSED';
      return {
        ok: false,
        kind: timeout ? 'timeout' : refused ? 'connect' : 'reset',
        unprocessed: refused,
        error: new PushSimError(timeout ? 'PUSHSIM_ERR_TIMEOUT' : refused ? 'PUSHSIM_ERR_CONNECT' : 'PUSHSIM_ERR_SOCKET', `webhook sink ${this.origin}: ${(error as Error).message}`),
      };
    } finally {
      this.#running--;
    }
  };

  stats(): TransportStats {
    return { connected: this.#stats?.connected ?? 0, running: this.#running, queued: this.#stats?.queued ?? 0, capacity: Number.POSITIVE_INFINITY };
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#pool !== undefined) await (await this.#pool).close();
  }

  async destroy(): Promise<void> {
    this.#closed = true;
    if (this.#pool !== undefined) await (await this.#pool).destroy();
  }
}
