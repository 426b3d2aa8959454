/**
 * A Transport for many origins (after undici's Agent): one Http2Pool per origin, opened on first
 * use. Web Push endpoints live on as many origins as there are push services, so requests carry
 * the absolute URL in `path` (`https://push.example/p/abc`); the agent picks the pool by its origin
 * and hands it the path alone. Past `maxOrigins` the least recently used pool is closed
 * (gracefully: its requests finish).
 *
 *   dispatch({ path: 'https://a.example/x' }) ─► pools['https://a.example'].dispatch({ path: '/x' })
 */
import { InvalidArgumentError, PushSimError, assertInteger } from '../../core/errors.js';
import type { DispatchContext, Transport, TransportResult, TransportRequest, TransportStats } from '../transport.js';
import { Http2Pool, type Http2PoolOptions } from './pool.js';

export interface Http2AgentOptions extends Omit<Http2PoolOptions, 'origin'> {
  /** Pools kept open at once; the least recently used is closed beyond it. @default 256 */
  readonly maxOrigins?: number;
}

/** `scheme://host[:port]` of an absolute http(s) URL, or undefined. Cheap: no URL parsing on the hot path. */
export function originOf(url: string): string | undefined {
  if (!url.startsWith('https://') && !url.startsWith('http://')) return undefined;
  const slash = url.indexOf('/', url.indexOf('//') + 2);
  return slash < 0 ? url : url.slice(0, slash);
}

export class Http2Agent implements Transport {
  /** This transport has no single origin. */
  readonly origin = '*';
  readonly #options: Http2PoolOptions & { origin: '' };
  readonly #maxOrigins: number;
  /** Insertion order is use order (re-inserted on each use): the first entry is the least recently used. */
  readonly #pools = new Map<string, Http2Pool>();
  readonly #retiring = new Set<Promise<void>>();
  #closed = false;
  #destroyed = false;

  constructor(options: Http2AgentOptions = {}) {
    const { maxOrigins, ...poolOptions } = options;
    this.#maxOrigins = assertInteger('maxOrigins', maxOrigins ?? 256, 1);
    this.#options = { ...poolOptions, origin: '' };
    // Construct (and discard) one pool so bad pool options throw here, at construction.
    new Http2Pool({ ...this.#options, origin: 'http://127.0.0.1:1' });
  }

  dispatch = (request: TransportRequest, context: DispatchContext): Promise<TransportResult> => {
    const origin = originOf(request.path);
    if (this.#destroyed) return Promise.resolve({ ok: false, kind: 'shutdown', error: new PushSimError('PUSHSIM_ERR_SHUTDOWN', 'not sent: the sender was destroyed (the run stopped)'), unprocessed: true });
    if (origin === undefined || this.#closed) {
      const error = this.#closed
        ? new PushSimError('PUSHSIM_ERR_CLOSED', 'the transport is closed')
        : new InvalidArgumentError(`Http2Agent needs an absolute http(s) URL as path, got ${JSON.stringify(request.path.slice(0, 100))}`);
      return Promise.resolve({ ok: false, kind: this.#closed ? 'closed' : 'connect', error, unprocessed: true });
    }
    let pool = this.#pools.get(origin);
    if (pool === undefined) {
      pool = new Http2Pool({ ...this.#options, origin });
      if (this.#pools.size >= this.#maxOrigins) this.#retireOldest();
    } else {
      this.#pools.delete(origin);
    }
    this.#pools.set(origin, pool);
    // Spelled out rather than `{ ...request, path }`: one object shape for every request (hot path).
    const { method, headers, body, deadline } = request;
    return pool.dispatch({ method, path: request.path.slice(origin.length) || '/', headers, body, deadline }, context);
  };

  stats(): TransportStats {
    let connected = 0;
    let running = 0;
    let queued = 0;
    let capacity = 0;
    for (const pool of this.#pools.values()) {
      const s = pool.stats();
      connected += s.connected;
      running += s.running;
      queued += s.queued;
      capacity += s.capacity;
    }
    return { connected, running, queued, capacity };
  }

  /** Origins with an open pool, least recently used first. */
  origins(): string[] {
    return [...this.#pools.keys()];
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...[...this.#pools.values()].map((p) => p.close()), ...this.#retiring]);
  }

  async destroy(): Promise<void> {
    this.#closed = true;
    this.#destroyed = true;
    await Promise.all([...this.#pools.values()].map((p) => p.destroy()));
  }

  #retireOldest(): void {
    const [oldest] = this.#pools;
    if (oldest === undefined) return;
    this.#pools.delete(oldest[0]);
    const closing = oldest[1].close().finally(() => this.#retiring.delete(closing));
    this.#retiring.add(closing);
  }
}
