/** Http2Agent: one HTTP/2 pool per origin, chosen from the absolute URL in `path`. */
import { createServer, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Http2Agent, originOf } from '../../../sender/http2/agent.js';

const servers: Http2Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function echoServer(name: string): Promise<string> {
  const server = createServer();
  server.on('stream', (stream, headers) => {
    stream.respond({ ':status': 200, 'x-server': name, 'x-path': String(headers[':path']) });
    stream.end();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('Http2Agent', () => {
  it('originOf takes scheme://host:port without parsing a URL', () => {
    expect(originOf('https://push.example.net:8443/p/abc?x=1')).toBe('https://push.example.net:8443');
    expect(originOf('http://h')).toBe('http://h');
    expect(originOf('/relative')).toBeUndefined();
  });

  it('routes each request to its origin\'s pool with the path alone', async () => {
    const [a, b] = [await echoServer('a'), await echoServer('b')];
    const agent = new Http2Agent();
    try {
      const results = await Promise.all([`${a}/push/1`, `${b}/push/2`, `${a}/push/3`].map((path) => agent.dispatch({ method: 'POST', path, headers: {} }, { attempts: 0 })));
      expect(results.map((r) => r.ok && [r.headers['x-server'], r.headers['x-path']])).toEqual([['a', '/push/1'], ['b', '/push/2'], ['a', '/push/3']]);
      expect(agent.origins()).toEqual([b, a]);
      expect(agent.stats().connected).toBe(2);
    } finally {
      await agent.close();
    }
  });

  it('closes the least recently used pool beyond maxOrigins', async () => {
    const [a, b] = [await echoServer('a'), await echoServer('b')];
    const agent = new Http2Agent({ maxOrigins: 1 });
    try {
      await agent.dispatch({ method: 'GET', path: `${a}/`, headers: {} }, { attempts: 0 });
      await agent.dispatch({ method: 'GET', path: `${b}/`, headers: {} }, { attempts: 0 });
      expect(agent.origins()).toEqual([b]);
    } finally {
      await agent.close();
    }
  });

  it('fails a relative path without sending, and everything after close()', async () => {
    const agent = new Http2Agent();
    expect(await agent.dispatch({ method: 'GET', path: '/x', headers: {} }, { attempts: 0 })).toMatchObject({ ok: false, kind: 'connect', unprocessed: true });
    await agent.close();
    expect(await agent.dispatch({ method: 'GET', path: 'http://127.0.0.1:1/', headers: {} }, { attempts: 0 })).toMatchObject({ ok: false, kind: 'closed' });
  });

  it('checks pool options at construction', () => {
    expect(() => new Http2Agent({ connections: 0 })).toThrow(/connections must be an integer/);
    expect(() => new Http2Agent({ maxOrigins: 0 })).toThrow(/maxOrigins must be an integer/);
  });
});
