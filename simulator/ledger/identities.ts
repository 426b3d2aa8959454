/**
 * The ledger's memory of which notifications it has seen: 64-bit identity hashes in typed-array
 * open-addressing tables, two generations of `windowMs` each. A long soak keeps the last 10–20
 * minutes of identities at 8 bytes a slot outside the JavaScript heap, instead of millions of Map
 * entries the garbage collector walks on every major collection (at 5,000/s, two 10-minute Map
 * generations held ~330 MB of heap and grew the mock's pauses for 20 minutes).
 *
 * Sizing: a generation's table is sized for the identities the previous one saw, scaled to a whole
 * window (rate × window), with headroom. When traffic outgrows it — the first generation starts
 * small, or the rate climbs — the generation closes early and the next is sized from the new rate:
 * an identity is then remembered for less than a window, never less than the time the full table
 * took to fill. A generation never holds more than `maxIdentities`.
 *
 * When the host knows the traffic ahead (`expectedIdentities`: the runner knows its rate and count),
 * both generations are sized for it at the start and written once, so their pages are resident from
 * the first second: a soak's memory is flat from minute 1 instead of stepping up at the first
 * rotations (at 5,000/s, two 32 MB tables). A rotation reuses the table it forgets rather than
 * allocating another, in either mode.
 *
 * False duplicates: two different notifications are taken for one only when their 64-bit hashes
 * (provider, token, id or body) are equal. With n identities remembered, a new one collides with
 * probability ~n / 2^64 per lookup: at most 2 × 6.7 M identities held → < 7.3 × 10⁻¹³ per delivery;
 * at 5,000/s (≤ 6 M held) ~6 × 10⁻⁶ expected false duplicates in an hour. Negligible, and stated so.
 */

/** Slots are filled up to this share before a generation closes early (linear probing stays short). */
const maxLoad = 0.8;
/** The first generation's table: 2^18 slots (2 MB), 209,715 identities. */
const initialSlots = 1 << 18;
/** The largest table: 2^23 slots (64 MB), 6,710,886 identities. */
export const maxSlots = 1 << 23;
/** Each generation gets this much more room than the rate before it needed. */
const headroom = 1.1;

/** One generation: keys as interleaved (hi, lo) 32-bit halves; (0, 0) marks an empty slot. */
class IdentityTable {
  readonly #keys: Uint32Array;
  readonly #mask: number;
  readonly limit: number;
  size = 0;
  /** Deliveries beyond the first, per identity seen more than once (rare: retries after a lost answer). */
  readonly #repeats = new Map<number, number>();
  openedAt: number;

  constructor(slots: number, openedAt: number, maxIdentities: number) {
    this.#keys = new Uint32Array(slots * 2);
    this.#mask = slots - 1;
    this.limit = Math.min(maxIdentities, Math.floor(slots * maxLoad));
    this.openedAt = openedAt;
  }

  get slots(): number {
    return this.#mask + 1;
  }

  /** Empties the table for a new generation opened at `openedAt`; writing every slot also makes its pages resident. */
  reset(openedAt: number): this {
    this.#keys.fill(0);
    this.#repeats.clear();
    this.size = 0;
    this.openedAt = openedAt;
    return this;
  }

  get bytes(): number {
    return this.#keys.byteLength;
  }

