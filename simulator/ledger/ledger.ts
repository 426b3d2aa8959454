/**
 * The delivery ledger: every notification a provider (mock, or the upstream behind the fault
 * proxy) accepted, with when and in which phase — so a run can show what *was delivered*, not only
 * what the sender was told. After an accept-then-fail fault the sender believes a notification
 * failed although it was delivered; its retry is then a duplicate, which only the ledger sees.
 *
 * Two deliveries are the same notification when provider and token match and the host gave the same
 * identity: the client's own id where the protocol has one (APNs request `apns-id`), else the request
 * body where the body is what a retry repeats (FCM's JSON, Web Push's ciphertext — a fresh salt per
 * message, so only a resent request repeats it). A delivery with neither is `unidentified`: counted,
 * never a duplicate. The APNs mock gives only the apns-id, so load tools that omit it (h2load) and
 * repeat one payload are not mistaken for duplicates; pushsim's runner gives every notification one.
 */
import type { Clock } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { assertInteger } from '../../core/errors.js';
import { IdentityWindow, hashIdentity, identityHash } from './identities.js';
import type { IdentityWindowStats } from './identities.js';

export type LedgerProvider = 'apns' | 'fcm' | 'webpush';

export interface DeliveryInput {
  readonly provider: LedgerProvider;
  readonly token: string;
  /** The provider's id for this delivery: response apns-id, FCM message name, Web Push Location. */
  readonly deliveryId?: string | undefined;
  /** The client's id for the notification (APNs request apns-id), if it sent one. */
  readonly notificationId?: string | undefined;
  /** The request body, hashed when there is no notificationId (FCM, Web Push; ignored for APNs). */
  readonly body?: Uint8Array | string | undefined;
  /** 1-based attempt number for this token, as the host counted it. */
  readonly attempt?: number | undefined;
  /** Epoch ms; the ledger's clock when absent. */
  readonly at?: number | undefined;
}

export interface DeliveryRecord {
  readonly provider: LedgerProvider;
  readonly token: string;
  readonly deliveryId: string | undefined;
  readonly notificationId: string | undefined;
  readonly attempt: number | undefined;
  readonly at: number;
  readonly phase: string;
  /** Deliveries of the same notification before this one (0 = first delivery). */
  readonly duplicateOf: number;
}

export interface DeliveryCounts {
  delivered: number;
  duplicates: number;
}

/** For result.json: plain data, stable field names. */
export interface LedgerSummary {
  readonly delivered: number;
  /** Distinct notifications delivered at least once (unidentified deliveries each count as one). */
  readonly unique: number;
  /** Deliveries without an identity (no apns-id, no body): not checked for duplicates. */
  readonly unidentified: number;
  /** Deliveries beyond the first of the same notification. */
  readonly duplicates: number;
  /** Tokens that received at least one duplicate. */
  readonly tokensWithDuplicates: number;
  /** Duplicates per token, the `maxTokensListed` tokens with most duplicates. */
  readonly duplicatesByToken: Readonly<Record<string, number>>;
  readonly byProvider: Readonly<Record<string, DeliveryCounts>>;
  /** Deliveries per timeline phase (`run` without phases, `after` past the last one). */
  readonly byPhase: Readonly<Record<string, DeliveryCounts>>;
  /** Records kept for `records()`; older ones are dropped past `maxRecords`, counts never are. */
  readonly recordsKept: number;
}

export interface DeliveryLedgerOptions {
  readonly clock?: Clock;
  /** Phase name at an epoch-ms time; the fault engine plugs its timeline in here. */
  readonly phaseAt?: (at: number) => string;
  /**
   * Latest records kept for records(); counts and duplicates are exact regardless. Off by default:
   * retained per-delivery objects get promoted and cost a mock's hot path mostly in GC. @default 0
   */
  readonly maxRecords?: number;
  /** @default 100 */
  readonly maxTokensListed?: number;
  /**
   * How long a delivered notification is remembered for duplicate detection. Identities live in two
   * generations of this length, as 64-bit hashes in typed-array tables (identities.ts), so memory
   * follows the traffic of the last 10–20 minutes rather than growing with every notification of a
   * long soak (pushsim's sender gives each its own apns-id); a repeat more than `identityWindowMs`
   * later counts as a new notification. @default 600000
   */
  readonly identityWindowMs?: number;
  /** Most identities one generation holds (identities.ts); past it the generation closes early. @default 6710886 */
  readonly maxIdentities?: number;
  /**
   * The traffic the host expects (a load test knows its rate and count): the identity tables are
   * then sized for it from the start and made resident at once, so memory is flat from the first
   * minute of a soak (identities.ts). More traffic than announced still works. @default none
   */
  readonly expected?: ExpectedTraffic;
}

/** Deliveries to expect: a rate, and the total when the traffic ends (none: it goes on). */
export interface ExpectedTraffic {
  readonly ratePerSecond: number;
  readonly count?: number | undefined;
}

