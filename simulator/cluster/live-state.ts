/**
 * The live state a single FCM or Web Push mock lets its caller change while it runs, offered by the
 * mock on several workers: each change is made on every worker (StateChange in protocol.ts) and
 * resolves once all have it, so the next request anywhere sees it.
 */
import { InvalidArgumentError } from '../../core/errors.js';
import type { CreateSubscriptionOptions, PushSubscriptionJson } from '../webpush/subscriptions.js';
import type { ClusterInfo, ClusterProvider, StateChange } from './protocol.js';

/** FcmTokenRegistry's changes, on every worker. */
export interface FcmClusterTokens {
  /** `token` answers 404 UNREGISTERED from now on, on every worker. */
  unregister(token: string): Promise<void>;
  reregister(token: string): Promise<void>;
  /** `token` belongs to `projectId`: sends from another project answer 403 SENDER_ID_MISMATCH. */
  assign(token: string, projectId: string): Promise<void>;
}

/** SubscriptionRegistry's changes, on every worker; `subscriptions` lists the live ones. */
export interface WebPushClusterSubscriptions {
  /** Every subscription created and not expired (updated by the two methods below). */
  readonly subscriptions: readonly PushSubscriptionJson[];
  /** One more subscription, the same on every worker (derived from the shared secret). */
  createSubscription(options?: CreateSubscriptionOptions): Promise<PushSubscriptionJson>;
  /** The subscription answers `goneStatus` (404 or 410) from now on, on every worker. */
  expireSubscription(endpoint: string): Promise<void>;
}

export interface LiveState {
  readonly fcm: { readonly tokens: FcmClusterTokens };
  readonly webpush: WebPushClusterSubscriptions;
  readonly apns: object;
}

const text = (name: string, value: unknown): string => {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(`${name} must be a non-empty string, got ${String(value)}`);
  return value;
};

/** The provider's live-state methods over `apply` (which makes a change on every worker and gives the first worker's result). */
export function liveState<P extends ClusterProvider>(provider: P, info: ClusterInfo[P], apply: (change: StateChange) => Promise<unknown>): LiveState[P] {
  if (provider === 'fcm') {
    const tokens: FcmClusterTokens = {
      unregister: async (token) => void (await apply({ op: 'fcm-unregister', token: text('token', token) })),
      reregister: async (token) => void (await apply({ op: 'fcm-reregister', token: text('token', token) })),
      assign: async (token, projectId) => void (await apply({ op: 'fcm-assign', token: text('token', token), projectId: text('projectId', projectId) })),
    };
    return { tokens } as LiveState[P];
  }
  if (provider === 'webpush') {
    const list = [...(info as ClusterInfo['webpush']).subscriptions];
    const state: WebPushClusterSubscriptions = {
      subscriptions: list,
      async createSubscription(options = {}) {
        const created = (await apply({ op: 'webpush-create', ...(options.applicationServerKey !== undefined && { applicationServerKey: options.applicationServerKey }) })) as PushSubscriptionJson;
        list.push(created);
        return created;
      },
      async expireSubscription(endpoint) {
        await apply({ op: 'webpush-expire', endpoint: text('endpoint', endpoint) });
        const at = list.findIndex((s) => s.endpoint === endpoint);
        if (at >= 0) list.splice(at, 1);
      },
    };
    return state as LiveState[P];
  }
  return {} as LiveState[P];
}
