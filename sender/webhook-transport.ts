/**
 * A Transport that hands notifications to an HTTP/1.1 webhook sink instead of a push provider —
 * the last-resort fallback route ("store it, deliver it later") — over undici's connection pool.
 *
 * The sink receives `POST <url>` with JSON `{ path, headers, body }`: the provider request as it
 * would have been sent, minus `authorization` (credentials never leave for a third party). Any 2xx
 * from the sink counts as the provider's success (reported as 200, the original status in
 * `x-pushsim-sink-status`); anything else is passed through for the adapter to classify.
 */
import { Pool } from 'undici';
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
  readonly #pool: Pool;
  readonly #timeoutMs: number;
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
    this.#pool = new Pool(url.origin, { connections: assertInteger('webhook connections', options.connections ?? 10, 1) });
  }

  dispatch = async (request: TransportRequest, context?: { attempts: number }): Promise<TransportResult> => {
    const { authorization: _secret, ...headers } = request.headers;
    const body = request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : Buffer.from(request.body).toString('utf8');
    if (context) context.attempts++;
    this.#running++;
    try {
      const response = await this.#pool.request({
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
    return { connected: this.#pool.stats.connected, running: this.#running, queued: this.#pool.stats.queued, capacity: Number.POSITIVE_INFINITY };
  }

  close(): Promise<void> {
    return this.#pool.close();
  }

  destroy(): Promise<void> {
    return this.#pool.destroy();
  }
}
