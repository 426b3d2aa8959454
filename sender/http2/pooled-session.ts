/**
 * One HTTP/2 connection in the pool: its lifecycle, the stream budget the peer allows, and its
 * health checks.
 *
 * - Usable once the peer's first SETTINGS frame has arrived (RFC 9113 §3.4: the first frame a server
 *   sends), because APNs advertises a small SETTINGS_MAX_CONCURRENT_STREAMS — 1 for token auth until
 *   the first valid request (protocols.md §1.11) — and raises it later. The limit is re-read on every
 *   `remoteSettings`, so the pool follows it up and down.
 * - A connection that does not become usable within `connectTimeoutMs` is destroyed.
 * - While idle it is PINGed every `pingIntervalMs` (node-apn: 60 s; APNs closes idle connections,
 *   protocols.md §1.11); no PONG within `pingTimeoutMs` means the connection is dead: destroy it.
 */
import type { ClientHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';

export type SessionState = 'connecting' | 'ready' | 'draining' | 'closed';

export interface SessionTimings {
  readonly connectTimeoutMs: number;
  /** 0 disables keep-alive pings. */
  readonly pingIntervalMs: number;
  readonly pingTimeoutMs: number;
}

export interface SessionEvents {
  onReady(session: PooledSession): void;
  onLimitChange(session: PooledSession): void;
  onGoaway(session: PooledSession): void;
  /** `connected` is false when it never got as far as a SETTINGS frame. */
  onClose(session: PooledSession, connected: boolean, error: Error | undefined): void;
}

export class PooledSession {
  readonly session: ClientHttp2Session;
  state: SessionState = 'connecting';
  /** Streams opened by us and not yet closed. */
  active = 0;
  /** Highest stream id the peer said it may process, from its GOAWAY (RFC 9113 §6.8). */
  goawayLastStreamId: number | undefined;
  /** Why the session failed, when it did. */
  lastError: Error | undefined;
  #limit = 0;
  #connectTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  /** The connection itself: node:http2 lets go of it once the session is destroyed, and close() may have to cut it. */
  #socket: Socket | undefined;
  #closing: Promise<void> | undefined;

  constructor(session: ClientHttp2Session, timings: SessionTimings, events: SessionEvents) {
    this.session = session;
    let connected = false;
    this.#connectTimer = setTimeout(() => {
      this.lastError = new Error(`no HTTP/2 SETTINGS within ${timings.connectTimeoutMs} ms`);
      session.destroy();
    }, timings.connectTimeoutMs);
    this.#connectTimer.unref();
    session.once('connect', (_session: ClientHttp2Session, socket: Socket) => {
      this.#socket = socket;
    });
    session.on('remoteSettings', () => {
      this.#limit = session.remoteSettings.maxConcurrentStreams ?? 100;
      if (this.state === 'connecting') {
        connected = true;
        this.state = 'ready';
        clearTimeout(this.#connectTimer);
        if (timings.pingIntervalMs > 0) this.#startPings(timings);
        events.onReady(this);
      } else {
        events.onLimitChange(this);
      }
    });
    session.on('goaway', (_code: number, lastStreamId: number) => {
      // Stop opening streams here; nghttp2 closes streams above lastStreamId with REFUSED_STREAM.
      this.goawayLastStreamId = lastStreamId;
      if (this.state !== 'closed') this.state = 'draining';
      events.onGoaway(this);
    });
    session.on('error', (error: Error) => {
      this.lastError ??= error;
    });
    session.on('close', () => {
      this.state = 'closed';
      clearTimeout(this.#connectTimer);
      clearInterval(this.#pingTimer);
      events.onClose(this, connected, this.lastError);
    });
  }

  /**
   * Closes gracefully (GOAWAY; streams in flight finish) and settles once the connection is gone, or
   * after `graceMs`, cutting off a peer that has not closed its side by then. node:http2 emits
   * 'close' only when the peer has closed the socket too; an idle session's socket is unref'd, so
   * without the ref'd timer here the process could run out of work before the peer's FIN arrived and
   * the promise would never settle (nghttpd over TLS: `await sender.close()` ended Node with exit 13).
   */
  close(graceMs: number): Promise<void> {
    this.#closing ??= new Promise<void>((resolve) => {
      if (this.state === 'closed') return resolve();
      let timer = setTimeout(() => {
        this.lastError ??= new Error(`the peer did not close the connection within ${graceMs} ms of GOAWAY`);
        this.session.destroy();
        this.#socket?.destroy();
        // 'close' follows the socket's at once; should it not (no socket to cut yet), settle anyway.
        timer = setTimeout(resolve, graceMs);
      }, graceMs);
      this.session.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.session.close();
    });
    return this.#closing;
  }

  /** The peer's current SETTINGS_MAX_CONCURRENT_STREAMS (unbounded is reported as 2^32-1). */
  get limit(): number {
    return this.#limit;
  }

  /** How many more streams may be opened right now. */
  get free(): number {
    return this.state === 'ready' ? Math.max(0, this.#limit - this.active) : 0;
  }

  #startPings(timings: SessionTimings): void {
    this.#pingTimer = setInterval(() => {
      // Traffic proves liveness; a session on its way out (destroyed, 'close' not yet emitted) is not pinged.
      if (this.active > 0 || this.state !== 'ready' || this.session.destroyed || this.session.closed) return;
      const deadline = setTimeout(() => {
        this.lastError = new Error(`no PING answer within ${timings.pingTimeoutMs} ms`);
        this.session.destroy();
      }, timings.pingTimeoutMs);
      deadline.unref();
      const sent = this.session.ping((error) => {
        clearTimeout(deadline);
        if (error && !this.session.destroyed) {
          this.lastError = error;
          this.session.destroy();
        }
      });
      if (!sent) clearTimeout(deadline);
    }, timings.pingIntervalMs);
    this.#pingTimer.unref();
  }
}
