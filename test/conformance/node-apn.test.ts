/**
 * A correct APNs client that is not ours — @parse/node-apn — pointed at the mock over TLS with
 * token auth, sees what it would see from Apple for the same requests (protocols.md §1.5–1.9, §4:
 * node-apn retries 429/5xx and ExpiredProviderToken up to `connectionRetryLimit` times).
 */
import { Notification, Provider, type ProviderOptions, type ResponseFailure, type ResponseSent } from '@parse/node-apn';
import { afterEach, describe, expect, it } from 'vitest';
import { apnsReasons, type ApnsReason } from '../../core/reasons.js';
import { generateApnsSigningKey, type ApnsSigningKey } from '../../simulator/apns/credentials.js';
import type { MockApnsOptions } from '../../simulator/apns/options.js';
import { startMockApns, type MockApns } from '../../simulator/apns/server.js';
import { installRedirect } from '../../simulator/redirect/install.js';
import { redirectsTo } from '../../simulator/redirect/spec.js';
import { deviceToken } from '../simulator/apns/helpers.js';

const topic = 'com.example.app';
const gone = deviceToken(0x410);
const goneAt = 1_458_114_061_260;
let mock: MockApns | undefined;
const providers: Provider[] = [];

afterEach(async () => {
  for (const provider of providers.splice(0)) await provider.shutdown();
  await mock?.close();
  mock = undefined;
});

async function start(options: MockApnsOptions = {}): Promise<MockApns> {
  mock = await startMockApns({ tls: true, ...options });
  return mock;
}

function provider(target: MockApns, credentials: ApnsSigningKey = target.credentials, extra: Partial<ProviderOptions> = {}): Provider {
  const { port } = new URL(target.url);
  const created = new Provider({
    token: { key: credentials.privateKey, keyId: credentials.keyId, teamId: credentials.teamId },
    address: '127.0.0.1',
    port: Number(port),
    ca: target.ca ?? null,
    production: true,
    ...extra,
  } as ProviderOptions);
  providers.push(created);
  return created;
}

function note(fields: Record<string, unknown> = {}): Notification {
  return Object.assign(new Notification({ alert: 'Hello', topic }), fields);
}

/** A failure as node-apn reports it: status and APNs reason, or the transport error. */
const failure = (f: ResponseFailure | undefined) =>
  f?.status === undefined
    ? { error: f?.error?.message }
    : // node-apn puts the reason of a retried-then-failed request (ExpiredProviderToken) in `error`.
      { status: f.status, reason: f.response?.reason ?? f.error?.message, ...(f.response?.timestamp !== undefined && { timestamp: f.response.timestamp }) };
const devices = (sent: readonly { device: string }[]): string[] => sent.map((s) => s.device);

