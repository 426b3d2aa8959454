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
 * Every mock gets the scenario's faults, paused until startMeasuring(); their delivery ledgers and
 * injection counts come back through delivery().
 */
import { createECDH } from 'node:crypto';
import { CredentialError } from '../core/errors.js';
import { readTextFile } from '../core/files.js';
import { fileLimits } from '../core/limits.js';
import { certificateProblem } from '../core/pem.js';
import type { ThreadPauseReport } from '../core/pauses.js';
import type { Provider } from '../core/reasons.js';
import type { VapidCredentials } from '../sender/auth/vapid.js';
import { assertAppleIds } from '../sender/auth/apns-token.js';
import type { FaultInjection } from '../reports/result.js';
import type { MockApns } from '../simulator/apns/server.js';
import type { MockApnsInWorker } from '../simulator/apns/in-worker.js';
import type { FaultEngine, FaultView } from '../simulator/faults/engine.js';
import type { FaultsDocument } from '../simulator/faults/spec.js';
import { sumInjectionCounts } from '../simulator/faults/injection-timeline.js';
import type { InjectionCounts } from '../simulator/faults/injection-timeline.js';
import { mergeLedgerSummaries, type DeliveryLedger, type ExpectedTraffic, type LedgerSummary } from '../simulator/ledger/ledger.js';
import type { MockTarget, ScenarioConfig, UrlTarget } from './config.js';
import { targetProviders } from './config.js';
import { plannedCount, plannedRate } from './executors/index.js';
import { mixShares, populationSizes } from './mix.js';
import { apnsLatency, withProfileFaults } from './profile-target.js';
import { deadIndices, makeFcmTokens, makeTokens } from './tokens.js';
import { openProviders, type OpenOptions } from './target-providers.js';
import { realOrigins } from './safety.js';

export type { OpenOptions } from './target-providers.js';
export type { ApnsEndpoint, Endpoints, FcmEndpoint, ObservedMock, WebPushEndpoint } from './target-endpoints.js';
import type { ApnsEndpoint, Endpoint, Endpoints, FcmEndpoint, ObservedMock, WebPushEndpoint } from './target-endpoints.js';

export interface OpenTarget {
  readonly apns?: ApnsEndpoint;
  readonly fcm?: FcmEndpoint;
  readonly webpush?: WebPushEndpoint;
  /** The origins for the banner: the URL alone for one provider, `apns http://… · fcm http://…` for several. */
  readonly description: string;
  /** Where the mocks run: `worker`, `in-process` or `external`; per provider (`apns worker · fcm in-process`) for several. */
  readonly placement: string;
  /**
   * Call when the measured run begins: the mocks start the scenario's faults (paused until now, so
   * the warm-up ran healthy) and their timelines, and their ledgers forget the warm-up.
   */
  startMeasuring(): Promise<void>;
  /**
   * Starts measuring the pauses of the mock running on its own thread (a worker), if one does, with
   * its seconds counted from `originEpochMs` (the run's clock zero as `performance.timeOrigin + performance.now()`).
   */
  measurePauses(originEpochMs: number): Promise<void>;
  /** That mock thread's own event-loop delay and GC pauses since measurePauses(); undefined when no mock has its own thread. */
  mockPauses(): Promise<ThreadPauseReport | undefined>;
  /** What the mocks delivered since startMeasuring(), and how often each fault fired; undefined for an external origin. */
  delivery(): Promise<{ readonly ledger: LedgerSummary; readonly faults: readonly FaultInjection[]; readonly injections: InjectionCounts } | undefined>;
  /** Closes every mock we started; safe to call once whatever happened before. */
  close(): Promise<void>;
}

/**
 * Opens the scenario's target: starts the mocks, or reads a real target's credentials (from files
 * and `env`) and starts the fault proxies it asks for. Nothing is sent yet.
 */
