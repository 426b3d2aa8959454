/**
 * Opens a real-provider target (config.ts ProvidersTarget): every credential, CA and subscription
 * file is read and checked first (scenarios/credentials.ts), so a bad one stops the run before a
 * proxy starts or a byte is sent; then the fault proxies the target asks for start in front of
 * their origins (simulator/proxy/), each provider's sender pointed at its proxy.
 *
 *   target.apns { url, keyFile… , proxy: { faults } }  ─► sender ─► fault proxy (TLS, its own CA) ─► url
 *   target.fcm  { serviceAccountFile, validateOnly }   ─► sender ─► fcm.googleapis.com (token: token_uri)
 *   target.webpush { vapidFile, subscriptionsFile }    ─► sender ─► each subscription's push service
 */
import { rootCertificates } from 'node:tls';
import { CredentialError, InvalidConfigError } from '../core/errors.js';
import { readTextFile } from '../core/files.js';
import { fileLimits } from '../core/limits.js';
import { certificateProblem } from '../core/pem.js';
import { isLoopback } from '../simulator/redirect/spec.js';
import type { ProvidersTarget, ProxyConfig } from './config.js';
import { apnsOrigin, fcmOrigin } from './config.js';
import { loadApnsAuth, loadServiceAccount, loadSubscriptions, loadVapid } from './credentials.js';
import { realOrigins } from './safety.js';
import type { Endpoints, ObservedMock } from './target-endpoints.js';
import { makeFcmTokens, makeTokens } from './tokens.js';

type Env = Readonly<Record<string, string | undefined>>;

/** What the command line agreed to (scenarios/safety.ts). */
export interface OpenOptions {
  /** `--allow-production`: with the target's own allowProduction, the sender may send to production hosts. */
  readonly allowProduction?: boolean;
}

/** The endpoints, and what to close and observe (the proxies) when the run ends. */
export interface OpenedProviders {
  readonly endpoints: Endpoints;
  readonly closers: (() => Promise<void>)[];
  readonly observed: ObservedMock[];
}

/** A CA file's text, checked to be certificates; `path` names it in the message. */
async function readCa(file: string | undefined, path: string): Promise<string | undefined> {
  if (file === undefined) return undefined;
  const read = await readTextFile(file, fileLimits.credential);
  const problem = read.problem ?? certificateProblem(read.text);
  if (problem !== undefined) throw new CredentialError(`the CA file ${file} (${path}) ${problem}`);
  return read.text;
}

/**
 * The CAs a sender trusts: Node's own roots too, since giving `ca` replaces them and a real host
 * (Google's token endpoint behind an FCM proxy) must still verify.
 */
function trust(...cas: (string | undefined)[]): string | undefined {
  const extra = cas.filter((ca): ca is string => ca !== undefined);
  return extra.length === 0 ? undefined : [...extra, ...rootCertificates].join('\n');
}

