/**
 * Counts per key for the most recently used keys only, an approximate LRU without a list: two
 * generations of at most `capacity` keys each; a key counted from the older generation moves to the
 * current one; when the current one is full it becomes the older one and the older one is
 * forgotten. So every key among the last `capacity` distinct keys keeps its count, at most
 * 2 × `capacity` are held, and each count is O(1).
 *
 * Why not a Map<string, …>: the fault engine counts every request's token (64 hex characters for
 * APNs, ~150 for FCM), each a fresh string whose hash V8 computes before a lookup that lands in a
 * table of up to 200,000 entries of scattered strings — ~0.8 µs a request, 6 % of a simulated one.
 * Here a key is its 64-bit hash (core/hash64.ts) in open-addressed typed arrays:
 * one pass over the characters and one or two cache lines, ~2.5× faster. Two keys whose 64-bit
 * hashes agree share a count: for 200,000 keys held the chance that any two do is ~1e-9.
 */
import { hash64, hashString64 } from './hash64.js';

/** One generation: slots of (hi, lo, count), hi = lo = 0 meaning empty; grown by doubling. */
class Generation {
  hi: Uint32Array;
  lo: Uint32Array;
  counts: Uint32Array;
  mask: number;
  size = 0;

  constructor(slots: number) {
    this.hi = new Uint32Array(slots);
    this.lo = new Uint32Array(slots);
    this.counts = new Uint32Array(slots);
    this.mask = slots - 1;
  }

  /** The slot holding (hi, lo), or the bitwise complement of the empty slot where it would go. */
  find(hi: number, lo: number): number {
    const his = this.hi;
    const los = this.lo;
    const mask = this.mask;
    for (let i = lo & mask; ; i = (i + 1) & mask) {
      const h = his[i] as number;
      const l = los[i] as number;
      if (h === hi && l === lo) return i;
      if (h === 0 && l === 0) return ~i;
    }
  }

  /** Forgets every key, keeping the arrays. */
  empty(): this {
    this.hi.fill(0);
    this.lo.fill(0);
    this.counts.fill(0);
    this.size = 0;
    return this;
  }

  /** The count of (hi, lo), 0 when it is not here. */
  countOf(hi: number, lo: number): number {
    const at = this.find(hi, lo);
    return at >= 0 ? (this.counts[at] as number) : 0;
  }

  /** Puts a key that is not there yet. */
  insert(hi: number, lo: number, count: number): void {
    // Half full at most, so probes stay short.
    if ((this.size + 1) * 2 > this.hi.length) this.#grow();
    this.#place(hi, lo, count);
    this.size++;
  }

  /** Writes a key that is not there yet into its empty slot. */
  #place(hi: number, lo: number, count: number): void {
    const i = ~this.find(hi, lo);
    this.hi[i] = hi;
    this.lo[i] = lo;
    this.counts[i] = count;
  }

  #grow(): void {
    const bigger = new Generation(this.hi.length * 2);
    const { hi, lo, counts } = this;
    for (let i = 0; i < hi.length; i++) {
      const h = hi[i] as number;
      const l = lo[i] as number;
      if (h !== 0 || l !== 0) bigger.#place(h, l, counts[i] as number);
    }
    ({ hi: this.hi, lo: this.lo, counts: this.counts, mask: this.mask } = bigger);
  }

}

const firstSlots = 1024;
const maxCount = 0xffff_ffff;

export class RecentCounts {
  readonly #capacity: number;
  #current = new Generation(firstSlots);
  #older: Generation | undefined;

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be an integer >= 1, got ${String(capacity)}`);
    this.#capacity = capacity;
  }

  /** Counts one more use of `key` (in the namespace `salt`) and returns its count, 1 the first time. */
  add(key: string, salt = 0): number {
    hashString64(key, salt);
    const { hi, lo } = hash64;
    const current = this.#current;
    const at = current.find(hi, lo);
    if (at >= 0) {
      // Saturates rather than wrapping to 0 (4 billion uses of one key: a day at 50,000/s).
      const count = Math.min(maxCount, (current.counts[at] as number) + 1);
      current.counts[at] = count;
      return count;
    }
    const count = Math.min(maxCount, (this.#older?.countOf(hi, lo) ?? 0) + 1);
    // (Left in the older generation too: the current one is always looked at first, and the older is dropped whole.)
    this.#put(hi, lo, count);
    return count;
  }

  /** The count of `key` (in `salt`) without counting; 0 for a key not held. */
  get(key: string, salt = 0): number {
    hashString64(key, salt);
    const { hi, lo } = hash64;
    // A key held has a count of at least 1: 0 from the current generation means look in the older one.
    return this.#current.countOf(hi, lo) || (this.#older?.countOf(hi, lo) ?? 0);
  }

  /** Keys held now (both generations; a key moved to the current one is counted in both until the older goes): at most 2 × capacity. */
  get size(): number {
    return this.#current.size + (this.#older?.size ?? 0);
  }

  clear(): void {
    this.#current = new Generation(firstSlots);
    this.#older = undefined;
  }

  #put(hi: number, lo: number, count: number): void {
    if (this.#current.size >= this.#capacity) {
      // The forgotten generation's arrays, emptied, hold the new one (already grown to the size it needs).
      const forgotten = this.#older;
      this.#older = this.#current;
      this.#current = forgotten === undefined ? new Generation(firstSlots) : forgotten.empty();
    }
    this.#current.insert(hi, lo, count);
  }
}
