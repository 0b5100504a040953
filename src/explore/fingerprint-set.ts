// The visited set: 64-bit fingerprints in an open-addressing table of typed arrays, as TLC keeps
// them. A state is stored as its fingerprint and a 32-bit state number; two distinct states
// with one fingerprint would be merged (a collision), so the explorer reports the chance of one.

/** 64-bit fingerprint of the first `words` 32-bit words of a buffer, as two 32-bit halves. */
export function fingerprint(w: Int32Array, words: number, out: Uint32Array): void {
  let h1 = 0x9747b28c, h2 = 0x1b873593;
  for (let i = 0; i < words; i++) {
    let k = Math.imul(w[i], 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h1 ^= k;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    let j = Math.imul(w[i] ^ 0x5bd1e995, 0x85ebca6b);
    j = (j << 17) | (j >>> 15);
    h2 = Math.imul(h2 ^ j, 0xc2b2ae35) + 0x27d4eb2f | 0;
  }
  h1 ^= words; h2 ^= words;
  h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b); h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35); h1 ^= h1 >>> 16;
  h2 = Math.imul(h2 ^ (h2 >>> 15), 0x2c1b3c6d); h2 = Math.imul(h2 ^ (h2 >>> 12), 0x297a2d39); h2 ^= h2 >>> 15;
  out[0] = h1 >>> 0;
  out[1] = (h2 >>> 0) | 1; // never 0: 0 marks an empty slot
}

export class FingerprintSet {
  /** Slots of three words, [lo, hi, id], side by side: one probe touches one cache line. */
  private slots: Uint32Array;
  private mask: number;
  size = 0;

  constructor(initialCapacity = 1 << 16) {
    let cap = 1;
    while (cap < initialCapacity) cap <<= 1;
    this.slots = new Uint32Array(cap * 3);
    this.mask = cap - 1;
  }

  /** Bytes held by the table. */
  get bytes(): number {
    return this.slots.byteLength;
  }

  /** Bytes the table will hold after `more` further inserts (it doubles when half full). */
  bytesAfter(more: number): number {
    let cap = this.mask + 1;
    while ((this.size + more) * 2 > cap) cap *= 2;
    return cap * 12;
  }

  /** Inserts a fingerprint with the given id; returns -1 if new, else the id already stored. */
  addOrGet(h: number, l: number, id: number): number {
    if ((this.size + 1) * 2 > this.mask + 1) this.grow();
    const slots = this.slots;
    let i = (h ^ Math.imul(l, 0x9e3779b1)) & this.mask;
    for (;;) {
      const at = i * 3;
      const cur = slots[at];
      if (cur === 0) {
        slots[at] = l; slots[at + 1] = h; slots[at + 2] = id;
        this.size++;
        return -1;
      }
      if (cur === l && slots[at + 1] === h) return slots[at + 2];
      i = (i + 1) & this.mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    this.slots = new Uint32Array(cap * 3);
    this.mask = cap - 1;
    // Reinsert in slot order, as addOrGet would, without its per-insert checks: no fingerprint
    // is in the table twice.
    const slots = this.slots, mask = this.mask;
    for (let from = 0; from < old.length; from += 3) {
      const l = old[from];
      if (l === 0) continue;
      const h = old[from + 1];
      let i = (h ^ Math.imul(l, 0x9e3779b1)) & mask;
      while (slots[i * 3] !== 0) i = (i + 1) & mask;
      const at = i * 3;
      slots[at] = l; slots[at + 1] = h; slots[at + 2] = old[from + 2];
    }
  }

  /**
   * Chance that some two of the stored states share a fingerprint (and one was never explored):
   * about n^2 / 2^64 for n states (the birthday bound; one bit of the 64 is fixed).
   */
  collisionProbability(): number {
    return Math.min(1, (this.size * this.size) / 2 ** 64);
  }
}