export async function openProviders(target: ProvidersTarget, sizes: { apns: number; fcm: number; seed: number }, env: Env, options: OpenOptions): Promise<OpenedProviders> {
  const real = realOrigins(target);
  // 1. Every secret and file, before anything starts.
  const apnsAuth = target.apns === undefined ? undefined : await loadApnsAuth(target.apns, env);
  const apnsCa = await readCa(target.apns?.caFile, 'target.apns.caFile');
  const serviceAccount = target.fcm === undefined ? undefined : await loadServiceAccount(target.fcm, env);
  const fcmCa = await readCa(target.fcm?.caFile, 'target.fcm.caFile');
  const vapid = target.webpush === undefined ? undefined : await loadVapid(target.webpush, env);
  const subscriptions = target.webpush === undefined ? undefined : await loadSubscriptions(target.webpush.subscriptionsFile);
  const webPushCa = await readCa(target.webpush?.caFile, 'target.webpush.caFile');
  if (target.webpush !== undefined && subscriptions !== undefined && target.webpush.allowPushServices !== true) {
    const away = [...new Set(subscriptions.map((s) => new URL(s.endpoint)).filter((url) => !isLoopback(url.hostname)).map((url) => url.host))];
    if (away.length > 0) {
      throw new InvalidConfigError(target.webpush.subscriptionsFile, [
        `its subscriptions point at push services off this machine (${away.slice(0, 3).join(', ')}${away.length > 3 ? ', …' : ''}), which deliver to real browsers; set target.webpush.allowPushServices: true (or pass --allow-push-services) to send there on purpose`,
      ]);
    }
  }

  // 2. The proxies, then the endpoints.
  const closers: (() => Promise<void>)[] = [];
  const observed: ObservedMock[] = [];
  try {
    const endpoints: Endpoints = {};
    if (target.apns !== undefined && apnsAuth !== undefined) {
      const origin = apnsOrigin(target.apns.url);
      const via = await throughProxy(origin, apnsCa, target.apns.proxy, closers, observed);
      const { tokens } = makeTokens(sizes.apns, 0, sizes.seed);
      endpoints.apns = {
        url: via.url,
        ca: trust(via.ca),
        placement: via.placement,
        recipients: tokens,
        ...(apnsAuth.kind === 'token' ? { credentials: apnsAuth.credentials } : { clientCertificate: apnsAuth.tls }),
        real: real.has('apns'),
        allowProduction: target.apns.allowProduction === true && options.allowProduction === true,
      };
    }
    if (target.fcm !== undefined && serviceAccount !== undefined) {
      const via = await throughProxy(target.fcm.url ?? fcmOrigin, fcmCa, target.fcm.proxy, closers, observed);
      // The token endpoint is not proxied: it is reached with the target's CA (a mock's) and Node's roots.
      const { tokens } = makeFcmTokens(sizes.fcm, 0, sizes.seed);
      endpoints.fcm = {
        url: via.url,
        ca: trust(via.ca, via.ca === fcmCa ? undefined : fcmCa),
        placement: via.placement,
        recipients: tokens,
        serviceAccount,
        ...(target.fcm.validateOnly === true && { validateOnly: true }),
        real: real.has('fcm'),
        // A dry run delivers nothing: FCM's production guard is for real sends (safety.ts checked those).
        allowProduction: target.fcm.validateOnly === true || (target.fcm.allowProduction === true && options.allowProduction === true),
      };
    }
    if (target.webpush !== undefined && vapid !== undefined && subscriptions !== undefined) {
      endpoints.webpush = {
        // The first push service's origin: a sender keeps one pool per origin, whatever their number.
        url: new URL((subscriptions[0] as { endpoint: string }).endpoint).origin,
        ca: trust(webPushCa),
        placement: 'external',
        recipients: subscriptions,
        vapid,
        real: true,
        allowProduction: target.webpush.allowPushServices === true,
      };
    }
    return { endpoints, closers, observed };
  } catch (error) {
    await Promise.allSettled(closers.map((close) => close()));
    throw error;
  }
}

/** The origin itself, or a fault proxy started in front of it (its faults paused until the measured run). */
async function throughProxy(origin: string, ca: string | undefined, proxy: ProxyConfig | undefined, closers: (() => Promise<void>)[], observed: ObservedMock[]): Promise<{ url: string; ca: string | undefined; placement: string }> {
  if (proxy === undefined) return { url: origin, ca, placement: 'external' };
  // Loaded only for a run with a proxy: the proxy (http2-proxy, fastify) weighs on every other run's heap.
  const [{ FaultEngine }, { startFaultProxy }] = await Promise.all([import('../simulator/faults/engine.js'), import('../simulator/proxy/index.js')]);
  const engine = new FaultEngine({ ledgerRecords: 0, paused: true, ...(proxy.faults !== undefined && { spec: proxy.faults, source: 'target proxy faults' }) });
  const started = await startFaultProxy({ upstream: origin, ...(ca !== undefined && { upstreamCa: ca }), faults: engine });
  closers.push(() => started.close());
  observed.push({ startMeasuring: async () => engine.reset(), ledger: async () => engine.ledger.summary(), faults: async () => engine.list(), injections: async () => engine.injections.snapshot() });
  return { url: started.url, ca: started.ca, placement: `fault proxy → ${new URL(origin).origin}` };
}