  /** Deliveries of this identity in this generation, 0 when none. */
  deliveries(hi: number, lo: number): number {
    const slot = this.#find(hi, lo);
    if (slot < 0) return 0;
    return 1 + (this.#repeats.get(repeatKey(hi, lo)) ?? 0);
  }

  /** Records that the identity has now been delivered `deliveries` times (≥ 1). False when the table is full. */
  set(hi: number, lo: number, deliveries: number): boolean {
    const slot = this.#find(hi, lo);
    if (slot < 0) {
      if (this.size >= this.limit) return false;
      const at = ~slot * 2;
      this.#keys[at] = hi;
      this.#keys[at + 1] = lo;
      this.size++;
    }
    if (deliveries > 1) this.#repeats.set(repeatKey(hi, lo), deliveries - 1);
    return true;
  }

  /** The slot holding the key, or ~(the empty slot where it would go). */
  #find(hi: number, lo: number): number {
    const keys = this.#keys;
    const mask = this.#mask;
    // The low half spreads the slots; linear probing keeps a probe within a cache line or two.
    for (let slot = (lo ^ (hi >>> 7)) & mask; ; slot = (slot + 1) & mask) {
      const h = keys[slot * 2] as number;
      const l = keys[slot * 2 + 1] as number;
      if (h === 0 && l === 0) return ~slot;
      if (h === hi && l === lo) return slot;
    }
  }
}

/** 53 of the 64 bits, as a Map key for the rare repeated identity (counts only; presence is the table's). */
function repeatKey(hi: number, lo: number): number {
  return (hi & 0x1fffff) * 4294967296 + lo;
}

export interface IdentityWindowOptions {
  /** How long an identity is remembered: one to two windows (two generations). */
  readonly windowMs: number;
  /** Most identities one generation holds; a generation that reaches it closes early. @default 6710886 (2^23 slots) */
  readonly maxIdentities?: number;
  /**
   * Identities one window is expected to bring (rate × window, or fewer when the traffic ends
   * sooner). Both generations are then sized for it from the start and made resident at once;
   * traffic beyond it still grows the tables as without it. @default none: start small, size from what arrives
   */
  readonly expectedIdentities?: number;
}

/** Memory held, for tests and the soak benchmark. */
export interface IdentityWindowStats {
  readonly identities: number;
  readonly slots: number;
  readonly bytes: number;
  /** Generations closed before their window ended because their table was full. */
  readonly earlyRotations: number;
}

/** Identities seen in the last one to two windows. */
export class IdentityWindow {
  readonly #windowMs: number;
  readonly #maxIdentities: number;
  readonly #maxSlots: number;
  /** Slots every generation gets at least when the traffic was announced (`expectedIdentities`); 0 otherwise. */
  readonly #presizedSlots: number;
  #current: IdentityTable;
  #older: IdentityTable | undefined;
  /** A table no generation uses, kept to be reused (presized: the second generation before the first rotation). */
  #spare: IdentityTable | undefined;
  #earlyRotations = 0;

  constructor(options: IdentityWindowOptions, now: number) {
    this.#windowMs = options.windowMs;
    this.#maxIdentities = Math.min(options.maxIdentities ?? Number.POSITIVE_INFINITY, Math.floor(maxSlots * maxLoad));
    this.#maxSlots = slotsFor(this.#maxIdentities);
    const expected = options.expectedIdentities;
    this.#presizedSlots = expected === undefined || !(expected > 0) ? 0 : Math.min(slotsFor(expected * headroom), this.#maxSlots);
    if (this.#presizedSlots > 0) {
      this.#current = this.#table(this.#presizedSlots, now).reset(now);
      this.#spare = this.#table(this.#presizedSlots, now).reset(now);
    } else {
      this.#current = this.#table(initialSlots, now);
    }
  }

