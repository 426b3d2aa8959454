/**
 * One HTTP/2 connection in the pool and the stream budget the peer allows on it.
 *
 * A session is usable once the peer's first SETTINGS frame has arrived (RFC 9113 §3.4: it is the
 * first frame a server sends), because APNs advertises a small SETTINGS_MAX_CONCURRENT_STREAMS —
 * 1 for token auth until the first valid request (protocols.md §1.11) — and raises it later. The
 * limit is re-read on every `remoteSettings` event, so the pool follows it up and down.
 */
import type { ClientHttp2Session } from 'node:http2';

export type SessionState = 'connecting' | 'ready' | 'draining' | 'closed';

export class PooledSession {
  readonly session: ClientHttp2Session;
  state: SessionState = 'connecting';
  /** Streams opened by us and not yet closed. */
  active = 0;
  /** Highest stream id the peer said it may process, from its GOAWAY (RFC 9113 §6.8). */
  goawayLastStreamId: number | undefined;
  #limit = 0;

  constructor(session: ClientHttp2Session) {
    this.session = session;
  }

  /** The peer's current SETTINGS_MAX_CONCURRENT_STREAMS (unbounded is reported as 2^32-1). */
  get limit(): number {
    return this.#limit;
  }

  updateLimit(): void {
    const advertised = this.session.remoteSettings.maxConcurrentStreams;
    this.#limit = advertised === undefined ? 100 : advertised;
  }

  /** How many more streams may be opened right now. */
  get free(): number {
    return this.state === 'ready' ? Math.max(0, this.#limit - this.active) : 0;
  }
}
