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
   * generations of this length, so memory follows the traffic of the last 10–20 minutes rather than
   * growing with every notification of a long soak (pushsim's sender gives each its own apns-id);
   * a repeat more than `identityWindowMs` later counts as a new notification. @default 600000
   */
  readonly identityWindowMs?: number;
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
  /**
   * Deliveries so far per notification, keyed by a 53-bit hash (short keys), in two generations:
   * `#seen` since the last rotation, `#older` the window before; older identities are forgotten.
   */
  #seen = new Map<number, number>();
  #older = new Map<number, number>();
  #rotatedAt: number;
  readonly #identityWindowMs: number;
  readonly #duplicatesByToken = new Map<string, number>();
  readonly #byProvider = new Map<string, DeliveryCounts>();
  readonly #byPhase = new Map<string, DeliveryCounts>();

  constructor(options: DeliveryLedgerOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    this.#phaseAt = options.phaseAt ?? (() => 'run');
    // ~100 bytes each: a million is ~100 MB, enough for any window a person reads.
    this.#maxRecords = assertInteger('maxRecords', options.maxRecords ?? 0, 0, 1_000_000);
    this.#maxTokensListed = assertInteger('maxTokensListed', options.maxTokensListed ?? 100, 0);
    this.#identityWindowMs = assertInteger('identityWindowMs', options.identityWindowMs ?? 600_000, 1);
    this.#rotatedAt = this.#clock.now();
  }

  /** The fault engine attaches its timeline after building the ledger. */
  setPhaseSource(phaseAt: (at: number) => string): void {
    this.#phaseAt = phaseAt;
  }

  record(input: DeliveryInput): DeliveryRecord {
    const at = input.at ?? this.#clock.now();
    const phase = this.#phaseAt(at);
    const key = identityKey(input);
    let before = 0;
    if (key === undefined) this.#unidentified++;
    else {
      if (at - this.#rotatedAt >= this.#identityWindowMs) this.#rotate(at);
      before = this.#seen.get(key) ?? this.#older.get(key) ?? 0;
      this.#seen.set(key, before + 1);
    }
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

  /** A new generation of identities; the one before the last is forgotten. */
  #rotate(at: number): void {
    this.#older = this.#seen;
    this.#seen = new Map();
    // Two windows without traffic forget both generations.
    if (at - this.#rotatedAt >= 2 * this.#identityWindowMs) this.#older = new Map();
    this.#rotatedAt = at;
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
    this.#seen = new Map();
    this.#older = new Map();
    this.#rotatedAt = this.#clock.now();
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

function bump(map: Map<string, DeliveryCounts>, name: string, duplicate: boolean): void {
  let counts = map.get(name);
  if (counts === undefined) {
    counts = { delivered: 0, duplicates: 0 };
    map.set(name, counts);
  }
  counts.delivered++;
  if (duplicate) counts.duplicates++;
}

/**
 * What makes two deliveries the same notification, as a 53-bit key: provider, token, and the
 * client's id (case-insensitive) or else the body. The token seeds the hash of the id or body, so
 * a record concatenates no strings and hashes each byte once (it runs on every acceptance of a mock
 * with no faults configured). undefined when nothing can tell (then the delivery is unique).
 */
function identityKey(input: DeliveryInput): number | undefined {
  const { notificationId } = input;
  // APNs has a client id for this; its body is never an identity, whatever the host passes (the
  // fault proxy forwards any provider's body), so h2load's id-less repeats stay unidentified.
  const body = input.provider === 'apns' ? undefined : input.body;
  if (notificationId === undefined && body === undefined) return undefined;
  const seed = fnv1a(input.token, providerSeeds[input.provider]);
  return notificationId !== undefined ? cyrb53(notificationId.toLowerCase(), seed) : cyrb53(body ?? '', seed ^ bodyTag);
}

/** Keeps the providers, and ids apart from bodies, in separate key spaces. */
const providerSeeds: Readonly<Record<LedgerProvider, number>> = { apns: 0x811c9dc5, fcm: 0x050c5d1f, webpush: 0x2f8e1a3b };
const bodyTag = 0x5bd1e995;

/** FNV-1a (32-bit) over UTF-16 code units, from `seed`. */
function fnv1a(text: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** cyrb53 (bryc, public domain): a fast 53-bit hash, so payload identity costs well under a µs. */
function cyrb53(data: Uint8Array | string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  const length = data.length;
  for (let i = 0; i < length; i++) {
    const c = typeof data === 'string' ? data.charCodeAt(i) : (data[i] ?? 0);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