describe('@parse/node-apn against the mock (TLS, token auth)', () => {
  it('delivers pushes, and reports Unregistered with its timestamp and BadDeviceToken, like APNs', async () => {
    const apns = await start({ unregistered: { [gone]: goneAt } });
    const client = provider(apns);
    // Apple allows one stream until the provider token is validated (§1.9): start with one push.
    expect(devices((await client.send(note(), deviceToken(1))).sent)).toEqual([deviceToken(1)]);
    const tokens = Array.from({ length: 100 }, (_, i) => deviceToken(i + 2));
    const result = await client.send(note(), [...tokens, gone, 'not-hex']);
    expect(result.sent).toHaveLength(100);
    const byDevice = new Map(result.failed.map((f) => [f.device, failure(f)]));
    expect(byDevice.get(gone)).toEqual({ status: 410, reason: 'Unregistered', timestamp: goneAt });
    expect(byDevice.get('not-hex')).toEqual({ status: 400, reason: 'BadDeviceToken' });
    expect(apns.stats().byReason).toMatchObject({ Unregistered: 1, BadDeviceToken: 1 });
  });

  it.each<[string, Record<string, unknown>, number, string]>([
    ['a voip push to the bare bundle id', { pushType: 'voip' }, 400, 'BadTopic'],
    ['a background push at priority 10', { pushType: 'background', priority: 10, contentAvailable: 1, alert: undefined }, 400, 'BadPriority'],
    ['a collapse id over 64 bytes', { collapseId: 'c'.repeat(65) }, 400, 'BadCollapseId'],
    ['a payload over 4096 bytes', { alert: 'x'.repeat(5000) }, 413, 'PayloadTooLarge'],
    ['a disallowed topic', { topic: 'com.example.old' }, 400, 'TopicDisallowed'],
  ])('reports %s as %s %s', async (_name, fields, status, reason) => {
    const apns = await start({ config: { topics: { disallowed: ['com.example.old'] } } });
    const result = await provider(apns).send(note(fields), deviceToken(1));
    expect(failure(result.failed[0])).toEqual({ status, reason });
  });

  it('reports every reason of Apple\'s list with its status, as the mock answers it (each scripted for one token)', async () => {
    const reasons = Object.keys(apnsReasons) as ApnsReason[];
    const tokens = reasons.map((_, i) => deviceToken(0x1000 + i));
    const apns = await start({ initialStreams: 1000, config: { script: Object.fromEntries(reasons.map((reason, i) => [tokens[i] as string, reason])) } });
    const client = provider(apns, apns.credentials, { connectionRetryLimit: 0 } as Partial<ProviderOptions>);
    // node-apn closes its session after a 500 (lib/client.js), failing the 503s still retrying on
    // it: the 500 goes last, on its own.
    const last = reasons.indexOf('InternalServerError');
    const first = await client.send(note(), tokens.filter((_, i) => i !== last));
    const then = await client.send(note(), tokens[last] as string);
    const got = new Map([...first.failed, ...then.failed].map((f) => [f.device, failure(f)]));
    const mismatches = reasons.flatMap((reason, i) => {
      const { timestamp, ...seen } = (got.get(tokens[i] as string) ?? {}) as { timestamp?: unknown };
      const expected = { status: apnsReasons[reason].status, reason };
      const ok = JSON.stringify(seen) === JSON.stringify(expected) && (reason === 'Unregistered') === (typeof timestamp === 'number');
      return ok ? [] : [`${reason}: expected ${JSON.stringify(expected)}, node-apn reported ${JSON.stringify(got.get(tokens[i] as string))}`];
    });
    // node-apn words one answer its own way (lib/client.js): a 500 whose reason is "InternalServerError".
    expect(mismatches).toEqual(['InternalServerError: expected {"status":500,"reason":"InternalServerError"}, node-apn reported {"status":500,"reason":"Error 500, stream ended unexpectedly"}']);
    expect([...first.sent, ...then.sent]).toHaveLength(0);
    expect(apns.ledger.summary().delivered).toBe(0);
  });

  it('certificate auth with Apple-shaped certificates: node-apn\'s own environment check runs, and the mock checks the same marks', async () => {
    // node-apn takes `production` from the host name (lib/config.js configureAddress: any other
    // address means development), so it talks to the mock by Apple's names, redirected in-process.
    const apns = await start({ mtls: 'apple', impersonate: true });
    const uninstall = installRedirect(redirectsTo(apns.impersonated, apns.url));
    try {
      const withCertificate = (pair: { cert: string; key: string }, production: boolean) => new Provider({ cert: pair.cert, key: pair.key, ca: apns.ca, production } as unknown as ProviderOptions);
      // A universal certificate (development and production marks, topics extension): accepted by both sides.
      const universal = withCertificate(apns.clientCertificate!, true);
      providers.push(universal);
      expect(devices((await universal.send(note(), deviceToken(1))).sent)).toEqual([deviceToken(1)]);
      // A development-only certificate: node-apn itself refuses it for production (lib/credentials/certificate/validate.js)…
      const development = await apns.issueClientCertificate({ uid: topic, environment: 'sandbox' });
      expect(() => withCertificate(development, true)).toThrow(/certificate does not support configured environment, production: true/);
      // …and sent to the sandbox name, it reaches this production mock, which answers 403 BadCertificateEnvironment (§1.7).
      const sandbox = withCertificate(development, false);
      providers.push(sandbox);
      expect(failure((await sandbox.send(note(), deviceToken(2))).failed[0])).toEqual({ status: 403, reason: 'BadCertificateEnvironment' });
    } finally {
      uninstall();
    }
  });

  it('reports DeviceTokenNotForTopic for a token registered to another app', async () => {
    const apns = await start({ config: { devices: { 'com.example.other': [deviceToken(7)] } } });
    expect(failure((await provider(apns).send(note(), deviceToken(7))).failed[0])).toEqual({ status: 400, reason: 'DeviceTokenNotForTopic' });
  });

  it('reports InvalidProviderToken for a key the service does not know', async () => {
    const apns = await start();
    const stranger = generateApnsSigningKey();
    expect(failure((await provider(apns, stranger).send(note(), deviceToken(1))).failed[0])).toEqual({ status: 403, reason: 'InvalidProviderToken' });
  });

  it('retries ExpiredProviderToken with fresh tokens, then reports it when the clocks disagree by two hours', async () => {
    const apns = await start({ clock: { now: () => Date.now() + 2 * 3_600_000 } });
    expect(failure((await provider(apns).send(note(), deviceToken(1))).failed[0])).toEqual({ status: 403, reason: 'ExpiredProviderToken' });
    // node-apn re-signs on ExpiredProviderToken: 1 + connectionRetryLimit (3) attempts, and no TooManyProviderTokenUpdates, since none was ever valid.
    expect(apns.stats().byReason).toEqual({ ExpiredProviderToken: 4 });
  });

  it('retries a 503 and then delivers; gives up on a 500 that persists', async () => {
    const apns = await start({ config: { script: { [deviceToken(1)]: ['ServiceUnavailable', 'accept'], [deviceToken(2)]: 'InternalServerError' } } });
    const client = provider(apns);
    expect(devices((await client.send(note(), deviceToken(1))).sent)).toEqual([deviceToken(1)]);
    // node-apn turns a 500 whose reason is exactly "InternalServerError" into this error (lib/client.js).
    expect(failure((await client.send(note(), deviceToken(2))).failed[0])).toEqual({ status: 500, reason: 'Error 500, stream ended unexpectedly' });
    expect(apns.stats().byReason).toEqual({ ServiceUnavailable: 1, InternalServerError: 4 });
  });

  it('sees refused streams when it bursts before its token is validated, as Apple allows one stream (§1.9); initialStreams lifts that', async () => {
    const strict = await start();
    const burst = Array.from({ length: 20 }, (_, i) => deviceToken(i + 1));
    const first = await provider(strict).send(note(), burst);
    expect(first.sent.length).toBeGreaterThanOrEqual(1);
    expect(first.failed.length).toBeGreaterThan(0);
    expect(first.failed.every((f) => /REFUSED_STREAM/.test(f.error?.message ?? ''))).toBe(true);
    await strict.close();

    const relaxed = await start({ initialStreams: 1000 });
    expect((await provider(relaxed).send(note(), burst)).sent).toHaveLength(20);
  });
});

