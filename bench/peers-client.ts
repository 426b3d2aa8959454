/**
 * One client of the peers benchmark (peers.ts), run in a fresh process per measurement so no
 * client inherits another's JIT state, heap or connections. It reads the fixtures the parent wrote
 * (nghttpd's origin and CA, the signing keys, the device tokens and subscriptions), opens its
 * connection with one uncounted notification, then keeps `inFlight` notifications open until
 * `count` have been answered, and prints one JSON line: wall time and CPU of the sending phase,
 * and the process's CPU since it started (imports and set-up included).
 *
 *   node dist/bench/peers-client.js <client> <fixtures.json> <count> <inFlight>
 *
 * Clients: the raw node:http2 loops are the yardsticks — one session, headers and token made once,
 * nothing but the protocol's own work per notification (FCM: the JSON body per message and the
 * answer's message name; Web Push: RFC 8291 encryption per message, as in webpush-encrypt.ts).
 * `raw-apns` sends no apns-id (the yardstick); `raw-apns-id` adds a fresh one per
 * notification, as pushsim does (its ledger's duplicate identity, one identity across retries).
 */
import { createECDH, createPrivateKey, randomBytes, randomUUID, sign, type ECDH } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { connect, type ClientHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { closedLoop } from './lib/closed-loop.js';

export const peersClients = ['raw-apns', 'raw-apns-id', 'node-apn', 'pushsim-apns', 'pushsim-apns-bare', 'raw-fcm', 'pushsim-fcm', 'raw-webpush', 'pushsim-webpush'] as const;
export type PeersClient = (typeof peersClients)[number];

/** The section of docs/benchmarks.md peers-warm.js writes, which peers.js keeps in place. */
export const peersWarmSection = 'peers-warm';

/** How the page names each client. */
export const peersLabels: Record<PeersClient, string> = {
  'raw-apns': 'raw `node:http2` loop (yardstick)',
  'raw-apns-id': 'raw `node:http2` loop with an apns-id (the same protocol work as pushsim)',
  'node-apn': '@parse/node-apn 8',
  'pushsim-apns': 'pushsim `ApnsSender`, default policies',
  'pushsim-apns-bare': 'pushsim `ApnsSender`, policies off',
  'raw-fcm': 'raw `node:http2` FCM loop (yardstick)',
  'pushsim-fcm': 'pushsim `FcmSender`, default policies',
  'raw-webpush': 'raw `node:http2` Web Push loop, RFC 8291 per message (yardstick)',
  'pushsim-webpush': 'pushsim `WebPushSender`, default policies',
};

export interface PeersFixtures {
  readonly origin: string;
  readonly ca: string;
  readonly topic: string;
  readonly payload: string;
  readonly apns: { readonly keyId: string; readonly teamId: string; readonly privateKey: string };
  readonly deviceTokens: readonly string[];
  readonly fcm: { readonly projectId: string; readonly clientEmail: string; readonly privateKey: string; readonly data: Readonly<Record<string, string>> };
  readonly vapid: { readonly publicKey: string; readonly privateKey: string; readonly subject: string };
  readonly subscriptions: readonly { readonly endpoint: string; readonly keys: { readonly p256dh: string; readonly auth: string } }[];
}

export interface ClientReport {
  readonly client: PeersClient;
  readonly count: number;
  readonly ok: number;
  readonly wallMs: number;
  /** CPU of the sending phase, µs. */
  readonly sendCpuMicros: number;
  /** CPU of the whole process until the end of sending, µs (start-up and imports included). */
  readonly processCpuMicros: number;
}

/** An ES256 JWT with node:crypto alone (the raw loops do not load jose). */
function es256Jwt(header: object, claims: object, privateKeyPem: string): string {
  const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64(header)}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(input), { key: createPrivateKey(privateKeyPem), dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function vapidPem(vapid: PeersFixtures['vapid']): string {
  const pub = Buffer.from(vapid.publicKey, 'base64url');
  const jwk = { kty: 'EC', crv: 'P-256', x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33).toString('base64url'), d: vapid.privateKey };
  return createPrivateKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** One POST on a raw session; resolves with the status and the body (collected only when `wantBody`). */
function post(session: ClientHttp2Session, headers: Record<string, string>, body: string | Buffer, wantBody: boolean): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const stream = session.request(headers);
    let status = 0;
    let text = '';
    stream.on('response', (h) => (status = Number(h[':status'])));
    if (wantBody) {
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (text += chunk));
    } else {
      stream.on('data', () => {});
    }
    stream.on('error', () => {});
    stream.on('close', () => resolve({ status, body: text }));
    stream.end(body);
  });
}

