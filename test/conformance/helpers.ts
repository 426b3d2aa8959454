/**
 * Conformance helpers: a node:http2 client that also reports the framing of the answer (was the
 * stream ended by the HEADERS frame?), and the GOAWAY frames a connection received.
 */
import { connect, constants, type ClientHttp2Session, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';

export interface FramedResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** True when the HEADERS frame carried END_STREAM (a success in APNs framing, protocols.md §1.5). */
  readonly endedWithHeaders: boolean;
  /** Number of DATA chunks received. */
  readonly dataChunks: number;
}

export interface Goaway {
  readonly code: number;
  readonly lastStreamId: number;
  readonly debug: string | undefined;
}

export interface Connection {
  readonly client: ClientHttp2Session;
  readonly goaways: Goaway[];
  send(request: { method?: string; path: string; headers?: OutgoingHttpHeaders; body?: string | Buffer }): Promise<FramedResponse>;
  close(): void;
}

export interface ConnectOptions {
  readonly ca?: string | undefined;
  readonly cert?: string;
  readonly key?: string;
}

export function open(url: string, options: ConnectOptions = {}): Connection {
  const client = connect(url, {
    ...(options.ca !== undefined && { ca: options.ca }),
    ...(options.cert !== undefined && { cert: options.cert, key: options.key }),
  });
  const goaways: Goaway[] = [];
  client.on('error', () => {});
  client.on('goaway', (code, lastStreamId, data) => goaways.push({ code, lastStreamId, debug: data?.length ? data.toString('utf8') : undefined }));
  return {
    client,
    goaways,
    send: (request) =>
      new Promise((resolve, reject) => {
        const stream = client.request({ ':method': request.method ?? 'POST', ':path': request.path, ...request.headers }, { endStream: request.body === undefined });
        let headers: IncomingHttpHeaders = {};
        let endedWithHeaders = false;
        let dataChunks = 0;
        const chunks: Buffer[] = [];
        stream.on('response', (received, flags) => {
          headers = received;
          endedWithHeaders = (flags & constants.NGHTTP2_FLAG_END_STREAM) !== 0;
        });
        stream.on('data', (chunk: Buffer) => {
          dataChunks++;
          chunks.push(chunk);
        });
        stream.on('end', () =>
          resolve({ status: Number(headers[':status']), headers, body: Buffer.concat(chunks).toString('utf8'), endedWithHeaders, dataChunks }),
        );
        stream.on('error', reject);
        if (request.body !== undefined) stream.end(request.body);
      }),
    close: () => client.close(),
  };
}

/** Resolves once the peer's SETTINGS say `maxConcurrentStreams` is `expected`. */
export function remoteStreamLimit(client: ClientHttp2Session, expected: number): Promise<void> {
  return new Promise((resolve) => {
    if (client.remoteSettings.maxConcurrentStreams === expected) return resolve();
    const onSettings = (settings: { maxConcurrentStreams?: number }): void => {
      if (settings.maxConcurrentStreams !== expected) return;
      client.off('remoteSettings', onSettings);
      resolve();
    };
    client.on('remoteSettings', onSettings);
  });
}
