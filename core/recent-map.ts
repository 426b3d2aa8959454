/**
 * A map that remembers its most recently used keys only: two generations of at most `capacity`
 * keys each. A key read from the older generation moves to the current one; when the current one
 * is full it becomes the older one and the older one is forgotten. So at most 2 × `capacity` keys
 * are held, every key used among the last `capacity` distinct keys is kept, and each operation is
 * O(1) — an approximate LRU without a linked list per entry (the same two-generation scheme as the
 * ledger's identities, simulator/ledger/identities.ts).
 */
export class RecentMap<K, V> {
  readonly #capacity: number;
  #current = new Map<K, V>();
  #older = new Map<K, V>();

  constructor(capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be an integer >= 1, got ${String(capacity)}`);
    this.#capacity = capacity;
  }

  get(key: K): V | undefined {
    const value = this.#current.get(key);
    if (value !== undefined) return value;
    const old = this.#older.get(key);
    if (old === undefined) return undefined;
    this.#older.delete(key);
    this.#put(key, old);
    return old;
  }

  set(key: K, value: V): void {
    if (this.#current.has(key)) this.#current.set(key, value);
    else {
      this.#older.delete(key);
      this.#put(key, value);
    }
  }

  /** Keys held now (both generations): at most 2 × capacity. */
  get size(): number {
    return this.#current.size + this.#older.size;
  }

  clear(): void {
    this.#current = new Map();
    this.#older = new Map();
  }

  #put(key: K, value: V): void {
    if (this.#current.size >= this.#capacity) {
      this.#older = this.#current;
      this.#current = new Map();
    }
    this.#current.set(key, value);
  }
}