/** A local OAuth token endpoint for FcmSender (HTTP/1.1, loopback): one exchange per process. */
async function tokenEndpoint(): Promise<{ uri: string; close: () => void }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ access_token: 'ya29.bench-access-token', expires_in: 3600, token_type: 'Bearer' }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { uri: `http://127.0.0.1:${port}/token`, close: () => server.close() };
}

interface Ece {
  encrypt(buffer: Buffer, params: { version: 'aes128gcm'; dh: string; privateKey: ECDH; salt: Buffer; authSecret: string; rs: number }): Buffer;
}

/** Prepares the client and returns its per-notification send (the first call opens the connection) and a close. */
export async function prepareClient(client: PeersClient, f: PeersFixtures): Promise<{ send: (i: number) => Promise<boolean>; close: () => Promise<void> }> {
  const token = (i: number): string => f.deviceTokens[i % f.deviceTokens.length] as string;
  const subscription = (i: number) => f.subscriptions[i % f.subscriptions.length] as PeersFixtures['subscriptions'][number];
  const closeSession = (session: ClientHttp2Session) => () => new Promise<void>((resolve) => session.close(() => resolve()));
  switch (client) {
    case 'raw-apns':
    case 'raw-apns-id': {
      const authorization = `bearer ${es256Jwt({ alg: 'ES256', kid: f.apns.keyId }, { iss: f.apns.teamId, iat: Math.floor(Date.now() / 1000) }, f.apns.privateKey)}`;
      const session = connect(f.origin, { ca: f.ca });
      // The second yardstick does the protocol work pushsim does: a fresh apns-id per notification
      // (node:crypto's randomUUID, what a hand-written client would use).
      const withId = client === 'raw-apns-id';
      const send = async (i: number) => {
        const headers: Record<string, string> = { ':method': 'POST', ':path': `/3/device/${token(i)}`, 'apns-topic': f.topic, 'apns-push-type': 'alert', authorization, 'content-type': 'application/json' };
        if (withId) headers['apns-id'] = randomUUID();
        return (await post(session, headers, f.payload, false)).status === 200;
      };
      return { send, close: closeSession(session) };
    }
    case 'node-apn': {
      const { Notification, Provider } = await import('@parse/node-apn');
      const { port } = new URL(f.origin);
      const provider = new Provider({ token: { key: f.apns.privateKey, keyId: f.apns.keyId, teamId: f.apns.teamId }, address: '127.0.0.1', port: Number(port), ca: [f.ca], production: false });
      const note = new Notification();
      note.rawPayload = JSON.parse(f.payload) as object;
      note.topic = f.topic;
      note.pushType = 'alert';
      const send = async (i: number) => (await provider.send(note, token(i))).sent.length === 1;
      return { send, close: () => provider.shutdown() as unknown as Promise<void> };
    }
    case 'pushsim-apns':
    case 'pushsim-apns-bare': {
      const { ApnsSender } = await import('../sender/apns-sender.js');
      const sender = await ApnsSender.create({
        url: f.origin,
        credentials: f.apns,
        tls: { ca: f.ca },
        ...(client === 'pushsim-apns-bare' && { policies: { retry: false, circuitBreaker: false } }),
      });
      const send = async (i: number) => (await sender.send({ token: token(i), topic: f.topic, payload: f.payload })).status === 'accepted';
      return { send, close: () => sender.close() };
    }
    case 'raw-fcm': {
      const authorization = 'Bearer ya29.bench-access-token';
      const path = `/v1/projects/${f.fcm.projectId}/messages:send`;
      const session = connect(f.origin, { ca: f.ca });
      const send = async (i: number) => {
        const body = JSON.stringify({ message: { token: token(i), data: f.fcm.data } });
        const answer = await post(session, { ':method': 'POST', ':path': path, authorization, 'content-type': 'application/json' }, body, true);
        return answer.status === 200 && typeof (JSON.parse(answer.body) as { name?: unknown }).name === 'string';
      };
      return { send, close: closeSession(session) };
    }
    case 'pushsim-fcm': {
      const { FcmSender } = await import('../sender/fcm-sender.js');
      const endpoint = await tokenEndpoint();
      const serviceAccount = { type: 'service_account', project_id: f.fcm.projectId, client_email: f.fcm.clientEmail, private_key: f.fcm.privateKey, token_uri: endpoint.uri };
      const sender = await FcmSender.create({ serviceAccount, url: f.origin, tls: { ca: f.ca } });
      const send = async (i: number) => (await sender.send({ token: token(i), data: f.fcm.data })).status === 'accepted';
      return {
        send,
        close: async () => {
          await sender.close();
          endpoint.close();
        },
      };
    }
    case 'raw-webpush': {
      const ece = createRequire(import.meta.url)('http_ece') as Ece;
      const authorization = `vapid t=${es256Jwt({ typ: 'JWT', alg: 'ES256' }, { aud: f.origin, exp: Math.floor(Date.now() / 1000) + 43_200, sub: f.vapid.subject }, vapidPem(f.vapid))}, k=${f.vapid.publicKey}`;
      const session = connect(f.origin, { ca: f.ca });
      const plaintext = Buffer.from(f.payload);
      const send = async (i: number) => {
        const { endpoint, keys } = subscription(i);
        const ecdh = createECDH('prime256v1');
        ecdh.generateKeys();
        const body = ece.encrypt(plaintext, { version: 'aes128gcm', dh: keys.p256dh, privateKey: ecdh, salt: randomBytes(16), authSecret: keys.auth, rs: 4096 });
        const headers = { ':method': 'POST', ':path': endpoint.slice(f.origin.length), ttl: '60', 'content-encoding': 'aes128gcm', 'content-type': 'application/octet-stream', authorization };
        const { status } = await post(session, headers, body, false);
        return status >= 200 && status < 300;
      };
      return { send, close: closeSession(session) };
    }
    case 'pushsim-webpush': {
      const { WebPushSender } = await import('../sender/webpush-sender.js');
      const sender = await WebPushSender.create({ vapid: f.vapid, tls: { ca: f.ca } });
      // The same bytes as the raw loop's, encoded once (as a run does).
      const payload = Buffer.from(f.payload);
      const send = async (i: number) => (await sender.send({ subscription: subscription(i), payload, ttl: 60 })).status === 'accepted';
      return { send, close: () => sender.close() };
    }
  }
}

