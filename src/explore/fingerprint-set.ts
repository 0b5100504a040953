// The visited set: 64-bit fingerprints in an open-addressing table of typed arrays, as TLC keeps
// them. Two distinct states with one fingerprint would be merged (a collision), so the explorer
// reports the chance of one.
//
// The fingerprint is Zobrist's: a table holds a random 64-bit value for each (byte offset, byte
// value), value 0 mapped to 0, and a state's fingerprint is the XOR of its bytes' entries. A
// step changes a few bytes, so a successor's fingerprint is its parent's with those bytes'
// entries XOR'd out and in: the kernel view does it as it writes (Kernel.zobrist), or `update`
// finds the bytes by comparing the two states word by word.
// With random table entries two distinct states differ in some byte, whose two entries are
// independent and uniform: a pair collides with chance 2^-64 (2^-63 with the bit we fix).

/** A deterministic stream of 32-bit values (mulberry32): the table is the same on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/**
 * The tables made so far, by seed and size: filling one takes 2 x 255 draws a byte (a few ms),
 * which a run of many small searches (the tests, outcome diffs) would pay each time. A table is
 * only read once made.
 */
const tables = new Map<string, Uint32Array>();

function zobristTable(words: number, seed: number): Uint32Array {
  const key = `${seed}:${words}`;
  let table = tables.get(key);
  if (table) return table;
  const next = mulberry32(seed);
  table = new Uint32Array(words * 4 * 512);
  for (let at = 0; at < words * 4; at++) {
    for (let v = 1; v < 256; v++) {
      table[(at << 9) | (v << 1)] = next();
      table[(at << 9) | (v << 1) | 1] = next();
    }
  }
  tables.set(key, table);
  return table;
}

/** Zobrist entries for a state of `words` 32-bit words: table[(byte << 9) | (value << 1) | half]. */
export class Zobrist {
  readonly table: Uint32Array;

  constructor(readonly words: number, seed = 0x5eed1) {
    this.table = zobristTable(words, seed);
  }

  /** The fingerprint of a whole state, as [h, l]; l is never 0 (0 marks an empty slot). */
  full(w: Int32Array, out: Uint32Array): void {
    const T = this.table;
    let h = 0, l = 0;
    for (let i = 0; i < this.words; i++) {
      const x = w[i];
      if (x === 0) continue;
      for (let j = 0; j < 4; j++) {
        const v = (x >>> (j << 3)) & 0xff;
        if (v === 0) continue;
        const at = ((i << 2) + j) << 9 | (v << 1);
        h ^= T[at]; l ^= T[at | 1];
      }
    }
    out[0] = h >>> 0;
    out[1] = (l | 1) >>> 0;
  }

  /**
   * The fingerprint of `to` from that of `from` (h, l, as `full` gives it): the bytes that differ
   * XOR their entries out and in.
   */
  update(fromH: number, fromL: number, from: Int32Array, to: Int32Array, out: Uint32Array): void {
    const T = this.table;
    let h = fromH, l = fromL & ~1;
    for (let i = 0; i < this.words; i++) {
      const a = from[i], b = to[i];
      if (a === b) continue;
      for (let j = 0; j < 4; j++) {
        const x = (a >>> (j << 3)) & 0xff, y = (b >>> (j << 3)) & 0xff;
        if (x === y) continue;
        const at = ((i << 2) + j) << 9;
        h ^= T[at | (x << 1)] ^ T[at | (y << 1)];
        l ^= T[at | (x << 1) | 1] ^ T[at | (y << 1) | 1];
      }
    }
    out[0] = h >>> 0;
    out[1] = (l | 1) >>> 0;
  }
}

/** What the search needs of its exact visited set: FingerprintSet, or the parallel search's SharedVisited. */
export interface VisitedSet {
  readonly size: number;
  readonly bytes: number;
  bytesAfter(more: number): number;
  /** Adds a fingerprint; true if it was not there. */
  add(h: number, l: number): boolean;
  forEach(f: (h: number, l: number) => void): void;
}

/** Largest share of slots in use before the table doubles: linear probing stays short. */
const MAX_LOAD = 0.6;

export class FingerprintSet {
  /** Slots of two words, [l, h], side by side: one probe touches one cache line. */
  private slots: Uint32Array;
  private mask: number;
  private limit: number;
  size = 0;

  constructor(initialCapacity = 1 << 16) {
    let cap = 1;
    while (cap < initialCapacity) cap <<= 1;
    this.slots = new Uint32Array(cap * 2);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * MAX_LOAD);
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Bytes the table will hold after `more` further inserts (it doubles past MAX_LOAD). */
  bytesAfter(more: number): number {
    let cap = this.mask + 1;
    while (this.size + more > Math.floor(cap * MAX_LOAD)) cap *= 2;
    return cap * 8;
  }

  /** Adds a fingerprint (l odd, as `Zobrist` makes it); true if it was not there. */
  add(h: number, l: number): boolean {
    if (this.size >= this.limit) this.grow();
    const slots = this.slots, mask = this.mask;
    // Zobrist bits are uniform: the low bits of h are a good slot number as they are.
    let i = h & mask;
    for (;;) {
      const at = i << 1;
      const cur = slots[at];
      if (cur === 0) {
        slots[at] = l; slots[at + 1] = h;
        this.size++;
        return true;
      }
      if (cur === l && slots[at + 1] === h) return false;
      i = (i + 1) & mask;
    }
  }

  /** Every stored fingerprint, in slot order, as (h, l). */
  forEach(f: (h: number, l: number) => void): void {
    const slots = this.slots;
    for (let at = 0; at < slots.length; at += 2) if (slots[at] !== 0) f(slots[at + 1], slots[at]);
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    this.slots = new Uint32Array(cap * 2);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * MAX_LOAD);
    // Reinsert in slot order, as add would, without its per-insert checks: no fingerprint is in
    // the table twice.
    const slots = this.slots, mask = this.mask;
    for (let from = 0; from < old.length; from += 2) {
      const l = old[from];
      if (l === 0) continue;
      const h = old[from + 1];
      let i = h & mask;
      while (slots[i << 1] !== 0) i = (i + 1) & mask;
      slots[i << 1] = l; slots[(i << 1) + 1] = h;
    }
  }

  collisionProbability(): number {
    return collisionProbability(this.size);
  }
}

/**
 * Chance that some two of n stored states share a fingerprint (and one was never explored):
 * about n^2 / 2^64 (the birthday bound over 63 free bits; one bit of the 64 is fixed).
 */
export function collisionProbability(n: number): number {
  return Math.min(1, (n * n) / 2 ** 64);
}

/**
 * The fingerprints probed most recently, in a small direct-mapped table that stays in cache.
 * Breadth-first, the two orders of two independent moves reach one state within a few
 * expansions of each other, so most revisits are found here without the probe of the large
 * table, which misses the processor's caches nearly every time. Only fingerprints already
 * in the visited set are put here, so a hit is always a revisit.
 */
export class RecentFingerprints {
  private readonly slots: Uint32Array;
  private readonly mask: number;

  constructor(bits = 15) {
    this.slots = new Uint32Array(2 << bits);
    this.mask = (1 << bits) - 1;
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  /** True if (h, l) is here; if not, it takes the slot (the caller adds it to the visited set). */
  seen(h: number, l: number): boolean {
    // The visited set numbers its slots by the low bits of h; these use higher ones.
    const at = ((h >>> 12) & this.mask) << 1;
    if (this.slots[at] === l && this.slots[at + 1] === h) return true;
    this.slots[at] = l; this.slots[at + 1] = h;
    return false;
  }
}
