/**
 * The upstream side of the fault proxy. http2-proxy speaks to its upstream through an
 * `http.ClientRequest`-shaped object returned from `onReq`; providers are HTTP/2-only (APNs §1.1,
 * FCM §2.7), so `UpstreamExchange` is that object, carrying the request over node:http2:
 *
 *   client stream ─► http2-proxy (hop-by-hop headers, body piping, abort) ─► UpstreamExchange
 *        ▲                                                                     │ body complete
 *        │                                         FaultEngine.handle(stream, info, forward)
 *        └──── onRes ◄── 'response' ◄── upstream answer (passed through) ◄─────┘
 *
 * One upstream connection per client connection, so per-connection provider behaviour (APNs binds
 * a connection to one team's token, §1.9; stream limits, §1.11) is what the client would see.
 */
import { EventEmitter } from 'node:events';
import { connect, constants } from 'node:http2';
import type { ClientHttp2Session, ClientHttp2Stream, Http2Session, IncomingHttpHeaders, OutgoingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { FaultEngine } from '../faults/engine.js';
import type { AcceptHook } from '../faults/hooks.js';
import type { FaultMetrics } from '../faults/metrics.js';
import { deliveryId, requestInfo } from './request-info.js';

export interface UpstreamTarget {
  readonly origin: string;
  /** CA to trust for a TLS upstream (e.g. the mock's); system CAs otherwise. */
  readonly ca?: string | undefined;
}

/** Upstream sessions keyed by the client session they serve. */
export class UpstreamSessions {
  readonly #target: UpstreamTarget;
  readonly #sessions = new Map<Http2Session, ClientHttp2Session>();

  constructor(target: UpstreamTarget) {
    this.#target = target;
  }

  for(client: Http2Session): ClientHttp2Session {
    const existing = this.#sessions.get(client);
    // A session that got GOAWAY or died cannot take new streams: open a fresh one.
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const session = connect(this.#target.origin, { ...(this.#target.ca !== undefined && { ca: this.#target.ca }), ALPNProtocols: ['h2'] });
    session.on('error', () => {}); // surfaced per stream
    session.on('goaway', () => this.#sessions.get(client) === session && this.#sessions.delete(client));
    this.#sessions.set(client, session);
    if (!existing) client.once('close', () => this.#drop(client));
    return session;
  }

  #drop(client: Http2Session): void {
    this.#sessions.get(client)?.close();
    this.#sessions.delete(client);
  }

  close(): void {
    for (const session of this.#sessions.values()) session.destroy();
    this.#sessions.clear();
  }
}

/** The upstream's answer, shaped like the `http.IncomingMessage` http2-proxy expects, body already read. */
export class UpstreamResponse extends EventEmitter {
  readonly statusMessage = '';
  readonly httpVersion = '2.0';
  headers: Record<string, string | string[]>;
  constructor(
    readonly statusCode: number,
    headers: IncomingHttpHeaders,
    readonly body: Buffer,
    readonly trailers: IncomingHttpHeaders | undefined,
  ) {
    super();
    this.headers = withoutPseudo(headers);
  }

  /** http2-proxy destroys the upstream response when the exchange completes; the body is already read. */
  destroy(): void {}
}

export interface ExchangeContext {
  readonly clientStream: ServerHttp2Stream;
  /** The client's request headers, pseudo-headers included. */
  readonly clientHeaders: IncomingHttpHeaders;
  readonly upstream: UpstreamSessions;
  readonly authority: string;
  readonly scheme: string;
  readonly engine: FaultEngine | undefined;
  readonly metrics: FaultMetrics | undefined;
  /** Largest request body held for the fault engine; a larger one is answered 413. */
  readonly maxBodyBytes: number;
}

/**
 * 413 from the proxy itself, then RST_STREAM(NO_ERROR) so the client stops sending the rest
 * (RFC 9113 §8.1: a server may answer before the request is complete and ask for that).
 */
export function refuseTooLarge(stream: ServerHttp2Stream, maxBodyBytes: number): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  stream.respond({ ':status': 413, 'content-type': 'application/json' });
  stream.end(JSON.stringify({ reason: 'PayloadTooLarge', error: `the fault proxy holds request bodies of up to ${maxBodyBytes} bytes` }), () => {
    if (!stream.closed) stream.close(constants.NGHTTP2_NO_ERROR);
  });
}

const noRecord: AcceptHook = () => false;

export class UpstreamExchange extends EventEmitter {
  /** http2-proxy waits for a connected socket before piping the body; there is nothing to wait for. */
  readonly socket = { connecting: false };
  readonly #context: ExchangeContext;
  readonly #method: string;
  readonly #path: string;
  readonly #headers: Record<string, unknown>;
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  #tooLarge = false;
  #upstream: ClientHttp2Stream | undefined;
  #aborted = false;

  constructor(context: ExchangeContext, options: { method?: string; path?: string; headers?: Record<string, unknown> }) {
    super();
    this.#context = context;
    this.#method = options.method ?? 'POST';
    this.#path = options.path ?? '/';
    this.#headers = { ...(options.headers ?? {}) };
    // http2-proxy adds RFC 7239 Forwarded; providers are strict about headers and the proxy should be invisible.
    delete this.#headers['forwarded'];
  }

  /** The body is held (faults decide on it and the ledger keys on it) up to maxBodyBytes; past that, dropped and 413. */
  write(chunk: Buffer): boolean {
    if (this.#tooLarge) return true;
    this.#bytes += chunk.length;
    if (this.#bytes > this.#context.maxBodyBytes) {
      this.#tooLarge = true;
      this.#chunks.length = 0;
      refuseTooLarge(this.#context.clientStream, this.#context.maxBodyBytes);
      return true;
    }
    this.#chunks.push(chunk);
    return true;
  }

  end(): void {
    if (this.#tooLarge) return;
    const body = Buffer.concat(this.#chunks);
    const { engine, clientStream } = this.#context;
    if (engine === undefined) {
      // No fault framework (the benchmark's baseline): nothing to record, provider irrelevant.
      this.#forward(body, noRecord, 'webpush');
      return;
    }
    const info = requestInfo(this.#context.clientHeaders, body, engine.connectionId(clientStream.session));
    engine.handle(clientStream, info, (accept) => this.#forward(body, accept, info.provider));
  }

  abort(): void {
    this.destroy();
  }

  destroy(): void {
    this.#aborted = true;
    const upstream = this.#upstream;
    if (upstream && !upstream.closed) upstream.close(constants.NGHTTP2_CANCEL);
  }

  #forward(body: Buffer, accept: AcceptHook, provider: 'apns' | 'fcm' | 'webpush'): void {
    if (this.#aborted) return;
    const { clientStream, upstream, authority, scheme, metrics } = this.#context;
    const session = upstream.for(clientStream.session as Http2Session);
    const headers: OutgoingHttpHeaders = { ...(this.#headers as OutgoingHttpHeaders), ':method': this.#method, ':path': this.#path, ':authority': authority, ':scheme': scheme };
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: body.length === 0 });
    } catch {
      clientStream.close(constants.NGHTTP2_REFUSED_STREAM);
      return;
    }
    this.#upstream = stream;
    if (body.length > 0) stream.end(body);
    let status = 0;
    let responseHeaders: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      responseHeaders = h;
      status = Number(h[':status']);
    });
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('error', () => {});
    stream.on('close', () => {
      if (this.#aborted || clientStream.destroyed || clientStream.closed) return;
      if (status === 0) {
        // No answer. Never sent (the upstream could not be reached): REFUSED_STREAM, so the client
        // knows it is safe to retry (RFC 9113 §8.7). Otherwise mirror the upstream's reset code, so a
        // stream the provider refused stays "unprocessed" and any other stays ambiguous.
        const code = stream.pending ? constants.NGHTTP2_REFUSED_STREAM : stream.rstCode;
        clientStream.close(code === undefined || code === constants.NGHTTP2_NO_ERROR ? constants.NGHTTP2_INTERNAL_ERROR : code);
        return;
      }
      const responseBody = Buffer.concat(chunks);
      if (status >= 200 && status < 300 && accept(deliveryId(provider, responseHeaders, responseBody), body)) return;
      metrics?.response(provider, status, reasonOf(provider, status, responseBody), false);
      this.emit('response', new UpstreamResponse(status, responseHeaders, responseBody, trailers));
    });
  }
}

/** Writes the upstream's answer on the client stream unchanged: one HEADERS frame with END_STREAM when there is no body (APNs 200, §1.5). */
export function writeUpstreamResponse(stream: ServerHttp2Stream, response: UpstreamResponse): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  const headers: OutgoingHttpHeaders = { ...response.headers, ':status': response.statusCode };
  const trailers = response.trailers === undefined ? undefined : withoutPseudo(response.trailers);
  if (response.body.length === 0 && trailers === undefined) {
    stream.respond(headers, { endStream: true });
    return;
  }
  stream.respond(headers, { waitForTrailers: trailers !== undefined });
  if (trailers !== undefined) stream.once('wantTrailers', () => stream.sendTrailers(trailers));
  stream.end(response.body);
}

function withoutPseudo(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (!name.startsWith(':') && value !== undefined) out[name] = value;
  return out;
}

function reasonOf(provider: string, status: number, body: Buffer): string {
  if (status < 300 || body.length === 0 || body.length > 4096) return status < 300 ? 'accepted' : `HTTP_${status}`;
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { reason?: unknown; error?: { details?: { errorCode?: unknown }[]; status?: unknown } };
    if (provider === 'apns' && typeof parsed.reason === 'string') return parsed.reason;
    const code = parsed.error?.details?.find((d) => typeof d.errorCode === 'string')?.errorCode ?? parsed.error?.status;
    if (typeof code === 'string') return code;
  } catch {
    // not JSON: fall through
  }
  return `HTTP_${status}`;
}