/*
 * Hundreds of notifications in flight when the mock ends the connection — on close() and through
 * the graceful `goaway` fault. Apple sends one GOAWAY with a JSON reason and lets the streams it took
 * finish (§1.5, §1.11); node-apn closes its session on a GOAWAY and destroys it on a second one
 * (lib/client.js), so one frame is what keeps its answers. What must hold: every notification ends
 * sent or failed, every one node-apn reports sent is in the mock's ledger, and none it reports failed is.
 */
const inFlight = 300;
// initialStreams: all 300 may be in flight on the first connection; ledgerRecords: per-token deliveries.
const inFlightOptions: MockApnsOptions = { initialStreams: 1000, ledgerRecords: 10_000 };
// Not retried by node-apn: a notification ends in the first answer it gets (or its failure).
const noRetries = { connectionRetryLimit: 0 } as Partial<ProviderOptions>;

/** Sent and failed as node-apn reports them, against what the mock's ledger says it delivered. */
function reconcile(result: { sent: ResponseSent[]; failed: ResponseFailure[] }, tokens: readonly string[], target: MockApns) {
  const sent = result.sent.map((s) => s.device);
  const failed = result.failed.map((f) => f.device);
  const delivered = new Set(target.ledger.records().map((r) => r.token));
  return {
    accountedFor: new Set([...sent, ...failed]).size,
    total: tokens.length,
    sentNotDelivered: sent.filter((t) => !delivered.has(t)),
    failedButDelivered: failed.filter((t) => delivered.has(t)),
    sent: sent.length,
    failed: failed.length,
    delivered: delivered.size,
  };
}