  /**
   * One more delivery of the identity (hi, lo) at `at`: returns how many deliveries of it came
   * before, within the window.
   */
  deliver(hi: number, lo: number, at: number): number {
    if (at - this.#current.openedAt >= this.#windowMs) this.#rotate(at, false);
    const before = this.#current.deliveries(hi, lo) || (this.#older?.deliveries(hi, lo) ?? 0);
    if (!this.#current.set(hi, lo, before + 1)) {
      this.#rotate(at, true);
      this.#current.set(hi, lo, before + 1);
    }
    return before;
  }

  /** Forgets everything; the next generation starts small again, or at the announced size (its tables reused). */
  clear(now: number): void {
    this.#earlyRotations = 0;
    if (this.#presizedSlots > 0) {
      // Two tables of the announced size, reused from those held when they have it.
      const [first, second] = [this.#current, this.#older, this.#spare].filter((t): t is IdentityTable => t !== undefined && t.slots === this.#presizedSlots);
      this.#current = (first ?? this.#table(this.#presizedSlots, now)).reset(now);
      this.#spare = (second ?? this.#table(this.#presizedSlots, now)).reset(now);
      this.#older = undefined;
      return;
    }
    this.#older = undefined;
    this.#spare = undefined;
    this.#current = this.#table(initialSlots, now);
  }

  stats(): IdentityWindowStats {
    const tables = [this.#current, this.#older, this.#spare].filter((t): t is IdentityTable => t !== undefined);
    return {
      identities: tables.reduce((sum, t) => sum + t.size, 0),
      slots: tables.reduce((sum, t) => sum + t.slots, 0),
      bytes: tables.reduce((sum, t) => sum + t.bytes, 0),
      earlyRotations: this.#earlyRotations,
    };
  }

  /**
   * A new generation, sized for a whole window at the rate the closing one saw (never below the
   * announced size); the one before it is forgotten, and its table is reused when it has that size.
   */
  #rotate(at: number, full: boolean): void {
    const closing = this.#current;
    if (full) this.#earlyRotations++;
    const elapsedMs = Math.max(1000, at - closing.openedAt);
    const forgotten = this.#older ?? this.#spare;
    this.#spare = undefined;
    // Two windows without traffic forget both generations.
    const idle = at - closing.openedAt >= 2 * this.#windowMs;
    this.#older = idle ? undefined : closing;
    const expected = (closing.size * this.#windowMs) / Math.min(elapsedMs, this.#windowMs);
    const slots = Math.min(Math.max(slotsFor(expected * headroom), this.#presizedSlots), this.#maxSlots);
    this.#current = forgotten !== undefined && forgotten.slots === slots ? forgotten.reset(at) : this.#table(slots, at);
    if (idle && this.#presizedSlots > 0 && closing.slots === this.#presizedSlots) this.#spare = closing.reset(at);
  }

  #table(slots: number, openedAt: number): IdentityTable {
    return new IdentityTable(Math.min(slots, this.#maxSlots), openedAt, this.#maxIdentities);
  }
}

/** The power-of-two slot count that holds `identities` within the load limit (at least 1,024). */
function slotsFor(identities: number): number {
  let slots = 1024;
  while (slots * maxLoad < identities) slots *= 2;
  return slots;
}

/** The two halves of a 64-bit identity hash; written by identityHash, read right after. */
export const identityHash = { hi: 0, lo: 0 };

/**
 * A 64-bit hash of (seed, token, separator, data), into `identityHash`: cyrb53's two 32-bit lanes
 * (bryc, public domain) run over every code unit and kept whole, so nothing is allocated per
 * delivery. `lowerCase` folds ASCII A–Z in `data` (APNs ids compare case-insensitively).
 */
export function hashIdentity(seed: number, token: string, data: Uint8Array | string, lowerCase: boolean): void {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  // A separator no code unit takes, so (token "ab", id "c") and (token "a", id "bc") differ.
  h1 = Math.imul(h1 ^ 0x10000, 2654435761);
  h2 = Math.imul(h2 ^ 0x10000, 1597334677);
  const length = data.length;
  if (typeof data === 'string') {
    for (let i = 0; i < length; i++) {
      let c = data.charCodeAt(i);
      if (lowerCase && c >= 65 && c <= 90) c += 32;
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
  } else {
    for (let i = 0; i < length; i++) {
      const c = data[i] as number;
      h1 = Math.imul(h1 ^ c, 2654435761);
      h2 = Math.imul(h2 ^ c, 1597334677);
    }
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  identityHash.hi = h2 >>> 0;
  // (0, 0) marks an empty slot: that one hash in 2^64 moves by one.
  identityHash.lo = (h1 | (h2 === 0 && h1 === 0 ? 1 : 0)) >>> 0;
}
