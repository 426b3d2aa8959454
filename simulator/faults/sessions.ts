/**
 * Live sessions as the fault engine sees them: connection ids (given at TCP accept when the
 * host uses interceptConnections, else at session start), open streams, and the connection and
 * stream gauges of the metrics. A session is an HTTP/2 server session (seen through
 * `http2FaultSession`) or a simulated connection on virtual time (a FaultSession of its own).
 */
import type { Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import { sendGoaway } from '../goaway.js';
import { resetSocket } from '../sockets.js';
import type { FaultMetrics } from './metrics.js';
import type { FaultSession, TrackedSession } from './types.js';

/** A server-side HTTP/2 session as the FaultSession session-level faults act on. */
export function http2FaultSession(session: Http2Session): FaultSession {
  return {
    get ended() {
      return session.closed || session.destroyed;
    },
    onStream(opened, closed) {
      session.on('stream', (stream) => {
        opened();
        // 'close' fires once per stream: `on` saves the per-stream wrapper `once` would allocate.
        stream.on('close', closed);
      });
    },
    onPing: (listener) => session.on('ping', listener),
    onClose: (listener) => session.once('close', listener),
    goaway: (code, debug) => void sendGoaway(session, { code, debug }),
    setStreamLimit: (maxConcurrentStreams) => session.settings({ maxConcurrentStreams }),
    resetConnection: () => resetSocket(session.socket as Socket | undefined),
  };
}

export class SessionTracker {
  /** Keyed by what the host knows the session by: the Http2Session, or a simulated connection's FaultSession. */
  readonly #sessions = new Map<object, TrackedSession>();
  /** Connection ids given at TCP accept, waiting for their HTTP/2 session (keyed by peer address). */
  readonly #pendingIds = new Map<string, number>();
  readonly #metrics: FaultMetrics;
  readonly #now: () => number;
  #connections = 0;
  #countingStreams = false;

  constructor(metrics: FaultMetrics, now: () => number) {
    this.#metrics = metrics;
    this.#now = now;
  }

  /** A new TCP connection: its id (a refused connection uses one up too). */
  accept(socket: Socket | undefined): number {
    const id = ++this.#connections;
    if (socket !== undefined) {
      const key = addressKey(socket);
      this.#pendingIds.set(key, id);
      socket.once('close', () => this.#pendingIds.get(key) === id && this.#pendingIds.delete(key));
    }
    return id;
  }

  /** Tracks an HTTP/2 session; undefined when it already was. */
  track(session: Http2Session, baseMaxConcurrentStreams: number): TrackedSession | undefined {
    if (this.#sessions.has(session)) return undefined;
    const socket = session.socket as Socket | undefined;
    const key = socket === undefined ? undefined : addressKey(socket);
    const id = (key === undefined ? undefined : this.#pendingIds.get(key)) ?? ++this.#connections;
    if (key !== undefined) this.#pendingIds.delete(key);
    return this.#track(session, http2FaultSession(session), id, baseMaxConcurrentStreams);
  }

  /** Tracks a simulated connection under the id `accept` gave it; undefined when it already was. */
  trackSimulated(session: FaultSession, id: number, baseMaxConcurrentStreams: number): TrackedSession | undefined {
    if (this.#sessions.has(session)) return undefined;
    return this.#track(session, session, id, baseMaxConcurrentStreams);
  }

  #track(key: object, session: FaultSession, id: number, baseMaxConcurrentStreams: number): TrackedSession {
    const now = this.#now();
    const tracked: TrackedSession = { id, session, openedAt: now, openStreams: 0, idleSince: now, baseMaxConcurrentStreams, heldStreamLimit: undefined };
    this.#sessions.set(key, tracked);
    const metrics = this.#metrics;
    metrics.connectionsOpened++;
    metrics.connectionsActive++;
    if (this.#countingStreams) this.#countStreamsOf(tracked);
    session.onClose(() => {
      this.#sessions.delete(key);
      metrics.connectionsActive--;
    });
    return tracked;
  }

  /**
   * Counts open streams (TrackedSession.openStreams, the streams gauge) from now on, on live and new
   * sessions. Off until asked for — the control API's /metrics asks — because listeners on every
   * stream cost a mock a tenth of its throughput under h2load (bench/mock-faults-overhead.ts).
   */
  countStreams(): void {
    if (this.#countingStreams) return;
    this.#countingStreams = true;
    for (const tracked of this.#sessions.values()) this.#countStreamsOf(tracked);
  }

  #countStreamsOf(tracked: TrackedSession): void {
    const metrics = this.#metrics;
    tracked.session.onStream(
      () => {
        tracked.openStreams++;
        metrics.streamsActive++;
      },
      () => {
        tracked.openStreams--;
        metrics.streamsActive--;
        if (tracked.openStreams === 0) tracked.idleSince = this.#now();
      },
    );
  }

  /**
   * The host's own limit for a session changes: sent now unless a streams fault holds the session,
   * and in any case the limit that fault restores when it ends.
   */
  setStreamLimit(key: Http2Session | FaultSession, maxConcurrentStreams: number): void {
    const tracked = this.#sessions.get(key);
    if (tracked !== undefined) {
      tracked.baseMaxConcurrentStreams = maxConcurrentStreams;
      if (tracked.heldStreamLimit !== undefined) return;
    }
    const session = tracked?.session ?? ('settings' in key ? http2FaultSession(key) : key);
    if (!session.ended) session.setStreamLimit(maxConcurrentStreams);
  }

  id(session: object | undefined): number | undefined {
    return session === undefined ? undefined : this.#sessions.get(session)?.id;
  }

  all(): IterableIterator<TrackedSession> {
    return this.#sessions.values();
  }
}

function addressKey(socket: Socket): string {
  return `${socket.remoteAddress ?? ''}|${socket.remotePort ?? 0}`;
}
