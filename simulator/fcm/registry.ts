/**
 * What the mock knows about registration tokens and which answers are scripted (fault injection).
 *
 * - Every token of the right shape is valid for the project in the URL unless it was unregistered
 *   (→ 404 UNREGISTERED) or assigned to another project (→ 403 SENDER_ID_MISMATCH).
 * - `script(target, codes)` queues FCM error codes for one token (or `'*'` for any message): each
 *   message to it takes the next code instead of its normal answer, so a test can stage
 *   "503, 503, then success" or an outage. Scripted answers come after authentication and body
 *   validation, before quotas (protocols.md §2.5 for what clients should do with them).
 */
import type { FcmReason } from '../../core/reasons.js';
import { pushAll } from '../../core/arrays.js';

export interface FcmTokenRegistry {
  /** `token` answers 404 UNREGISTERED from now on. */
  unregister(token: string): void;
  reregister(token: string): void;
  /** `token` belongs to `projectId`: sends from another project answer 403 SENDER_ID_MISMATCH. */
  assign(token: string, projectId: string): void;
  isUnregistered(token: string): boolean;
  projectOf(token: string): string | undefined;
}

export interface FcmFaults {
  /** Queues `codes` for messages to `target` (a registration token, topic, condition, or '*' for any). */
  script(target: string, codes: readonly FcmReason[]): void;
  /** Forgets every scripted answer. */
  clear(): void;
  /** Scripted answers not yet used. */
  pending(): number;
}

export function createTokenRegistry(): FcmTokenRegistry {
  const unregistered = new Set<string>();
  const owners = new Map<string, string>();
  return {
    unregister: (token) => void unregistered.add(token),
    reregister: (token) => void unregistered.delete(token),
    assign: (token, projectId) => void owners.set(token, projectId),
    isUnregistered: (token) => unregistered.has(token),
    projectOf: (token) => owners.get(token),
  };
}

export interface ScriptedFaults extends FcmFaults {
  /** The next scripted code for `target` (its own queue first, then '*'), consumed. */
  next(target: string): FcmReason | undefined;
}

export function createFaults(): ScriptedFaults {
  const queues = new Map<string, FcmReason[]>();
  let count = 0;
  const shift = (key: string): FcmReason | undefined => {
    const queue = queues.get(key);
    const code = queue?.shift();
    if (code !== undefined) count--;
    if (queue !== undefined && queue.length === 0) queues.delete(key);
    return code;
  };
  return {
    script(target, codes) {
      const queue = queues.get(target) ?? [];
      pushAll(queue, codes);
      queues.set(target, queue);
      count += codes.length;
    },
    clear() {
      queues.clear();
      count = 0;
    },
    pending: () => count,
    next: (target) => (count === 0 ? undefined : (shift(target) ?? shift('*'))),
  };
}