export async function openTarget(config: ScenarioConfig, env: Readonly<Record<string, string | undefined>> = process.env, opened: OpenOptions = {}): Promise<OpenTarget> {
  const providers = targetProviders(config.target);
  const shares = mixShares(config.mix, providers);
  const sizes = populationSizes(config.tokens.count, shares);
  const size = (p: Provider): number => sizes.get(p) ?? 0;
  const { target } = config;
  if (target.kind === 'url') {
    // An external origin does not know our tokens as dead, so none are.
    const apns = await openUrl(target, makeTokens(size('apns'), 0, config.tokens.seed).tokens);
    return describe({ apns: { ...apns, ...(realOrigins(target).size > 0 && { real: true, allowProduction: target.allowProduction === true && opened.allowProduction === true }) } }, [], []);
  }
  if (target.kind === 'providers') {
    const { endpoints, closers, observed } = await openProviders(target, { apns: size('apns'), fcm: size('fcm'), seed: config.tokens.seed }, env, opened);
    return describe(endpoints, closers, observed);
  }
  const endpoints: Endpoints = {};
  const closers: (() => Promise<void>)[] = [];
  const observed: ObservedMock[] = [];
  const mocks: Mocks = { target, faults: withProfileFaults(target, providers, config.faults, config.tokens.seed), closers, observed, expected: (p) => expectedTraffic(config, shares.get(p) ?? 0) };
  const { unregisteredRatio: ratio, seed } = config.tokens;
  try {
    // Started one after the other so a failure leaves a known list of mocks to close.
    for (const provider of providers) {
      if (provider === 'apns') endpoints.apns = await openMockApns(mocks, makeTokens(size('apns'), ratio, seed), seed);
      else if (provider === 'fcm') endpoints.fcm = await openMockFcm(mocks, makeFcmTokens(size('fcm'), ratio, seed));
      else endpoints.webpush = await openMockWebPush(mocks, size('webpush'), ratio, seed);
    }
  } catch (error) {
    await closeAll(closers);
    throw error;
  }
  return describe(endpoints, closers, observed);
}

/** What every openMock… shares: the target, the scenario's faults, and where to register the mock. */
interface Mocks {
  readonly target: MockTarget;
  readonly faults: FaultsDocument | undefined;
  readonly closers: (() => Promise<void>)[];
  readonly observed: ObservedMock[];
  /** What the run will send a provider's mock, for its ledger's tables (undefined: the closed model, which plans no rate). */
  readonly expected: (provider: Provider) => ExpectedTraffic | undefined;
}

/** A provider's share of the run's planned rate and count (the warm-up is forgotten when the run starts). */
export function expectedTraffic(config: ScenarioConfig, share: number): ExpectedTraffic | undefined {
  const rate = plannedRate(config.load);
  if (rate === null || !(rate > 0) || !(share > 0)) return undefined;
  const count = plannedCount(config.load);
  return { ratePerSecond: rate * share, ...(count !== undefined && { count: Math.ceil(count * share) }) };
}

/** The mock fault options of a scenario: its faults, paused until the measured run (startMeasuring). */
function faultOptions(faults: FaultsDocument | undefined): { faults?: FaultsDocument; faultsPaused?: boolean } {
  return faults === undefined ? {} : { faults, faultsPaused: true };
}

/** An in-process mock's engine (if it has faults) and ledger, as an ObservedMock. */
export function observeInProcess(engine: FaultEngine | undefined, ledger: DeliveryLedger): ObservedMock {
  return {
    startMeasuring: async () => (engine ? engine.reset() : ledger.clear()),
    ledger: async () => ledger.summary(),
    faults: async () => engine?.list() ?? [],
    injections: async () => engine?.injections.snapshot(),
  };
}

export function describe(endpoints: Endpoints, closers: readonly (() => Promise<void>)[], observed: readonly ObservedMock[]): OpenTarget {
  const open = (Object.entries(endpoints) as [Provider, Endpoint<unknown>][]).filter(([, e]) => e !== undefined);
  const single = open.length === 1 ? open[0]?.[1] : undefined;
  let closed: Promise<void> | undefined;
  return {
    ...endpoints,
    description: single?.url ?? open.map(([p, e]) => `${p} ${e.url}`).join(' · '),
    placement: single?.placement ?? open.map(([p, e]) => `${p} ${e.placement}`).join(' · '),
    startMeasuring: async () => {
      await Promise.all(observed.map((mock) => mock.startMeasuring()));
    },
    measurePauses: async (originEpochMs) => {
      await Promise.all(observed.map((mock) => mock.thread?.measurePauses(originEpochMs)));
    },
    // Only the APNs mock runs in a worker: at most one thread to ask.
    mockPauses: async () => observed.find((mock) => mock.thread !== undefined)?.thread?.pauses(),
    delivery: async () => {
      if (observed.length === 0) return undefined;
      const ledgers = await Promise.all(observed.map((mock) => mock.ledger()));
      const faults = await Promise.all(observed.map((mock) => mock.faults()));
      const injections = await Promise.all(observed.map((mock) => mock.injections()));
      return { ledger: mergeLedgerSummaries(ledgers), faults: sumInjections(faults), injections: sumInjectionCounts(injections.filter((i) => i !== undefined)) };
    },
    close: () => (closed ??= closeAll(closers)),
  };
}

/** Each mock holds the same faults (ids from one spec): one entry per id, injections added, spec order kept. */
function sumInjections(lists: readonly (readonly FaultView[])[]): FaultInjection[] {
  const byId = new Map<string, FaultInjection>();
  for (const list of lists) {
    for (const fault of list) {
      const seen = byId.get(fault.id);
      byId.set(fault.id, { id: fault.id, kind: fault.kind, injected: (seen?.injected ?? 0) + fault.injected });
    }
  }
  return [...byId.values()];
}

