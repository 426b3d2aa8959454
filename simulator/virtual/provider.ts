/**
 * The mocks without sockets (issue 17, virtual time): what a simulated transport
 * (scenarios/virtual-transport.ts) hands a provider, and what it gets back. The provider side runs
 * the mocks' own decision logic — validation, auth with its token cache, the fault engine, the
 * delivery ledger — on a Scheduler instead of node:http2 streams and real timers:
 *
 *   transport ─► connection.handle(stream, request) ─► validate / faults / ledger (the mock's code)
 *                                                   └► stream.respond | reset | goaway | resetConnection
 *
 * A stream is a FaultTarget (simulator/faults/hooks.ts): the same interface the fault engine's
 * decisions are carried out on over HTTP/2, so a fault does the same thing on both paths.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { Scheduler } from '../../core/scheduler.js';
import { afterAtLeastOn } from '../delay.js';
import { createSampler, validateLatencySpec, type LatencySampler, type LatencySpec } from '../distributions.js';
import type { FaultEngine } from '../faults/engine.js';
import type { FaultTarget } from '../faults/hooks.js';
import type { FaultProvider, FaultResponse } from '../faults/types.js';
import type { DeliveryLedger } from '../ledger/ledger.js';
import { createRandom } from '../random.js';
import type { VirtualConnect, VirtualSession, VirtualSessionEvents } from './session.js';

/** One request as it reaches the provider (lower-case header names, no pseudo-headers). */
export interface VirtualRequest {
  readonly method: string;
  /** Path and query, e.g. `/3/device/<token>`. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array | string | undefined;
}

/** One simulated HTTP/2 stream, as the provider answers it. Its `after` runs on the provider's scheduler (monotonic ms). */
export type VirtualStream = FaultTarget;

/** The provider side of one simulated connection. */
export interface VirtualProviderConnection {
  /** SETTINGS_MAX_CONCURRENT_STREAMS the connection starts with. */
  readonly initialStreams: number;
  /** The connection as the fault engine sees it (session-level faults); the client side reports streams, PINGs and the end on it. */
  readonly session: VirtualSession;
  handle(stream: VirtualStream, request: VirtualRequest): void;
  /** The connection ended (went away and its last stream is done, or it was reset). */
  closed(): void;
}

/** A mock (APNs, FCM, Web Push) on a scheduler, without sockets. */
export interface VirtualProvider {
  readonly provider: FaultProvider;
  readonly scheduler: Scheduler;
  /** Every notification the provider accepted: delivered and duplicate counts, as the socket mock keeps them. */
  readonly ledger: DeliveryLedger;
  /** The fault engine, when the options had faults (reset() it when the measured run starts, as the runner does with a mock). */
  readonly engine: FaultEngine | undefined;
  /** A connect attempt: its id and the engine's verdict (a `connection` fault may refuse or slow it). */
  connect(): VirtualConnect;
  /** The connection of an accepted attempt `id` (from connect()); `events` carry what the provider sends besides answers. */
  openConnection(id: number, events: VirtualSessionEvents): VirtualProviderConnection;
  /** Stops the fault engine (when the provider built it). */
  close(): void;
}

/** A string body as bytes, remembering the last one: a load test sends the same payload many times. */
export function bodyBytes(): (body: Uint8Array | string | undefined) => Buffer {
  let lastString: string | undefined;
  let lastBuffer = emptyBuffer;
  return (body) => {
    if (body === undefined) return emptyBuffer;
    if (typeof body !== 'string') return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (body !== lastString) {
      lastString = body;
      lastBuffer = Buffer.from(body);
    }
    return lastBuffer;
  };
}

export const emptyBuffer = Buffer.alloc(0);

/** A seeded sampler of the provider's service time, or undefined without a spec. */
export function serviceTime(spec: LatencySpec | undefined, seed: number): LatencySampler | undefined {
  if (spec === undefined) return undefined;
  const problems = validateLatencySpec(spec);
  if (problems.length > 0) throw new InvalidArgumentError(`invalid latency option: ${problems.join('; ')}`);
  return createSampler(spec, createRandom(seed));
}

/**
 * Answers `response` once the provider's sampled service time has passed since `since` (monotonic
 * ms, the request's arrival or when a fault let it through), never earlier — unless the client gave up by then.
 */
export function respondAfter(scheduler: Scheduler, latency: LatencySampler | undefined, stream: VirtualStream, response: FaultResponse, since: number): void {
  afterAtLeastOn(scheduler, latency === undefined ? 0 : latency(), () => !stream.gone && stream.respond(response), since);
}

/** A mock's RawAnswer (FCM, Web Push) as the response a stream gives. */
export function rawResponse(answer: { readonly status: number; readonly headers: Readonly<Record<string, string>>; readonly body: string | undefined }): FaultResponse {
  return { status: answer.status, headers: answer.headers, body: answer.body ?? '', reason: `HTTP_${answer.status}` };
}
