/**
 * Sends an unmodified Node process to pushsim's mocks: every TCP connection — node:net, node:tls,
 * http, https, http2, undici/fetch all open theirs through `Socket.prototype.connect` — to a
 * host name in the table goes to the mock's address and port instead. TLS still checks the
 * certificate against the real name (the servername is set before the socket connects), which a
 * mock started with `impersonate` serves, signed by a CA given to NODE_EXTRA_CA_CERTS.
 *
 * Nothing leaves the machine: a connection to a name not in the table that is not loopback throws
 * at once, naming the host and how to map it. DNS is not patched: a redirected connection is
 * opened to the target address, so the real name is never looked up.
 *
 * One difference from Google's front end is smoothed over here: firebase-admin's HTTP/2 transport
 * sends `:scheme: https:` (url.parse's protocol, colon included; src/utils/api-request.ts), which
 * Google accepts and nghttp2 — under every node:http2 server — refuses with PROTOCOL_ERROR before
 * any JavaScript sees the request. For redirected HTTP/2 sessions the trailing colon is dropped.
 */
import type * as Http2 from 'node:http2';
import { Socket } from 'node:net';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { findRedirect, isLoopback, type RedirectRule } from './spec.js';

// The module object itself (an ESM namespace is frozen): patching `connect` there is what
// `require('http2').connect(…)` in a library sees; syncBuiltinESMExports() updates `import { connect }`.
const http2 = createRequire(import.meta.url)('node:http2') as typeof Http2;

type Connect = (this: Socket, ...args: unknown[]) => Socket;
type ConnectOptions = { host?: string; port?: number | string; path?: string; [key: string]: unknown };

let installed: { readonly uninstall: () => void } | undefined;

/** Installs the table (replacing one installed before); returns a function that takes it out again. */
export function installRedirect(rules: readonly RedirectRule[]): () => void {
  installed?.uninstall();
  const originalConnect = Socket.prototype.connect as unknown as Connect;
  const originalHttp2Connect = http2.connect;

  const connect: Connect = function connect(this: Socket, ...args: unknown[]) {
    const [options, callback] = normalize(args);
    // A unix socket or named pipe (node's own test: a non-empty string path; http passes path: null).
    if (options === undefined || (typeof options.path === 'string' && options.path !== '')) return originalConnect.apply(this, args);
    const host = options.host ?? 'localhost';
    const port = Number(options.port);
    const rule = findRedirect(rules, host, port);
    if (rule !== undefined) {
      const redirected = { ...options, host: rule.target.host, port: rule.target.port };
      return callback === undefined ? originalConnect.call(this, redirected) : originalConnect.call(this, redirected, callback);
    }
    if (!isLoopback(host)) {
      throw new Error(
        `pushsim redirect: refusing a connection to ${host}:${port}: it is not in PUSHSIM_REDIRECT and not loopback, and nothing may leave this machine. ` +
          `To send it to a mock, add "${host}=127.0.0.1:PORT" to PUSHSIM_REDIRECT.`,
      );
    }
    return originalConnect.apply(this, args);
  };

  const http2Connect = function (this: unknown, authority: string | URL, ...rest: unknown[]): Http2.ClientHttp2Session {
    const session = (originalHttp2Connect as (...a: unknown[]) => Http2.ClientHttp2Session).call(this, authority, ...rest);
    const url = typeof authority === 'string' ? safeUrl(authority) : authority;
    if (url !== undefined && findRedirect(rules, url.hostname, Number(url.port || (url.protocol === 'http:' ? 80 : 443))) !== undefined) fixScheme(session);
    return session;
  } as typeof Http2.connect;

  Socket.prototype.connect = connect as unknown as typeof Socket.prototype.connect;
  http2.connect = http2Connect;
  syncBuiltinESMExports();
  const uninstall = (): void => {
    Socket.prototype.connect = originalConnect as unknown as typeof Socket.prototype.connect;
    http2.connect = originalHttp2Connect;
    syncBuiltinESMExports();
    installed = undefined;
  };
  installed = { uninstall };
  return uninstall;
}

/**
 * `socket.connect(options[, cb])`, `(port[, host][, cb])`, `(path[, cb])`, or node's own
 * pre-normalized `[options, cb]` array (net.connect, tls.connect): the options and the callback.
 */
function normalize(args: readonly unknown[]): [ConnectOptions | undefined, ((...a: unknown[]) => void) | undefined] {
  const first = Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  const callback = first.find((arg): arg is (...a: unknown[]) => void => typeof arg === 'function');
  const [head, second] = first;
  if (typeof head === 'object' && head !== null) return [head as ConnectOptions, callback];
  if (typeof head === 'number' || (typeof head === 'string' && /^\d+$/.test(head))) {
    return [{ port: head, ...(typeof second === 'string' && { host: second }) }, callback];
  }
  if (typeof head === 'string') return [{ path: head }, callback];
  return [undefined, callback];
}

/** Drops the colon of `:scheme: https:` on a session's requests (see the module comment). */
function fixScheme(session: Http2.ClientHttp2Session): void {
  const request = session.request.bind(session);
  session.request = ((headers?: Http2.OutgoingHttpHeaders, options?: Http2.ClientSessionRequestOptions) => {
    const scheme = headers?.[':scheme'];
    if (typeof scheme === 'string' && scheme.endsWith(':')) return request({ ...headers, ':scheme': scheme.slice(0, -1) }, options);
    return request(headers, options);
  }) as typeof session.request;
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}
