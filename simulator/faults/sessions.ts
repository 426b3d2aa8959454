/**
 * Live HTTP/2 sessions as the fault engine sees them: connection ids (given at TCP accept when the
 * host uses interceptConnections, else at session start), open streams, and the connection and
 * stream gauges of the metrics.
 */
import type { Http2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { FaultMetrics } from './metrics.js';
import type { TrackedSession } from './types.js';

export class SessionTracker {
  readonly #sessions = new Map<Http2Session, TrackedSession>();
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

  /** Tracks a session; undefined when it already was. */
  track(session: Http2Session, baseMaxConcurrentStreams: number): TrackedSession | undefined {
    if (this.#sessions.has(session)) return undefined;
    const socket = session.socket as Socket | undefined;
    const key = socket === undefined ? undefined : addressKey(socket);
    const id = (key === undefined ? undefined : this.#pendingIds.get(key)) ?? ++this.#connections;
    if (key !== undefined) this.#pendingIds.delete(key);
    const now = this.#now();
    const tracked: TrackedSession = { id, session, openedAt: now, openStreams: 0, idleSince: now, baseMaxConcurrentStreams, heldStreamLimit: undefined };
    this.#sessions.set(session, tracked);
    const metrics = this.#metrics;
    metrics.connectionsOpened++;
    metrics.connectionsActive++;
    if (this.#countingStreams) this.#countStreamsOf(tracked);
    session.once('close', () => {
      this.#sessions.delete(session);
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
    const onStreamClose = (): void => {
      tracked.openStreams--;
      metrics.streamsActive--;
      if (tracked.openStreams === 0) tracked.idleSince = this.#now();
    };
    tracked.session.on('stream', (stream) => {
      tracked.openStreams++;
      metrics.streamsActive++;
      // 'close' fires once per stream: `on` saves the per-stream wrapper `once` would allocate.
      stream.on('close', onStreamClose);
    });
  }

  /**
   * The host's own limit for a session changes: sent now unless a streams fault holds the session,
   * and in any case the limit that fault restores when it ends.
   */
  setStreamLimit(session: Http2Session, maxConcurrentStreams: number): void {
    const tracked = this.#sessions.get(session);
    if (tracked !== undefined) {
      tracked.baseMaxConcurrentStreams = maxConcurrentStreams;
      if (tracked.heldStreamLimit !== undefined) return;
    }
    if (!session.closed && !session.destroyed) session.settings({ maxConcurrentStreams });
  }

  id(session: Http2Session | undefined): number | undefined {
    return session === undefined ? undefined : this.#sessions.get(session)?.id;
  }

  all(): IterableIterator<TrackedSession> {
    return this.#sessions.values();
  }
}

function addressKey(socket: Socket): string {
  return `${socket.remoteAddress ?? ''}|${socket.remotePort ?? 0}`;
}