async function main(): Promise<void> {
  const [client, fixturesFile, countText, inFlightText] = process.argv.slice(2);
  if (!peersClients.includes(client as PeersClient) || fixturesFile === undefined) {
    throw new Error(`usage: peers-client.js <${peersClients.join('|')}> <fixtures.json> [count] [inFlight]`);
  }
  const count = Number(countText ?? 30_000);
  const inFlight = Number(inFlightText ?? 100);
  const fixtures = JSON.parse(await readFile(fixturesFile, 'utf8')) as PeersFixtures;
  const { send, close } = await prepareClient(client as PeersClient, fixtures);
  // One uncounted notification opens the connection (and, with token auth, proves the token).
  if (!(await send(0))) throw new Error(`${client}: the first notification was not accepted`);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ok = await closedLoop(count, inFlight, send);
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage();
  const report: ClientReport = {
    client: client as PeersClient,
    count,
    ok,
    wallMs,
    sendCpuMicros: cpu.user - cpu0.user + cpu.system - cpu0.system,
    processCpuMicros: cpu.user + cpu.system,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
  // Closing an idle (unreferenced) pooled session can leave nothing holding the event loop, which
  // would end the process with exit code 13 (unsettled top-level await): hold it for the close.
  const hold = setTimeout(() => {}, 10_000);
  await close();
  clearTimeout(hold);
}

// Only when run as a script: peers.ts imports the client list and types from here.
if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  await main();
}
