// The bounded-memory visited set: a bitstate table (Holzmann's supertrace, SPIN's -DBITSTATE).
// Each state sets HASHES bits of an m-bit array, chosen from its 64-bit fingerprint by double
// hashing; a state is taken as seen when all its bits are already set. A new state whose bits
// happen to be set by others is wrongly taken as seen and never explored: the search is no
// longer a proof, and the table estimates how many states it left out.
//
// The estimate: with n states in the table, a state never seen before finds all its bits set
// with chance p(n) = (1 - e^(-k n / m))^k (k bits per state, m bits in all, bits taken as
// independent). States arrive as new with chance 1 - p, so each state stored stands for about
// p / (1 - p) states lost at that fill; `omitted` is the sum of that over every state stored,
// and the omitted fraction is omitted / (omitted + stored). It counts the states lost directly;
// a lost state's successors that nothing else reaches are lost with it and are not counted.

/** Bits set per state (SPIN's default -k3). */
const HASHES = 3;

export class BitstateTable {
  private readonly bits: Uint32Array;
  private readonly mask: number;
  /** States stored (taken as new). */
  size = 0;
  /** Estimated states wrongly taken as seen, so far (see above). */
  omitted = 0;

  /** A table of `bytes` bytes (a power of two, at least 4). */
  constructor(bytes: number) {
    this.bits = new Uint32Array(bytes >>> 2);
    this.mask = bytes * 8 - 1;
  }

  get bytes(): number {
    return this.bits.byteLength;
  }

  /** Sets the bits of fingerprint (h, l), l odd; true if some bit was clear (a new state). */
  add(h: number, l: number): boolean {
    const bits = this.bits, mask = this.mask;
    let fresh = false;
    for (let i = 0, at = h; i < HASHES; i++, at = (at + l) | 0) {
      const b = at & mask, word = b >>> 5, bit = 1 << (b & 31);
      if ((bits[word] & bit) === 0) { bits[word] |= bit; fresh = true; }
    }
    if (!fresh) return false;
    this.size++;
    const p = (1 - Math.exp((-HASHES * this.size) / (this.mask + 1))) ** HASHES;
    this.omitted += p / (1 - p);
    return true;
  }

  /** Sets the bits of a state already known to be new (moved in from the exact table): no estimate. */
  addKnown(h: number, l: number): void {
    const bits = this.bits, mask = this.mask;
    for (let i = 0, at = h; i < HASHES; i++, at = (at + l) | 0) {
      const b = at & mask;
      bits[b >>> 5] |= 1 << (b & 31);
    }
    this.size++;
  }

  /** Estimated share of the states reached so far that were left out. */
  omittedFraction(stored: number): number {
    return this.omitted === 0 ? 0 : this.omitted / (this.omitted + stored);
  }
}
