/**
 * The push subscriptions the mock serves, and what it received for each. A subscription is what a
 * browser's `PushManager.subscribe()` returns (endpoint + `p256dh` + `auth`); the mock keeps the
 * user agent's private key, so it can decrypt every message (RFC 8291, with `http_ece`) and tests
 * can compare the plaintext with what was sent.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { InvalidArgumentError } from '../../core/errors.js';
import { deriveSubscription, generateSubscriptionKeys, type SubscriptionKeys } from './keys.js';

/** The subset of `http_ece` used here (it ships no types). */
interface Ece {
  decrypt(buffer: Buffer, params: { version: 'aes128gcm'; privateKey: SubscriptionKeys['ecdh']; authSecret: string }): Buffer;
}
const ece = createRequire(import.meta.url)('http_ece') as Ece;

/** A browser `PushSubscription.toJSON()`. */
export interface PushSubscriptionJson {
  readonly endpoint: string;
  readonly expirationTime: null;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

export interface ReceivedPushMessage {
  readonly id: string;
  readonly endpoint: string;
  readonly ttl: number;
  readonly urgency: string;
  readonly topic: string | undefined;
  /** The decrypted payload; undefined for an empty push, or when decryption failed (see decryptError). */
  readonly payload: Buffer | undefined;
  readonly decryptError?: string;
  /** Epoch ms on the mock's clock. */
  readonly receivedAt: number;
}

export interface CreateSubscriptionOptions {
  /** VAPID public key (base64url) the subscription is restricted to (RFC 8292 §4); `null` = any key. Default: the mock's. */
  readonly applicationServerKey?: string | null;
}

export interface SubscriptionRegistry {
  create(options?: CreateSubscriptionOptions): PushSubscriptionJson;
  /** The subscription stops working: requests to it answer the mock's `goneStatus` (404 or 410). */
  expire(endpoint: string): void;
  /** Every subscription created and not expired. */
  list(): PushSubscriptionJson[];
  /** Messages received for `endpoint` (oldest first, at most `keepMessages`). */
  messages(endpoint: string): ReceivedPushMessage[];
}

export interface Subscription {
  readonly json: PushSubscriptionJson;
  readonly keys: SubscriptionKeys;
  readonly applicationServerKey: string | null;
  expired: boolean;
  readonly inbox: ReceivedPushMessage[];
}

export interface SubscriptionStore extends SubscriptionRegistry {
  byId(id: string): Subscription | undefined;
  /** Decrypts `body` for `subscription` and files the message. */
  receive(subscription: Subscription, message: Omit<ReceivedPushMessage, 'payload' | 'decryptError' | 'id' | 'endpoint'>, body: Buffer, decrypt: boolean): ReceivedPushMessage;
}

/** `secret`: derive each subscription's id and keys from it (keys.ts deriveSubscription) instead of random ones. */
export function createSubscriptionStore(origin: () => string, defaultKey: string, keepMessages: number, secret?: Buffer): SubscriptionStore {
  const byId = new Map<string, Subscription>();
  const idOf = (endpoint: string): string => {
    const prefix = `${origin()}/push/`;
    if (!endpoint.startsWith(prefix)) throw new InvalidArgumentError(`${endpoint} is not an endpoint of this mock (${prefix}…)`);
    return endpoint.slice(prefix.length);
  };
  let sequence = 0;
  let created = 0;
  return {
    create(options = {}) {
      const { id, keys } = secret === undefined ? { id: randomBytes(16).toString('base64url'), keys: generateSubscriptionKeys() } : deriveSubscription(secret, created);
      created++;
      const json: PushSubscriptionJson = { endpoint: `${origin()}/push/${id}`, expirationTime: null, keys: { p256dh: keys.p256dh, auth: keys.auth } };
      const applicationServerKey = options.applicationServerKey === undefined ? defaultKey : options.applicationServerKey;
      byId.set(id, { json, keys, applicationServerKey, expired: false, inbox: [] });
      return json;
    },
    expire(endpoint) {
      const subscription = byId.get(idOf(endpoint));
      if (subscription === undefined) throw new InvalidArgumentError(`no subscription ${endpoint}`);
      subscription.expired = true;
    },
    list: () => [...byId.values()].filter((s) => !s.expired).map((s) => s.json),
    messages: (endpoint) => [...(byId.get(idOf(endpoint))?.inbox ?? [])],
    byId: (id) => byId.get(id),
    receive(subscription, message, body, decrypt) {
      let payload: Buffer | undefined;
      let decryptError: string | undefined;
      if (body.length > 0 && decrypt) {
        try {
          payload = ece.decrypt(body, { version: 'aes128gcm', privateKey: subscription.keys.ecdh, authSecret: subscription.keys.auth });
        } catch (error) {
          decryptError = (error as Error).message;
        }
      }
      const received: ReceivedPushMessage = {
        ...message,
        id: `${Date.now().toString(36)}${(sequence++).toString(36)}`,
        endpoint: subscription.json.endpoint,
        payload,
        ...(decryptError !== undefined && { decryptError }),
      };
      subscription.inbox.push(received);
      if (subscription.inbox.length > keepMessages) subscription.inbox.shift();
      return received;
    },
  };
}