const tokens = Array.from({ length: inFlight }, (_, i) => deviceToken(i + 1));

describe('@parse/node-apn with 300 notifications in flight when the connection ends', () => {
  it.each([
    ['each answer held 300 ms', 300],
    ['answers at once', 0],
  ])('mock.close() (%s): one GOAWAY Shutdown; what the mock took is answered and delivered, the rest fails undelivered', async (_name, latencyMs) => {
    // close() starts while the mock takes the 151st push, the rest still arriving; with latency,
    // every stream the mock took is still open when its GOAWAY goes out.
    let taken = 0;
    let closed: Promise<void> | undefined;
    const apns = await start({
      ...inFlightOptions,
      ...(latencyMs > 0 && { latency: { kind: 'fixed', ms: latencyMs } }),
      onPush: () => {
        if (++taken === 2 + inFlight / 2) closed = mock?.close();
        return undefined;
      },
    });
    const client = provider(apns, apns.credentials, noRetries);
    await client.send(new Notification({ alert: 'warm-up', topic }), deviceToken(0xffff)); // the token is validated once
    const outcome = reconcile(await client.send(new Notification({ alert: 'Hello', topic }), [...tokens]), tokens, apns);
    await closed;
    expect(outcome).toMatchObject({ accountedFor: inFlight, total: inFlight, sentNotDelivered: [], failedButDelivered: [] });
    // What the mock took before its GOAWAY was answered, not lost.
    expect(outcome.sent).toBeGreaterThanOrEqual(inFlight / 2 + 1);
    expect(outcome.sent).toBe(outcome.delivered - 1); // the warm-up push is the one other delivery
  });

  it('the goaway fault (graceful, {"reason":"Shutdown"}): node-apn reconnects, nothing is lost or misreported', async () => {
    // Each answer waits 100 ms: when the fault fires on the 151st push, the ones before it are all still open.
    const apns = await start({
      ...inFlightOptions,
      latency: { kind: 'fixed', ms: 100 },
      faults: { faults: [{ kind: 'goaway', reason: 'Shutdown', match: { tokens: [tokens[inFlight / 2] as string] }, limit: 1 }] },
    });
    const client = provider(apns, apns.credentials, noRetries);
    await client.send(new Notification({ alert: 'warm-up', topic }), deviceToken(0xffff));
    const outcome = reconcile(await client.send(new Notification({ alert: 'Hello', topic }), [...tokens]), tokens, apns);
    expect(outcome).toMatchObject({ accountedFor: inFlight, total: inFlight, sentNotDelivered: [], failedButDelivered: [] });
    expect(apns.faultEngine?.list()[0]).toMatchObject({ injected: 1 });
    // The GOAWAY's last-stream-id covers every push the mock had taken, the 151st included: all answered.
    expect(outcome.sent).toBeGreaterThanOrEqual(inFlight / 2 + 1);
    expect(outcome.sent).toBe(outcome.delivered - 1);
  });
});
