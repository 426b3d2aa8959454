/**
 * A worker's own mock, whichever the provider: started with the fault engine (or forwarding ledger)
 * the worker built on the primary's timeline, and its share of what counts for the whole mock
 * (shares.ts). What is reported back is plain data: the mock's fields, its counters.
 */
import type { MockApnsWorkerOptions } from '../apns/worker-protocol.js';
import { startMockApns } from '../apns/server.js';
import type { FaultEngine } from '../faults/engine.js';
import { defaultProjectQuota } from '../fcm/options.js';
import { startMockFcm } from '../fcm/server.js';
import type { DeliveryLedger } from '../ledger/ledger.js';
import { startMockWebPush } from '../webpush/server.js';
import { InvalidArgumentError } from '../../core/errors.js';
import type { ClusterInfo, ClusterOptions, ClusterProvider, MockFcmWorkerOptions, MockWebPushWorkerOptions, StateChange } from './protocol.js';
import { shareOfCount } from './shares.js';

export interface WorkerMock {
  readonly info: ClusterInfo[ClusterProvider];
  stats(): Record<string, unknown>;
  /** Makes a live-state change (throws when it does not apply: another provider's, an unknown endpoint). */
  change(change: StateChange): unknown;
  close(): Promise<void>;
}

/** Either the engine (which holds the forwarding ledger) or, without faults, the ledger itself. */
export type WorkerFaults = { readonly faults: FaultEngine } | { readonly ledger: DeliveryLedger };

export async function startWorkerMock(provider: ClusterProvider, options: ClusterOptions[ClusterProvider], faults: WorkerFaults, place: { index: number; count: number }): Promise<WorkerMock> {
  if (provider === 'fcm') {
    const given = options as MockFcmWorkerOptions;
    const quota = given.projectQuota === false ? false : (given.projectQuota ?? defaultProjectQuota);
    // The project's quota is one for the whole mock: each worker's window holds its share (at least 1).
    const projectQuota = quota === false ? false : { ...quota, limit: Math.max(1, shareOfCount(quota.limit, place.index, place.count)) };
    const fcm = await startMockFcm({ ...given, projectQuota, ...faults });
    const change = (what: StateChange): void => {
      if (what.op === 'fcm-unregister') fcm.tokens.unregister(what.token);
      else if (what.op === 'fcm-reregister') fcm.tokens.reregister(what.token);
      else if (what.op === 'fcm-assign') fcm.tokens.assign(what.token, what.projectId);
      else throw notFor('FCM', what);
    };
    return { info: { url: fcm.url, ca: fcm.ca, impersonated: fcm.impersonated, projectId: fcm.projectId, serviceAccount: fcm.serviceAccount }, stats: () => ({ ...fcm.stats() }), change, close: () => fcm.close() };
  }
  if (provider === 'webpush') {
    const push = await startMockWebPush({ ...(options as MockWebPushWorkerOptions), ...faults });
    return {
      // Every worker made the same subscriptions: the first one's list is the mock's (up to 100,000 need not cross N times).
      info: { url: push.url, ca: push.ca, impersonated: push.impersonated, endpointOrigin: push.endpointOrigin, vapid: push.vapid, subscriptions: place.index === 0 ? push.subscriptions.list() : [] },
      stats: () => ({ ...push.stats() }),
      change: (what) => {
        if (what.op === 'webpush-create') return push.subscriptions.create(what.applicationServerKey === undefined ? {} : { applicationServerKey: what.applicationServerKey });
        if (what.op === 'webpush-expire') return push.subscriptions.expire(what.endpoint);
        throw notFor('Web Push', what);
      },
      close: () => push.close(),
    };
  }
  const apns = await startMockApns({ ...(options as MockApnsWorkerOptions), ...faults });
  return {
    info: { url: apns.url, ca: apns.ca, credentials: apns.credentials, clientCertificate: apns.clientCertificate, environment: apns.environment, seed: apns.seed, controlUrl: undefined, impersonated: apns.impersonated },
    stats: () => ({ ...apns.stats() }),
    change: (what) => {
      throw notFor('APNs', what);
    },
    close: () => apns.close(),
  };
}

function notFor(mock: string, change: StateChange): Error {
  return new InvalidArgumentError(`${change.op} is not a change of the mock ${mock}`);
}
