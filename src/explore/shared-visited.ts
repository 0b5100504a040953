// The parallel search's visited set (parallel.ts): 64-bit fingerprints in an open-addressing
// table in shared memory that the workers insert into themselves, each with the key of its
// first discovery in breadth-first order.
//
// Breadth-first, the sequential search stores a state when it first reaches it, and it reaches
// states in the order of (parent's number, move index). So every discovery carries the key
// parent * MOVES + move + 1, and a slot keeps the least key over all discoveries of its state
// (a compare-and-swap loop). The main thread replays the workers' events in frontier order:
// when it comes to a discovery, every earlier one has been inserted, so the discovery is the
// one that stores the state iff the slot still holds its own key. It then sets the key to
// STORED (0), below every discovery's. A discovery whose key a smaller one already beat is not
// sent at all. Keys of discoveries never merged (a chunk computed too early and sent again)
// are reset to NONE (resetUnmerged) before it is sent again.
//
// A slot is three words, [l, h, key]; l is odd (Zobrist), so 0 marks an empty slot and CLAIMING
// one being written. Keys are 32-bit: the search checks `keyFits` before it hands out a parent.

/** The key of a state stored: below every discovery's. */
const STORED = 0;
/** The key of a claimed slot whose discoveries were all given up: it holds no state. */
const NONE = 0xffffffff;
/** l while the claiming thread writes h and the key (l is always odd). */
const CLAIMING = 2;
/** Largest share of slots claimed before the table grows, as FingerprintSet's MAX_LOAD. */
const MAX_LOAD = 0.6;

/** The key of move `move` of the state numbered `parent`, a state having at most `moves` moves. */
export const discoveryKey = (parent: number, moves: number, move: number) => parent * moves + move + 1;

/** True while every key of a parent up to `parent` fits in 32 bits below NONE. */
export const keyFits = (parent: number, moves: number) => discoveryKey(parent, moves, moves) < NONE - 1;

export class SharedVisited {
  /** Slots of [l, h, key], then one word: the slots claimed. Replaced when the table grows. */
  buffer!: SharedArrayBuffer;
  private words!: Uint32Array;
  private mask = 0;
  private usedAt = 0;

  /** The table in `buffer` (made by another SharedVisited, maybe in another thread). */
  constructor(buffer: SharedArrayBuffer) {
    this.use(buffer);
  }

  /** An empty table of `slots` slots (a power of two). */
  static create(slots = 1 << 16): SharedVisited {
    return new SharedVisited(new SharedArrayBuffer((slots * 3 + 1) * 4));
  }

  private use(buffer: SharedArrayBuffer): void {
    this.buffer = buffer;
    this.words = new Uint32Array(buffer);
    this.usedAt = this.words.length - 1;
    this.mask = this.usedAt / 3 - 1;
  }

  get capacity(): number {
    return this.mask + 1;
  }

  /** Slots claimed (states stored, discoveries in flight, and given-up ones). */
  get claimed(): number {
    return Atomics.load(this.words, this.usedAt);
  }

  /** States stored, counted by the one thread that stores them (markStored). */
  size = 0;

  get bytes(): number {
    return this.words.byteLength;
  }

  /** Claims may go up to this many before the table must grow. */
  get limit(): number {
    return Math.floor(this.capacity * MAX_LOAD);
  }

  /** The slots the table needs to take `more` further claims (it doubles past MAX_LOAD). */
  private capacityFor(more: number, cap = this.capacity): number {
    while (this.claimed + more > Math.floor(cap * MAX_LOAD)) cap *= 2;
    return cap;
  }

  /** Bytes the table will hold after `more` further claims. */
  bytesAfter(more: number): number {
    return (this.capacityFor(more) * 3 + 1) * 4;
  }

  /**
   * The slot of (h, l), claimed if it was not there, with `key` put in if it is below the one
   * held. The slot, or -1 when a discovery with a smaller key (or the stored state) holds it.
   */
  discover(h: number, l: number, key: number): number {
    const w = this.words, mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const at = i * 3;
      let cur = Atomics.load(w, at);
      if (cur === 0) {
        cur = Atomics.compareExchange(w, at, 0, CLAIMING);
        if (cur === 0) {
          w[at + 1] = h; w[at + 2] = key;
          // The store of l publishes h and the key to the threads that load l.
          Atomics.store(w, at, l);
          Atomics.add(w, this.usedAt, 1);
          return i;
        }
      }
      while (cur === CLAIMING) cur = Atomics.load(w, at);
      if (cur !== l || w[at + 1] !== h) continue;
      for (let held = Atomics.load(w, at + 2); key < held;) {
        const was = Atomics.compareExchange(w, at + 2, held, key);
        if (was === held) return i;
        held = was;
      }
      return Atomics.load(w, at + 2) === key ? i : -1;
    }
  }

  /** The main thread, merging in frontier order: the discovery with `key` is the one that stores slot `slot`'s state. */
  storesAt(slot: number, key: number): boolean {
    return Atomics.load(this.words, slot * 3 + 2) === key;
  }

  markStored(slot: number): void {
    Atomics.store(this.words, slot * 3 + 2, STORED);
    this.size++;
  }

  /** Stores (h, l) from the one thread running the search (no worker busy); true if it was not stored. */
  add(h: number, l: number): boolean {
    if (this.claimed >= this.limit) this.grow(1);
    // Above every discovery's key (keyFits), below NONE.
    const slot = this.discover(h, l, NONE - 1);
    if (slot < 0) return false;
    this.markStored(slot);
    return true;
  }

  /** True if (h, l) is stored (key STORED); for the workers once the search no longer inserts. */
  stored(h: number, l: number): boolean {
    const w = this.words, mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const at = i * 3, cur = Atomics.load(w, at);
      if (cur === 0) return false;
      if (cur === l && w[at + 1] === h) return Atomics.load(w, at + 2) === STORED;
    }
  }

  /** Every stored fingerprint, in slot order, as (h, l). */
  forEach(f: (h: number, l: number) => void): void {
    const w = this.words;
    for (let at = 0; at < this.usedAt; at += 3) if (w[at] !== 0 && w[at + 2] === STORED) f(w[at + 1], w[at]);
  }

  /** Discoveries not merged are given up (no worker busy): their slots hold no state until discovered again. */
  resetUnmerged(): void {
    const w = this.words;
    for (let at = 0; at < this.usedAt; at += 3) if (w[at] !== 0 && w[at + 2] !== STORED) w[at + 2] = NONE;
  }

  /**
   * A new buffer of twice the slots or more, with room for `more` further claims, holding the
   * stored states only (no worker busy: discoveries not merged are dropped); workers take it
   * with their next chunk.
   */
  grow(more: number): void {
    const old = this.words, oldEnd = this.usedAt;
    this.use(new SharedArrayBuffer((this.capacityFor(more, this.capacity * 2) * 3 + 1) * 4));
    const w = this.words, mask = this.mask;
    let n = 0;
    for (let from = 0; from < oldEnd; from += 3) {
      if (old[from] === 0 || old[from + 2] !== STORED) continue;
      let i = old[from + 1] & mask;
      while (w[i * 3] !== 0) i = (i + 1) & mask;
      w[i * 3] = old[from]; w[i * 3 + 1] = old[from + 1];
      n++;
    }
    w[this.usedAt] = n;
  }
}