/** Identities one window of `windowMs` holds for this traffic: a window's worth at the rate, or the whole count when that is fewer. */
export function expectedIdentities(expected: ExpectedTraffic, windowMs: number): number {
  const perWindow = (expected.ratePerSecond * windowMs) / 1000;
  return Math.ceil(expected.count === undefined ? perWindow : Math.min(perWindow, expected.count));
}

/** Problems with an ExpectedTraffic given as an option (a rate > 0 up to 10^7/s, a whole count >= 0). */
export function expectedTrafficProblems(name: string, value: unknown): string[] {
  if (value === undefined) return [];
  if (typeof value !== 'object' || value === null) return [`${name} must be { ratePerSecond, count? }, got ${String(value)}`];
  const { ratePerSecond, count } = value as Record<string, unknown>;
  const problems: string[] = [];
  if (typeof ratePerSecond !== 'number' || !(ratePerSecond > 0) || ratePerSecond > 1e7) problems.push(`${name}.ratePerSecond must be a number > 0 and <= 10000000, got ${String(ratePerSecond)}`);
  if (count !== undefined && (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0)) problems.push(`${name}.count must be an integer >= 0, got ${String(count)}`);
  return problems;
}

export class DeliveryLedger {
  readonly #clock: Clock;
  #phaseAt: (at: number) => string;
  readonly #maxRecords: number;
  readonly #maxTokensListed: number;
  #records: DeliveryRecord[] = [];
  #delivered = 0;
  #duplicates = 0;
  /** Deliveries without any identity (no id, no body): each is its own notification, nothing to remember. */
  #unidentified = 0;
  /** Deliveries so far per notification, by 64-bit hash, over the last one to two windows. */
  readonly #identities: IdentityWindow;
  readonly #duplicatesByToken = new Map<string, number>();
  readonly #byProvider = new Map<string, DeliveryCounts>();
  readonly #byPhase = new Map<string, DeliveryCounts>();

  constructor(options: DeliveryLedgerOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#phaseAt = options.phaseAt ?? (() => 'run');
    // ~100 bytes each: a million is ~100 MB, enough for any window a person reads.
    this.#maxRecords = assertInteger('maxRecords', options.maxRecords ?? 0, 0, 1_000_000);
    this.#maxTokensListed = assertInteger('maxTokensListed', options.maxTokensListed ?? 100, 0);
    const windowMs = assertInteger('identityWindowMs', options.identityWindowMs ?? 600_000, 1);
    const maxIdentities = options.maxIdentities === undefined ? undefined : assertInteger('maxIdentities', options.maxIdentities, 1);
    const expected = options.expected === undefined ? undefined : expectedIdentities(options.expected, windowMs);
    this.#identities = new IdentityWindow({ windowMs, ...(maxIdentities !== undefined && { maxIdentities }), ...(expected !== undefined && { expectedIdentities: expected }) }, this.#clock.now());
  }

  /** The fault engine attaches its timeline after building the ledger. */
  setPhaseSource(phaseAt: (at: number) => string): void {
    this.#phaseAt = phaseAt;
  }

