/**
 * close() and destroy() of the pool settle in every state: idle, busy, after the peer's GOAWAY, after
 * the peer closed first, when the peer never closes its side, and called twice. The first test is the
 * root cause of `ApnsSender.close()` never settling against nghttpd: node:http2 emits a session's
 * 'close' only once the peer has closed the socket too, and an idle session's socket is unref'd, so a
 * process with nothing else to do ran out of work first (Node exit 13, "unsettled top-level await").
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:http2';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Http2Pool } from '../../../sender/http2/pool.js';
import type { TransportRequest } from '../../../sender/transport.js';
import { answerAfter, startH2Server } from '../../helpers/h2-server.js';
import type { StreamScript, TestH2Server } from '../../helpers/h2-server.js';
import { startTcpRelay } from '../../helpers/tcp-relay.js';
import type { TcpRelay } from '../../helpers/tcp-relay.js';

const request: TransportRequest = { method: 'POST', path: '/3/device/abc', headers: {}, body: '{}' };
const builtPool = pathToFileURL(join(import.meta.dirname, '../../../dist/sender/http2/pool.js')).href;

let server: TestH2Server | undefined;
let relay: TcpRelay | undefined;
afterEach(async () => {
  await relay?.close();
  await server?.close();
  relay = undefined;
  server = undefined;
});

/** An h2 server behind a relay that holds back its FIN `peerCloseDelayMs` after the client's. */
async function peer(script: StreamScript, peerCloseDelayMs: number): Promise<string> {
  server = await startH2Server(script);
  relay = await startTcpRelay(Number(new URL(server.url).port), { peerCloseDelayMs });
  return `http://127.0.0.1:${relay.port}`;
}

/** Whether `promise` settles within `ms` (generous: this checks "ever", not speed). */
async function settlesWithin(promise: Promise<unknown>, ms = 10_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return settled;
}

describe('Http2Pool close() and destroy() settle', () => {
  it('close() settles in a process with nothing else to do when the peer closes its side 300 ms after ours (the nghttpd case)', async () => {
    const origin = await peer(answerAfter(0), 300);
    const script = [
      `import { Http2Pool } from ${JSON.stringify(builtPool)};`,
      'const pool = new Http2Pool({ origin: process.argv[1] });',
      "const results = await Promise.all(Array.from({ length: 5 }, () => pool.dispatch({ method: 'POST', path: '/x', headers: {}, body: '{}' })));",
      "process.stdout.write(results.map((r) => (r.ok ? r.status : r.kind)).join(',') + '\\n');",
      'await pool.close();',
      "process.stdout.write('settled\\n');",
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, origin], { timeout: 20_000 }).catch((error: { code: number; stdout: string }) => {
      // Exit 13 is Node's "unsettled top-level await": close() never settled.
      throw new Error(`the child exited ${error.code}: ${error.stdout}`);
    });
    expect(stdout).toBe('200,200,200,200,200\nsettled\n');
  });

  it('close() cuts off a peer that never closes its side, after closeTimeoutMs', async () => {
    const origin = await peer(answerAfter(0), Infinity);
    const failures: string[] = [];
    const pool = new Http2Pool({ origin, closeTimeoutMs: 200, listener: { onConnectionRemoved: (_o, why) => failures.push(why) } });
    expect((await pool.dispatch(request)).ok).toBe(true);
    expect(await settlesWithin(pool.close())).toBe(true);
    expect(pool.stats().connected).toBe(0);
  });

  it('close() settles when idle, and twice in a row', async () => {
    const origin = await peer(answerAfter(0), 0);
    const pool = new Http2Pool({ origin });
    expect((await pool.dispatch(request)).ok).toBe(true);
    expect(await settlesWithin(Promise.all([pool.close(), pool.close()]))).toBe(true);
    expect(await settlesWithin(pool.close())).toBe(true);
    expect(await pool.dispatch(request)).toMatchObject({ ok: false, kind: 'closed' });
  });

  it('close() on a pool that never connected settles at once', async () => {
    const pool = new Http2Pool({ origin: 'http://127.0.0.1:1' });
    expect(await settlesWithin(pool.close(), 2000)).toBe(true);
    expect(await settlesWithin(pool.destroy(), 2000)).toBe(true);
  });

  it('close() while busy lets every request finish, then settles', async () => {
    const origin = await peer(answerAfter(30), 0);
    const pool = new Http2Pool({ origin });
    const sent = Array.from({ length: 20 }, () => pool.dispatch(request));
    await new Promise((r) => setTimeout(r, 5));
    const closing = pool.close();
    const results = await Promise.all(sent);
    expect(results.map((r) => (r.ok ? r.status : r.kind))).toEqual(Array(20).fill(200));
    expect(await settlesWithin(closing)).toBe(true);
  });

  it('close() settles after the peer sent GOAWAY and then kept its side open', async () => {
    const origin = await peer((stream) => {
      stream.respond({ ':status': 200 }, { endStream: true });
      stream.session?.goaway(constants.NGHTTP2_NO_ERROR);
    }, Infinity);
    const pool = new Http2Pool({ origin, closeTimeoutMs: 200 });
    expect((await pool.dispatch(request)).ok).toBe(true);
    expect(await settlesWithin(pool.close())).toBe(true);
  });

  it('close() and destroy() settle after the peer closed the connection first, abruptly', async () => {
    const origin = await peer(answerAfter(0), 0);
    const pool = new Http2Pool({ origin });
    expect((await pool.dispatch(request)).ok).toBe(true);
    for (const session of server!.sessions) session.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(await settlesWithin(pool.close())).toBe(true);
    expect(await settlesWithin(pool.destroy())).toBe(true);
  });

  it('destroy() while busy fails what is in flight, settles, and settles again when called twice', async () => {
    const origin = await peer(() => {}, 0); // never answers
    const pool = new Http2Pool({ origin });
    const sent = Array.from({ length: 5 }, () => pool.dispatch(request));
    await new Promise((r) => setTimeout(r, 50));
    expect(await settlesWithin(Promise.all([pool.destroy(), pool.destroy()]))).toBe(true);
    const results = await Promise.all(sent);
    expect(results.every((r) => !r.ok)).toBe(true);
  });

  it('destroy() during a close() waiting for requests ends both', async () => {
    const origin = await peer(() => {}, Infinity); // never answers, never closes
    const pool = new Http2Pool({ origin });
    const sent = pool.dispatch(request);
    await new Promise((r) => setTimeout(r, 50));
    const closing = pool.close();
    expect(await settlesWithin(pool.destroy())).toBe(true);
    expect(await settlesWithin(closing)).toBe(true);
    expect((await sent).ok).toBe(false);
  });
});
