/**
 * Resolves a scenario's target into what the senders need, per provider: an origin, credentials, a
 * CA and the recipients, plus a way to shut down whatever we started.
 *
 *   mock target ─► mock APNs (worker thread when the built worker script exists, else in-process)
 *               ─► mock FCM, mock Web Push (in-process: they have no worker mode)
 *   URL target  ─► an APNs origin that is already running; credentials read from files
 *
 * Each provider's recipients come from its share of `tokens.count` (scenarios/mix.ts), and the
 * dead ones are made known to its mock: APNs and FCM unregistered tokens, expired subscriptions.
 */
import { createECDH } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CredentialError } from '../core/errors.js';
import type { Provider } from '../core/reasons.js';
import type { ApnsTokenCredentials } from '../sender/auth/apns-token.js';
import type { ServiceAccount } from '../sender/auth/google-oauth.js';
import type { VapidCredentials } from '../sender/auth/vapid.js';
import type { WebPushSubscription } from '../sender/providers/webpush.js';
import { startMockApns } from '../simulator/apns/server.js';
import { canStartMockApnsInWorker, startMockApnsInWorker } from '../simulator/apns/in-worker.js';
import { startMockFcm } from '../simulator/fcm/index.js';
import { startMockWebPush } from '../simulator/webpush/index.js';
import type { MockTarget, ScenarioConfig, UrlTarget } from './config.js';
import { targetProviders } from './config.js';
import { mixShares, populationSizes } from './mix.js';
import { deadIndices, makeFcmTokens, makeTokens } from './tokens.js';

type Placement = 'worker' | 'in-process' | 'external';

interface Endpoint<R> {
  readonly url: string;
  readonly ca: string | undefined;
  /** Where it runs, for the banner. */
  readonly placement: Placement;
  /** Who notifications go to: notification k of this provider goes to `recipients[k % length]`. */
  readonly recipients: readonly R[];
}

export interface ApnsEndpoint extends Endpoint<string> {
  readonly credentials: ApnsTokenCredentials;
}
export interface FcmEndpoint extends Endpoint<string> {
  readonly serviceAccount: ServiceAccount;
}
export interface WebPushEndpoint extends Endpoint<WebPushSubscription> {
  readonly vapid: VapidCredentials;
}

export interface OpenTarget {
  readonly apns?: ApnsEndpoint;
  readonly fcm?: FcmEndpoint;
  readonly webpush?: WebPushEndpoint;
  /** The origins for the banner: the URL alone for one provider, `apns http://… · fcm http://…` for several. */
  readonly description: string;
  /** Where the mocks run: `worker`, `in-process` or `external`; per provider (`apns worker · fcm in-process`) for several. */
  readonly placement: string;
  /** Closes every mock we started; safe to call once whatever happened before. */
  close(): Promise<void>;
}

type Endpoints = { apns?: ApnsEndpoint; fcm?: FcmEndpoint; webpush?: WebPushEndpoint };

