/** A node:http2 client for the proxy tests that reports everything the client observes. */
import { connect, constants } from 'node:http2';
import type { ClientHttp2Session, IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http2';

export interface Observed {
  readonly status: number | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** RST_STREAM code when the stream was reset (0 when it ended normally). */
  readonly rstCode: number | undefined;
  readonly error: string | undefined;
  /** DATA frames' worth of bytes seen, to tell HEADERS-only answers from HEADERS + empty DATA. */
  readonly dataChunks: number;
}

export interface GoawayEvent {
  readonly code: number;
  readonly lastStreamId: number;
  readonly debug: string;
}

export interface TestClient {
  readonly session: ClientHttp2Session;
  readonly goaways: GoawayEvent[];
  request(headers: OutgoingHttpHeaders, body?: string, timeoutMs?: number): Promise<Observed>;
  close(): Promise<void>;
}

export function openClient(url: string, ca?: string): Promise<TestClient> {
  const session = connect(url, ca === undefined ? {} : { ca });
  const goaways: GoawayEvent[] = [];
  session.on('goaway', (code, lastStreamId, opaque) => goaways.push({ code, lastStreamId, debug: opaque?.toString() ?? '' }));
  session.on('error', () => {});
  const client: TestClient = {
    session,
    goaways,
    request: (headers, body, timeoutMs) => send(session, headers, body, timeoutMs),
    close: () =>
      new Promise((resolve) => {
        if (session.closed || session.destroyed) return resolve();
        session.close(() => resolve());
        setTimeout(() => session.destroy(), 2_000).unref();
      }),
  };
  return new Promise((resolve, reject) => {
    session.once('connect', () => resolve(client));
    session.once('error', reject);
    session.once('close', () => reject(new Error('session closed before connecting')));
  });
}

export function send(session: ClientHttp2Session, headers: OutgoingHttpHeaders, body?: string, timeoutMs?: number): Promise<Observed> {
  return new Promise((resolve) => {
    let status: number | undefined;
    let responseHeaders: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let error: string | undefined;
    let dataChunks = 0;
    let stream;
    try {
      stream = session.request({ ':method': 'POST', ...headers });
    } catch (e) {
      resolve({ status, headers: {}, body: '', rstCode: undefined, error: (e as { code?: string }).code ?? String(e), dataChunks });
      return;
    }
    if (timeoutMs !== undefined) stream.setTimeout(timeoutMs, () => stream.close(constants.NGHTTP2_CANCEL));
    stream.on('response', (h) => {
      responseHeaders = h;
      status = Number(h[':status']);
    });
    stream.on('data', (chunk: Buffer) => {
      dataChunks++;
      chunks.push(chunk);
    });
    stream.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    stream.on('close', () =>
      resolve({ status, headers: responseHeaders, body: Buffer.concat(chunks).toString(), rstCode: stream.rstCode, error, dataChunks }),
    );
    stream.end(body);
  });
}

export const token = (n: number): string => n.toString(16).padStart(64, '0');
export const payload = JSON.stringify({ aps: { alert: 'hello' } });

import { startMockApns } from '../../../simulator/apns/server.js';
import type { MockApns } from '../../../simulator/apns/server.js';
import { ApnsTokenSigner } from '../../../sender/auth/apns-token.js';
import { FaultEngine } from '../../../simulator/faults/engine.js';
import type { FaultsDocument } from '../../../simulator/faults/spec.js';
import { startFaultProxy } from '../../../simulator/proxy/proxy.js';
import type { FaultProxy } from '../../../simulator/proxy/proxy.js';

/** A manual clock for engines driven on fake time. */
export function manualClock(start = 1_700_000_000_000): { now(): number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

export interface ApnsStack {
  readonly mock: MockApns;
  readonly proxy: FaultProxy;
  readonly engine: FaultEngine;
  readonly authorization: string;
  /** APNs request headers for device `n` (valid token auth), plus overrides. */
  headers(n: number, extra?: OutgoingHttpHeaders): OutgoingHttpHeaders;
  client(): Promise<TestClient>;
  close(): Promise<void>;
}

/** The APNs mock (TLS) behind the fault proxy (TLS with its generated CA). */
export async function startApnsStack(spec: FaultsDocument | FaultEngine, proxyTls = true): Promise<ApnsStack> {
  const mock = await startMockApns({ tls: true });
  const engine = spec instanceof FaultEngine ? spec : new FaultEngine({ spec, tickMs: 0, ledgerRecords: 100 });
  const proxy = await startFaultProxy({ upstream: mock.url, upstreamCa: mock.ca ?? '', faults: engine, tls: proxyTls });
  const authorization = await (await ApnsTokenSigner.create(mock.credentials)).authorization();
  const clients: TestClient[] = [];
  return {
    mock,
    proxy,
    engine,
    authorization,
    headers: (n, extra = {}) => ({ ':path': `/3/device/${token(n)}`, 'apns-topic': 'com.example.app', 'apns-push-type': 'alert', authorization, ...extra }),
    client: async () => {
      const client = await openClient(proxy.url, proxy.ca);
      clients.push(client);
      return client;
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
      await proxy.close();
      engine.close();
      await mock.close();
    },
  };
}
