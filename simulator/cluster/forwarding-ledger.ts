/**
 * A worker's ledger: it remembers nothing itself, it batches each accepted notification's compact
 * identity (provider, token, id) and time, and sends the batch to the primary, whose one ledger counts
 * duplicates across every worker. A notification identified by its body (FCM, Web Push) crosses as a
 * 64-bit hash of the body, not the body.
 */
import { DeliveryLedger, type DeliveryInput, type DeliveryRecord } from '../ledger/ledger.js';
import { hashIdentity, identityHash } from '../ledger/identities.js';
import type { LedgerBatch } from './protocol.js';

/** Deliveries per batch before it is sent without waiting for the timer. */
const batchSize = 1_000;
/** Longest a delivery waits in a batch. */
const batchDelayMs = 20;
const bodySeed = 0x2545f491;

export class ForwardingLedger extends DeliveryLedger {
  readonly #send: (batch: LedgerBatch) => void;
  #providers: string[] = [];
  #tokens: string[] = [];
  #ids: string[] = [];
  #at: number[] = [];
  /** Deliveries without an identity as runs of one provider and millisecond: counts are all the primary needs of them. */
  #plain: { providers: string[]; at: number[]; counts: number[] } = { providers: [], at: [], counts: [] };
  #size = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Bumped by every reset of the shared timeline: the primary drops batches of earlier generations. */
  generation = 0;

  constructor(send: (batch: LedgerBatch) => void) {
    // Nothing is looked up here: the smallest identity window the base class allows.
    super({ maxIdentities: 1 });
    this.#send = send;
  }

  override record(input: DeliveryInput): DeliveryRecord {
    const at = input.at ?? Date.now();
    const id = identityOf(input);
    if (id === '') this.#countPlain(input.provider, at);
    else {
      this.#providers.push(input.provider);
      this.#tokens.push(input.token);
      this.#ids.push(id);
      this.#at.push(at);
    }
    if (++this.#size >= batchSize) this.flush();
    else this.#timer ??= setTimeout(() => this.flush(), batchDelayMs).unref();
    // Whether it is a duplicate only the primary knows; no host reads this.
    return { provider: input.provider, token: input.token, deliveryId: input.deliveryId, notificationId: input.notificationId, attempt: input.attempt, at, phase: '', duplicateOf: 0 };
  }

  #countPlain(provider: string, at: number): void {
    const plain = this.#plain;
    const last = plain.at.length - 1;
    if (last >= 0 && plain.at[last] === at && plain.providers[last] === provider) (plain.counts[last] as number)++;
    else {
      plain.providers.push(provider);
      plain.at.push(at);
      plain.counts.push(1);
    }
  }

  /** Sends what is batched now (before answering the primary, and before closing). */
  flush(): void {
    if (this.#size > 0) this.#send({ type: 'ledger', generation: this.generation, providers: this.#providers, tokens: this.#tokens, ids: this.#ids, at: this.#at, plain: this.#plain });
    this.clear();
  }

  /** Deliveries not yet sent belong to the timeline being restarted: dropped, as a single ledger's clear() drops them. */
  override clear(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#providers = [];
    this.#tokens = [];
    this.#ids = [];
    this.#at = [];
    this.#plain = { providers: [], at: [], counts: [] };
    this.#size = 0;
  }
}

/** The client's id (APNs apns-id) as given, or the body's 64-bit hash in hex (FCM, Web Push), or '' for none. */
function identityOf(input: DeliveryInput): string {
  if (input.notificationId !== undefined) return input.notificationId;
  if (input.provider === 'apns' || input.body === undefined) return '';
  hashIdentity(bodySeed, '', input.body, false);
  return `${identityHash.hi.toString(16).padStart(8, '0')}${identityHash.lo.toString(16).padStart(8, '0')}`;
}
