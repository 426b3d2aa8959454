/**
 * Delivered but not acknowledged: notifications a mock's ledger saw delivered whose sender outcome
 * was not `accepted` — an accept-then-fail without a successful retry, an answer cut off at the end
 * of the run, a stream reset after the provider took it. The sender believes they failed; the device
 * got them. Only the ledger and the runner together can count them.
 *
 *   ledger (per provider)  unique = delivered − duplicates: distinct notifications delivered
 *   runner (per provider)  acknowledged = final outcomes `accepted` on the primary route
 *   not acknowledged       unique − acknowledged
 *
 * Exact when every notification has its own identity in the ledger (pushsim's senders give each an
 * apns-id, a sequence number in the FCM body, a fresh Web Push ciphertext reused by its retries):
 * every acknowledged notification was recorded once as unique before its 200 went out. Not exact —
 * and said so — when the ledger saw deliveries without an identity (a client without apns-id), or
 * more acknowledgements than unique deliveries (identities forgotten after the ledger's window,
 * or a target that is not the mock). Memory: one counter per provider.
 */
import type { Outcome } from '../sender/outcome.js';
import type { LedgerSummary } from '../simulator/ledger/ledger.js';

/** Per provider, the outcomes `accepted` on the primary route (a fallback route delivers elsewhere, past the mock's ledger). */
export class AcknowledgementCounter {
  readonly #byProvider = new Map<string, number>();

  onOutcome(outcome: Outcome): void {
    if (outcome.status !== 'accepted' || outcome.route !== undefined) return;
    this.#byProvider.set(outcome.provider, (this.#byProvider.get(outcome.provider) ?? 0) + 1);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.#byProvider);
  }
}

/** One provider's ledger counts, with what the sender acknowledged set against them. */
export interface ProviderDelivery {
  readonly delivered: number;
  readonly duplicates: number;
  /** Its notifications with an `accepted` outcome (when the runner counted them). */
  readonly acknowledged?: number;
  /** Distinct notifications delivered (delivered − duplicates) less the acknowledged ones, at least 0. */
  readonly notAcknowledged?: number;
}

/** What the acknowledgement count adds to the ledger's summary. */
export interface Acknowledgement {
  readonly acknowledged: number;
  readonly notAcknowledged: number;
  /** false when the ledger's identities cannot make the count exact (see the file comment): then it is an estimate. */
  readonly notAcknowledgedExact: boolean;
  readonly byProvider: Readonly<Record<string, ProviderDelivery>>;
}

/** `ledger` with acknowledged / not-acknowledged counts, in total and per provider. */
export function withAcknowledgements<L extends Omit<LedgerSummary, 'recordsKept'>>(ledger: L, acknowledged: Readonly<Record<string, number>>): L & Acknowledgement {
  let exact = ledger.unidentified === 0;
  let total = 0;
  let missing = 0;
  const byProvider: Record<string, ProviderDelivery> = {};
  for (const provider of new Set([...Object.keys(ledger.byProvider), ...Object.keys(acknowledged)])) {
    const counts = ledger.byProvider[provider] ?? { delivered: 0, duplicates: 0 };
    const acks = acknowledged[provider] ?? 0;
    const gap = counts.delivered - counts.duplicates - acks;
    if (gap < 0) exact = false;
    total += acks;
    missing += Math.max(0, gap);
    byProvider[provider] = { ...counts, acknowledged: acks, notAcknowledged: Math.max(0, gap) };
  }
  return { ...ledger, acknowledged: total, notAcknowledged: missing, notAcknowledgedExact: exact, byProvider };
}

/** For the text and HTML summaries: the not-acknowledged count, or undefined when the result has none. */
export function describeNotAcknowledged(delivery: Partial<Omit<Acknowledgement, 'byProvider'>>): string | undefined {
  const { notAcknowledged, notAcknowledgedExact } = delivery;
  if (notAcknowledged === undefined) return undefined;
  return notAcknowledgedExact === false
    ? `delivered but not acknowledged ≈${notAcknowledged} (some deliveries have no identity to match)`
    : `delivered but not acknowledged ${notAcknowledged}`;
}