export async function openTarget(config: ScenarioConfig): Promise<OpenTarget> {
  const providers = targetProviders(config.target);
  const sizes = populationSizes(config.tokens.count, mixShares(config.mix, providers));
  const size = (p: Provider): number => sizes.get(p) ?? 0;
  const { target } = config;
  if (target.kind === 'url') {
    // An external origin does not know our tokens as dead, so none are.
    return describe({ apns: await openUrl(target, makeTokens(size('apns'), 0, config.tokens.seed).tokens) }, []);
  }
  const endpoints: Endpoints = {};
  const closers: (() => Promise<void>)[] = [];
  const { unregisteredRatio: ratio, seed } = config.tokens;
  try {
    // Started one after the other so a failure leaves a known list of mocks to close.
    for (const provider of providers) {
      if (provider === 'apns') endpoints.apns = await openMockApns(target, makeTokens(size('apns'), ratio, seed), seed, closers);
      else if (provider === 'fcm') endpoints.fcm = await openMockFcm(target, makeFcmTokens(size('fcm'), ratio, seed), closers);
      else endpoints.webpush = await openMockWebPush(target, size('webpush'), ratio, seed, closers);
    }
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
  return describe(endpoints, closers);
}

function describe(endpoints: Endpoints, closers: readonly (() => Promise<void>)[]): OpenTarget {
  const open = (Object.entries(endpoints) as [Provider, Endpoint<unknown>][]).filter(([, e]) => e !== undefined);
  const single = open.length === 1 ? open[0]?.[1] : undefined;
  let closed: Promise<void> | undefined;
  return {
    ...endpoints,
    description: single?.url ?? open.map(([p, e]) => `${p} ${e.url}`).join(' · '),
    placement: single?.placement ?? open.map(([p, e]) => `${p} ${e.placement}`).join(' · '),
    close: () => (closed ??= closeAll(closers)),
  };
}

/** Closes them all, even when one fails, then reports the first failure. */
async function closeAll(closers: readonly (() => Promise<void>)[]): Promise<void> {
  const results = await Promise.allSettled(closers.map((close) => close()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function openMockApns(target: MockTarget, population: ReturnType<typeof makeTokens>, seed: number, closers: (() => Promise<void>)[]): Promise<ApnsEndpoint> {
  const options = { tls: target.tls, latency: target.latency, unregistered: [...population.unregistered], seed };
  // From .ts sources (tests) there is no built worker script; then the mock runs in-process.
  const inWorker = target.worker && canStartMockApnsInWorker();
  const mock = inWorker ? await startMockApnsInWorker(options) : await startMockApns(options);
  closers.push(() => mock.close());
  return { url: mock.url, ca: mock.ca, credentials: mock.credentials, placement: inWorker ? 'worker' : 'in-process', recipients: population.tokens };
}

async function openMockFcm(target: MockTarget, population: ReturnType<typeof makeFcmTokens>, closers: (() => Promise<void>)[]): Promise<FcmEndpoint> {
  const mock = await startMockFcm({ tls: target.tls, unregistered: population.unregistered });
  closers.push(() => mock.close());
  return { url: mock.url, ca: mock.ca, serviceAccount: mock.serviceAccount, placement: 'in-process', recipients: population.tokens };
}

async function openMockWebPush(target: MockTarget, count: number, ratio: number, seed: number, closers: (() => Promise<void>)[]): Promise<WebPushEndpoint> {
  // A load test does not need the mock to decrypt and keep every message: that would be CPU taken from the sender's thread.
  const mock = await startMockWebPush({ tls: target.tls, vapid: vapidKeys(), subscriptions: count, decrypt: false, keepMessages: 0 });
  closers.push(() => mock.close());
  // list() leaves expired subscriptions out, so take them all before expiring some.
  const subscriptions = mock.subscriptions.list();
  for (const i of deadIndices(count, ratio, seed)) {
    const dead = subscriptions[i];
    if (dead) mock.subscriptions.expire(dead.endpoint);
  }
  return { url: mock.url, ca: mock.ca, vapid: mock.vapid, placement: 'in-process', recipients: subscriptions };
}

/**
 * VAPID keys for the run. Made here rather than by the mock because `ECDH.getPrivateKey()` drops
 * leading zero bytes (1 key in 256 is shorter than 32 bytes), and the sender rightly refuses a
 * private key that is not 32 bytes (RFC 8292 / JWK `d` of P-256).
 */
function vapidKeys(): VapidCredentials {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const raw = ecdh.getPrivateKey();
  const privateKey = Buffer.concat([Buffer.alloc(32 - raw.length), raw]);
  return { publicKey: ecdh.getPublicKey('base64url'), privateKey: privateKey.toString('base64url'), subject: 'mailto:pushsim@example.com' };
}

async function openUrl(target: UrlTarget, recipients: readonly string[]): Promise<ApnsEndpoint> {
  const privateKey = await readFile(target.credentials.keyFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new CredentialError(`cannot read the APNs key file ${target.credentials.keyFile} (${error.code ?? error.message}); set target.credentials.keyFile to your .p8 file`);
  });
  const ca =
    target.caFile === undefined
      ? undefined
      : await readFile(target.caFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
          throw new CredentialError(`cannot read the CA file ${target.caFile} (${error.code ?? error.message})`);
        });
  return {
    url: target.url,
    ca,
    credentials: { keyId: target.credentials.keyId, teamId: target.credentials.teamId, privateKey },
    placement: 'external',
    recipients,
  };
}
