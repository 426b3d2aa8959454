/**
 * The provider side of one simulated connection as the fault engine sees it: a FaultSession
 * (simulator/faults/types.ts), the interface a socket mock's HTTP/2 session is seen through too,
 * so the session-level kinds — GOAWAY on idle / at max-age / on too many PINGs, `streams`,
 * `connection` reset of live connections — run their own code on virtual time. What they send
 * (GOAWAY, SETTINGS, a TCP reset) goes to the client side (the simulated transport) through
 * `VirtualSessionEvents`; what the client does (streams opening and closing at the provider, PINGs,
 * the connection ending) comes back through the methods below.
 */
import type { FaultEngine } from '../faults/engine.js';
import type { ConnectionVerdict, FaultSession } from '../faults/types.js';

/** What the provider sends on a simulated connection besides answers. */
export interface VirtualSessionEvents {
  /** A new SETTINGS_MAX_CONCURRENT_STREAMS (APNs raises it after the first valid provider token, protocols.md §1.9; a streams fault). */
  streamLimit(limit: number): void;
  /** A GOAWAY naming the last stream the provider has seen (NO_ERROR: its streams finish; any other code: the connection is torn down). */
  goaway(code: number, debug: string | undefined): void;
  /** A TCP reset of the connection. */
  resetConnection(): void;
}

export class VirtualSession implements FaultSession {
  readonly #events: VirtualSessionEvents;
  readonly #opened: (() => void)[] = [];
  readonly #closed: (() => void)[] = [];
  readonly #pings: (() => void)[] = [];
  readonly #ends: (() => void)[] = [];
  #ended = false;
  #wentAway = false;

  constructor(events: VirtualSessionEvents) {
    this.#events = events;
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Whether anything listens for PINGs (the client side sends them only then: a simulation has no other use for them). */
  get watchesPings(): boolean {
    return this.#pings.length > 0;
  }

  onStream(opened: () => void, closed: () => void): void {
    this.#opened.push(opened);
    this.#closed.push(closed);
  }

  onPing(listener: () => void): void {
    this.#pings.push(listener);
  }

  onClose(listener: () => void): void {
    if (this.#ended) listener();
    else this.#ends.push(listener);
  }

  goaway(code: number, debug: string | undefined): void {
    // One GOAWAY per connection, as sendGoaway (simulator/goaway.ts) sends.
    if (this.#ended || this.#wentAway) return;
    this.#wentAway = true;
    this.#events.goaway(code, debug);
  }

  setStreamLimit(maxConcurrentStreams: number): void {
    if (!this.#ended) this.#events.streamLimit(maxConcurrentStreams);
  }

  resetConnection(): void {
    if (!this.#ended) this.#events.resetConnection();
  }

  // The client side's calls:

  /** A request's HEADERS reached the provider: a stream opened. */
  streamOpened(): void {
    for (const opened of this.#opened) opened();
  }

  /** That stream closed (answered, reset, or given up). */
  streamClosed(): void {
    for (const closed of this.#closed) closed();
  }

  /** A PING from the client reached the provider. */
  ping(): void {
    for (const listener of this.#pings) listener();
  }

  /** The connection ended; only once. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const listener of this.#ends.splice(0)) listener();
  }
}

/** A new connection attempt: its id (1, 2, 3… as the socket mock counts accepted sockets) and what the engine's connection faults say (refuse, slow handshake). */
export interface VirtualConnect {
  readonly id: number;
  readonly verdict: ConnectionVerdict;
}

/** Connect attempts of one provider: through the engine (it numbers them and may refuse or delay them), or counted here without one. */
export function virtualConnector(engine: FaultEngine | undefined): () => VirtualConnect {
  let connections = 0;
  const accept: ConnectionVerdict = { type: 'accept' };
  if (engine === undefined) return () => ({ id: ++connections, verdict: accept });
  return () => engine.onSimulatedConnection();
}

/** The session of a connection the provider accepted, known to the engine under the connect attempt's id. */
export function openVirtualSession(engine: FaultEngine | undefined, id: number, initialStreams: number, events: VirtualSessionEvents): VirtualSession {
  const session = new VirtualSession(events);
  engine?.onSimulatedSession(session, id, initialStreams);
  return session;
}