  record(input: DeliveryInput): DeliveryRecord {
    const at = input.at ?? this.#clock.now();
    const phase = this.#phaseAt(at);
    let before = 0;
    if (hashKey(input)) before = this.#identities.deliver(identityHash.hi, identityHash.lo, at);
    else this.#unidentified++;
    this.#delivered++;
    bump(this.#byProvider, input.provider, before > 0);
    bump(this.#byPhase, phase, before > 0);
    if (before > 0) {
      this.#duplicates++;
      this.#duplicatesByToken.set(input.token, (this.#duplicatesByToken.get(input.token) ?? 0) + 1);
    }
    if (this.#maxRecords === 0) return { provider: input.provider, token: input.token, deliveryId: input.deliveryId, notificationId: input.notificationId, attempt: input.attempt, at, phase, duplicateOf: before };
    const record: DeliveryRecord = {
      provider: input.provider,
      token: input.token,
      deliveryId: input.deliveryId,
      notificationId: input.notificationId,
      attempt: input.attempt,
      at,
      phase,
      duplicateOf: before,
    };
    // Drop the older half at once rather than shift() per record: amortised O(1).
    if (this.#records.length >= this.#maxRecords) this.#records = this.#records.slice(this.#records.length - Math.floor(this.#maxRecords / 2));
    this.#records.push(record);
    return record;
  }

  /**
   * `count` deliveries of `provider` without an identity at `at` (epoch ms): what `count` calls of
   * `record({ provider, token: '', at })` count, in one step. A multi-process mock's primary gets
   * them from its workers as runs (simulator/cluster/forwarding-ledger.ts), one run per millisecond
   * rather than one entry per request; with `maxRecords` it records them one by one, to keep them.
   */
  recordUnidentified(provider: LedgerProvider, at: number, count: number): void {
    if (this.#maxRecords > 0) {
      const input = { provider, token: '', at };
      for (let n = count; n > 0; n--) this.record(input);
      return;
    }
    if (count <= 0) return;
    this.#unidentified += count;
    this.#delivered += count;
    bump(this.#byProvider, provider, false, count);
    bump(this.#byPhase, this.#phaseAt(at), false, count);
  }

  /** What the identity window holds: identities, table slots and bytes (bounded: identities.ts). */
  identityStats(): IdentityWindowStats {
    return this.#identities.stats();
  }

  records(): readonly DeliveryRecord[] {
    return this.#records;
  }

  /** Duplicates of one token so far. */
  duplicatesFor(token: string): number {
    return this.#duplicatesByToken.get(token) ?? 0;
  }

  summary(): LedgerSummary {
    const top = [...this.#duplicatesByToken].sort((a, b) => b[1] - a[1]).slice(0, this.#maxTokensListed);
    const copy = (map: Map<string, DeliveryCounts>): Record<string, DeliveryCounts> =>
      Object.fromEntries([...map].map(([name, counts]) => [name, { ...counts }]));
    return {
      delivered: this.#delivered,
      // Each delivery is a first (unidentified ones always are) or a duplicate.
      unique: this.#delivered - this.#duplicates,
      unidentified: this.#unidentified,
      duplicates: this.#duplicates,
      tokensWithDuplicates: this.#duplicatesByToken.size,
      duplicatesByToken: Object.fromEntries(top),
      byProvider: copy(this.#byProvider),
      byPhase: copy(this.#byPhase),
      recordsKept: this.#records.length,
    };
  }

  clear(): void {
    this.#records = [];
    this.#delivered = 0;
    this.#duplicates = 0;
    this.#unidentified = 0;
    this.#identities.clear(this.#clock.now());
    this.#duplicatesByToken.clear();
    this.#byProvider.clear();
    this.#byPhase.clear();
  }
}

/**
 * One summary for several ledgers (one mock per provider in a mixed run): counts added, per-provider,
 * per-phase and per-token entries summed, the `maxTokensListed` tokens with most duplicates kept.
 */
export function mergeLedgerSummaries(summaries: readonly LedgerSummary[], maxTokensListed = 100): LedgerSummary {
  const sum = (pick: (s: LedgerSummary) => number): number => summaries.reduce((total, s) => total + pick(s), 0);
  const mergeCounts = (pick: (s: LedgerSummary) => Readonly<Record<string, DeliveryCounts>>): Record<string, DeliveryCounts> => {
    const merged: Record<string, DeliveryCounts> = {};
    for (const summary of summaries) {
      for (const [name, counts] of Object.entries(pick(summary))) {
        const entry = (merged[name] ??= { delivered: 0, duplicates: 0 });
        entry.delivered += counts.delivered;
        entry.duplicates += counts.duplicates;
      }
    }
    return merged;
  };
  const byToken = new Map<string, number>();
  for (const summary of summaries) for (const [token, n] of Object.entries(summary.duplicatesByToken)) byToken.set(token, (byToken.get(token) ?? 0) + n);
  return {
    delivered: sum((s) => s.delivered),
    unique: sum((s) => s.unique),
    unidentified: sum((s) => s.unidentified),
    duplicates: sum((s) => s.duplicates),
    tokensWithDuplicates: sum((s) => s.tokensWithDuplicates),
    duplicatesByToken: Object.fromEntries([...byToken].sort((a, b) => b[1] - a[1]).slice(0, maxTokensListed)),
    byProvider: mergeCounts((s) => s.byProvider),
    byPhase: mergeCounts((s) => s.byPhase),
    recordsKept: sum((s) => s.recordsKept),
  };
}

function bump(map: Map<string, DeliveryCounts>, name: string, duplicate: boolean, deliveries = 1): void {
  let counts = map.get(name);
  if (counts === undefined) {
    counts = { delivered: 0, duplicates: 0 };
    map.set(name, counts);
  }
  counts.delivered += deliveries;
  if (duplicate) counts.duplicates++;
}

/**
 * What makes two deliveries the same notification: provider, token, and the client's id
 * (case-insensitive) or else the body, hashed to 64 bits into `identityHash` without concatenating
 * strings (it runs on every acceptance of a mock with no faults configured). False when nothing can
 * tell (then the delivery is unique).
 */
function hashKey(input: DeliveryInput): boolean {
  const { notificationId } = input;
  // APNs has a client id for this; its body is never an identity, whatever the host passes (the
  // fault proxy forwards any provider's body), so h2load's id-less repeats stay unidentified.
  const body = input.provider === 'apns' ? undefined : input.body;
  if (notificationId !== undefined) hashIdentity(providerSeeds[input.provider], input.token, notificationId, true);
  else if (body !== undefined) hashIdentity(providerSeeds[input.provider] ^ bodyTag, input.token, body, false);
  else return false;
  return true;
}

/** Keeps the providers, and ids apart from bodies, in separate key spaces. */
const providerSeeds: Readonly<Record<LedgerProvider, number>> = { apns: 0x811c9dc5, fcm: 0x050c5d1f, webpush: 0x2f8e1a3b };
const bodyTag = 0x5bd1e995;
