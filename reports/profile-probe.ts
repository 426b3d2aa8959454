/**
 * This machine's own round trip, measured while a profile is recorded: an HTTP/2 server on
 * 127.0.0.1 in this process answers each probe `answerAfterMs` after it arrived (with the mocks'
 * own never-early timer, simulator/delay.ts), and a client on its own connection sends one every
 * `intervalMs` (one in flight at most) for as long as the run is measured. What a probe takes beyond
 * `answerAfterMs` is what this machine adds to an answer: the sockets, the sending and the answering
 * event loop, a timer firing late. A recorded wire time is the provider's time plus that; a mock
 * replaying the recording adds it again, so the recorder takes the probe's mean off every wire
 * time (reports/profile.ts, docs/profiles.md).
 *
 * The answer is delayed, not immediate, because a probe sent from a timer starts only when the event
 * loop is free: answered at once it would measure the loop at its freest moments, while a provider's
 * answer comes at any moment, stalls included.
 *
 * Why a loopback probe and not the run's own fastest answers or a server's timing header: against a
 * real provider the fastest answer is the network's round trip plus the provider's fastest work, both
 * part of what the provider looks like from here (subtracting them would replay a provider nearer than
 * it is), and no provider reports its own time. The probe measures only what is local, under the
 * run's load, at the run's moments. Its requests go to 127.0.0.1 only and are bounded in count.
 */
import { connect, createServer } from 'node:http2';
import type { ClientHttp2Session, Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAtLeast } from '../simulator/delay.js';
import { createLatencyHistogram } from './histogram.js';
import type { LatencyHistogram } from './histogram.js';
import type { RoundTripSource, RoundTripSummary } from './profile.js';

export interface RoundTripProbeOptions {
  /** Time between probes; 20 ms: 50 a second, nothing beside a load run, ~3,000 in a minute. */
  readonly intervalMs?: number;
  /** Probes at most (a run of hours stops probing; the mean is long settled). */
  readonly maxProbes?: number;
  /** How long the probe server waits before answering; 10 ms: longer than a loop's usual stall, shorter than the interval. */
  readonly answerAfterMs?: number;
}

/** A request's worth of body, so the probe's stream carries data both ways as a notification's does. */
const body = Buffer.from('{"aps":{"alert":"pushsim round-trip probe"}}');

export class RoundTripProbe implements RoundTripSource {
  readonly #server: Http2Server;
  readonly #client: ClientHttp2Session;
  readonly #histogram: LatencyHistogram = createLatencyHistogram();
  readonly #maxProbes: number;
  readonly #answerAfterMs: number;
  /** Sum of the recorded round trips (ms), for their mean. */
  #sumMs = 0;
  #timer: NodeJS.Timeout | undefined;
  #inFlight = false;
  #measuring = false;
  #closed = false;

  private constructor(server: Http2Server, client: ClientHttp2Session, intervalMs: number, maxProbes: number, answerAfterMs: number) {
    this.#server = server;
    this.#client = client;
    this.#maxProbes = maxProbes;
    this.#answerAfterMs = answerAfterMs;
    this.#timer = setInterval(() => this.#probe(), intervalMs);
    this.#timer.unref();
  }

  /** Starts the server and the client's connection; probes are timed only after `measure()`. */
  static async start(options: RoundTripProbeOptions = {}): Promise<RoundTripProbe> {
    const answerAfterMs = options.answerAfterMs ?? 10;
    const server = createServer();
    server.on('stream', (stream) => {
      const arrived = performance.now();
      stream.on('error', () => {});
      // Read the body, then answer once the delay from arrival has passed, as a mock does, with no work in between.
      stream.resume();
      stream.on('end', () => {
        afterAtLeast(answerAfterMs, () => {
          if (!stream.destroyed) stream.respond({ ':status': 200 }, { endStream: true });
        }, arrived);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    // Never what keeps the process alive: an error between start and close must not hang the command.
    server.unref();
    const { port } = server.address() as AddressInfo;
    const client = connect(`http://127.0.0.1:${port}`);
    client.on('error', () => {});
    client.unref();
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    }).catch(async (error: unknown) => {
      await new Promise((resolve) => server.close(resolve));
      throw error;
    });
    return new RoundTripProbe(server, client, options.intervalMs ?? 20, options.maxProbes ?? 100_000, answerAfterMs);
  }

  /** From now on the round trips count (the measured run began: its first answer came). */
  measure(): void {
    this.#measuring = true;
  }

  /** What this machine added to the round trips measured so far (each less the answer's delay), ms; count 0 when none was. */
  summary(): RoundTripSummary {
    const summary = this.#histogram.summary();
    return { ...summary, mean: summary.count === 0 ? 0 : Math.round((this.#sumMs / summary.count) * 1000) / 1000 };
  }

  /** Stops probing and closes the connection and the server; the summary stays readable. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#timer = undefined;
    await new Promise<void>((resolve) => this.#client.close(resolve));
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  /** Frees the histogram; call after close() and the last summary(). */
  destroy(): void {
    this.#histogram.destroy();
  }

  #probe(): void {
    if (this.#inFlight || this.#closed || this.#client.destroyed) return;
    if (this.#histogram.count >= this.#maxProbes) {
      clearInterval(this.#timer);
      return;
    }
    this.#inFlight = true;
    const measured = this.#measuring;
    const start = performance.now();
    const stream = this.#client.request({ ':method': 'POST', ':path': '/probe', 'content-type': 'application/json' });
    stream.on('error', () => {});
    stream.on('close', () => {
      this.#inFlight = false;
      // Only complete answers count: a stream cut at close measured nothing.
      if (measured && !this.#closed && stream.rstCode === 0) {
        const addedMs = Math.max(performance.now() - start - this.#answerAfterMs, 0);
        this.#histogram.recordMs(addedMs);
        this.#sumMs += addedMs;
      }
    });
    stream.resume();
    stream.end(body);
  }
}
