/**
 * Which device tokens the mock treats as no longer active. A token listed here gets 410
 * `Unregistered` with the `timestamp` (ms since epoch) at which it stopped being valid
 * (protocols.md §1.5, §1.7). Tokens are compared exactly as sent (no case folding).
 */
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';

export interface DeviceRegistry {
  /** Marks `token` unregistered from `timestampMs` (default: now). */
  unregister(token: string, timestampMs?: number): void;
  /** Makes `token` valid again (the app was reinstalled). */
  reregister(token: string): void;
  /** When `token` became invalid, or undefined while it is valid. */
  isUnregistered(token: string): number | undefined;
  /** Number of unregistered tokens. */
  count(): number;
}

export function createDeviceRegistry(clock: Clock = systemClock): DeviceRegistry {
  const unregisteredAt = new Map<string, number>();
  return {
    unregister(token, timestampMs = clock.now()) {
      unregisteredAt.set(token, timestampMs);
    },
    reregister(token) {
      unregisteredAt.delete(token);
    },
    isUnregistered(token) {
      return unregisteredAt.get(token);
    },
    count() {
      return unregisteredAt.size;
    },
  };
}
