/**
 * The mock's device registry: which topics a device token belongs to, and which tokens are no
 * longer active. Changeable while the mock runs (`MockApns.devices`).
 *
 *   unregistered token          → 410 Unregistered + `timestamp` (ms since epoch)   (§1.5, §1.7)
 *   expired token               → 410 ExpiredToken                                 (§1.7, apns2)
 *   registered for other topics → 400 DeviceTokenNotForTopic                        (§1.7, Pushy)
 *   unknown token               → accepted; or DeviceTokenNotForTopic when `strict` (Pushy's rule)
 *
 * Tokens are compared exactly as sent (no case folding). A token registered for a bundle id is
 * valid for that bundle's push-type topics too (`<bundle>.voip`, … §1.3).
 */
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { bundleOf } from './push-types.js';

export type DeviceRejection =
  | { readonly reason: 'Unregistered'; readonly timestamp: number }
  | { readonly reason: 'ExpiredToken' }
  | { readonly reason: 'DeviceTokenNotForTopic' };

export interface DeviceRegistry {
  /** Marks `token` unregistered from `timestampMs` (default: now). */
  unregister(token: string, timestampMs?: number): void;
  /** Makes `token` valid again (the app was reinstalled): clears unregistered and expired marks. */
  reregister(token: string): void;
  /** When `token` became invalid, or undefined while it is valid. */
  isUnregistered(token: string): number | undefined;
  /** Number of unregistered tokens. */
  count(): number;
  /** Registers `token` for one or more topics (bundle ids); adds to earlier registrations. */
  register(token: string, topics: string | readonly string[]): void;
  /** Marks `token` expired: 410 ExpiredToken. */
  expire(token: string): void;
  /** Forgets everything about `token`. */
  forget(token: string): void;
  /** Strict: a token registered for no topic gets DeviceTokenNotForTopic (Pushy); else it is accepted. */
  setStrict(strict: boolean): void;
  /** The rejection a push to `token` on `topic` gets, or undefined when it may go through. */
  check(token: string, topic: string): DeviceRejection | undefined;
}

const expiredRejection: DeviceRejection = { reason: 'ExpiredToken' };
const notForTopicRejection: DeviceRejection = { reason: 'DeviceTokenNotForTopic' };

export function createDeviceRegistry(clock: Clock = systemClock): DeviceRegistry {
  const unregisteredAt = new Map<string, number>();
  const expired = new Set<string>();
  const topicsByToken = new Map<string, Set<string>>();
  let strict = false;
  return {
    unregister(token, timestampMs = clock.now()) {
      unregisteredAt.set(token, timestampMs);
    },
    reregister(token) {
      unregisteredAt.delete(token);
      expired.delete(token);
    },
    isUnregistered(token) {
      return unregisteredAt.get(token);
    },
    count() {
      return unregisteredAt.size;
    },
    register(token, topics) {
      let known = topicsByToken.get(token);
      if (known === undefined) topicsByToken.set(token, (known = new Set()));
      for (const topic of typeof topics === 'string' ? [topics] : topics) known.add(topic);
    },
    expire(token) {
      expired.add(token);
    },
    forget(token) {
      unregisteredAt.delete(token);
      expired.delete(token);
      topicsByToken.delete(token);
    },
    setStrict(value) {
      strict = value;
    },
    check(token, topic) {
      // Empty tables are not searched: a lookup hashes the token (64 characters, a new string per request).
      if (unregisteredAt.size > 0) {
        const timestamp = unregisteredAt.get(token);
        if (timestamp !== undefined) return { reason: 'Unregistered', timestamp };
      }
      if (expired.size > 0 && expired.has(token)) return expiredRejection;
      const topics = topicsByToken.size === 0 ? undefined : topicsByToken.get(token);
      if (topics === undefined) return strict ? notForTopicRejection : undefined;
      return topics.has(topic) || topics.has(bundleOf(topic)) ? undefined : notForTopicRejection;
    },
  };
}