/** Closes them all, even when one fails, then reports the first failure. */
export async function closeAll(closers: readonly (() => Promise<void>)[]): Promise<void> {
  const results = await Promise.allSettled(closers.map((close) => close()));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

async function openMockApns({ target, faults, closers, observed, expected }: Mocks, population: ReturnType<typeof makeTokens>, seed: number): Promise<ApnsEndpoint> {
  const ledgerExpected = expected('apns');
  const options = { tls: target.tls, latency: apnsLatency(target), unregistered: [...population.unregistered], seed, ...faultOptions(faults), ...(ledgerExpected !== undefined && { ledgerExpected }) };
  // The mocks (fastify, the control API, prom-client) are loaded only by runs that start one: a
  // real-provider run, and each sender worker thread, keep a smaller heap without them.
  const { canStartMockApnsInWorker, startMockApnsInWorker } = await import('../simulator/apns/in-worker.js');
  // From .ts sources (tests) there is no built worker script; then the mock runs in-process.
  const inWorker = target.worker && canStartMockApnsInWorker();
  let mock: MockApns | MockApnsInWorker;
  if (inWorker) {
    const worker = await startMockApnsInWorker(options);
    observed.push({ startMeasuring: () => worker.resetFaults(), ledger: () => worker.ledgerSummary(), faults: () => worker.faultList(), injections: () => worker.injections(), thread: worker });
    mock = worker;
  } else {
    const { startMockApns } = await import('../simulator/apns/server.js');
    const inProcess = await startMockApns(options);
    observed.push(observeInProcess(inProcess.faults, inProcess.ledger));
    mock = inProcess;
  }
  closers.push(() => mock.close());
  return { url: mock.url, ca: mock.ca, credentials: mock.credentials, placement: inWorker ? 'worker' : 'in-process', recipients: population.tokens };
}

async function openMockFcm({ target, faults, closers, observed, expected }: Mocks, population: ReturnType<typeof makeFcmTokens>): Promise<FcmEndpoint> {
  const ledgerExpected = expected('fcm');
  const { startMockFcm } = await import('../simulator/fcm/index.js');
  const mock = await startMockFcm({ tls: target.tls, unregistered: population.unregistered, ...faultOptions(faults), ...(ledgerExpected !== undefined && { ledgerExpected }) });
  closers.push(() => mock.close());
  observed.push(observeInProcess(mock.faultEngine, mock.ledger));
  return { url: mock.url, ca: mock.ca, serviceAccount: mock.serviceAccount, placement: 'in-process', recipients: population.tokens };
}

async function openMockWebPush({ target, faults, closers, observed, expected }: Mocks, count: number, ratio: number, seed: number): Promise<WebPushEndpoint> {
  const ledgerExpected = expected('webpush');
  // A load test does not need the mock to decrypt and keep every message: that would be CPU taken from the sender's thread.
  const { startMockWebPush } = await import('../simulator/webpush/index.js');
  const mock = await startMockWebPush({ tls: target.tls, vapid: vapidKeys(), subscriptions: count, decrypt: false, keepMessages: 0, ...faultOptions(faults), ...(ledgerExpected !== undefined && { ledgerExpected }) });
  closers.push(() => mock.close());
  observed.push(observeInProcess(mock.faultEngine, mock.ledger));
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
export function vapidKeys(): VapidCredentials {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const raw = ecdh.getPrivateKey();
  const privateKey = Buffer.concat([Buffer.alloc(32 - raw.length), raw]);
  return { publicKey: ecdh.getPublicKey('base64url'), privateKey: privateKey.toString('base64url'), subject: 'mailto:pushsim@example.com' };
}

async function openUrl(target: UrlTarget, recipients: readonly string[]): Promise<ApnsEndpoint> {
  assertAppleIds(target.credentials, target.url, { keyId: 'target.credentials.keyId', teamId: 'target.credentials.teamId' });
  const key = await readTextFile(target.credentials.keyFile, fileLimits.credential);
  if (key.problem !== undefined) throw new CredentialError(`the APNs key file ${target.credentials.keyFile} ${key.problem}; set target.credentials.keyFile to your .p8 file`);
  const privateKey = key.text;
  let ca: string | undefined;
  if (target.caFile !== undefined) {
    const read = await readTextFile(target.caFile, fileLimits.credential);
    const problem = read.problem ?? certificateProblem(read.text);
    if (problem !== undefined) throw new CredentialError(`the CA file ${target.caFile} (target.caFile) ${problem}`);
    ca = read.text;
  }
  return {
    url: target.url,
    ca,
    credentials: { keyId: target.credentials.keyId, teamId: target.credentials.teamId, privateKey },
    placement: 'external',
    recipients,
  };
}
