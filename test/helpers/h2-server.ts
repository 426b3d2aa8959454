/**
 * A bare node:http2 cleartext server on 127.0.0.1:0 whose behaviour per stream is scripted by the
 * test, and which counts concurrency as the server sees it.
 */
import { createServer } from 'node:http2';
import type { Http2Server, Http2Session, IncomingHttpHeaders, ServerHttp2Stream, Settings } from 'node:http2';
import type { AddressInfo } from 'node:net';

export type StreamScript = (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, body: Buffer, index: number) => void;

export interface TestH2Server {
  readonly url: string;
  readonly server: Http2Server;
  readonly sessions: Set<Http2Session>;
  /** Streams open right now, and the most ever open at once on one session. */
  open: number;
  maxOpenPerSession: number;
  requests: number;
  close(): Promise<void>;
}

export async function startH2Server(script: StreamScript, settings: Settings = {}): Promise<TestH2Server> {
  const server = createServer({ settings });
  const sessions = new Set<Http2Session>();
  const openBySession = new Map<Http2Session, number>();
  const state: TestH2Server = {
    url: '',
    server,
    sessions,
    open: 0,
    maxOpenPerSession: 0,
    requests: 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
  server.on('session', (session) => {
    sessions.add(session);
    openBySession.set(session, 0);
    session.on('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    const index = state.requests++;
    const session = stream.session as Http2Session;
    const open = (openBySession.get(session) ?? 0) + 1;
    openBySession.set(session, open);
    state.open++;
    state.maxOpenPerSession = Math.max(state.maxOpenPerSession, open);
    stream.on('close', () => {
      openBySession.set(session, (openBySession.get(session) ?? 1) - 1);
      state.open--;
    });
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => script(stream, headers, Buffer.concat(chunks), index));
    stream.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (state as { url: string }).url = `http://127.0.0.1:${port}`;
  return state;
}

/** Answers 200 after `delayMs` (0 = next macrotask), so that streams overlap. */
export function answerAfter(delayMs: number, status = 200): StreamScript {
  return (stream) => {
    setTimeout(() => {
      if (!stream.destroyed) stream.respond({ ':status': status }, { endStream: true });
    }, delayMs);
  };
}
