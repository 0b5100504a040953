// The frontier of the search: states stored back to back in large chunks of 32-bit words, each
// with its state number, depth and fingerprint (its successors' fingerprints start from it), used as a FIFO (breadth-first) or a LIFO (depth-first).
// Consumed chunks are dropped, so memory follows the frontier, not the whole search.
// States are copied word by word: a subarray per push would allocate in the hottest loop.

const HEADER = 4; // words: state number, depth, fingerprint (two words)

export class StateQueue {
  private chunks: (Int32Array | undefined)[] = [];
  /** Consumed chunks kept for reuse: fresh memory costs page faults on every first write. */
  private spare: Int32Array[] = [];
  private headChunk = 0;
  private headAt = 0;
  private tailAt = 0;
  private readonly record: number;
  private readonly perChunk: number;
  length = 0;
  peakBytes = 0;

  /** `words`: state size in 32-bit words. */
  constructor(private readonly words: number, private readonly lifo: boolean, chunkBytes = 1 << 24) {
    this.record = HEADER + words;
    this.perChunk = Math.max(1, Math.floor(chunkBytes / 4 / this.record));
  }

  get bytes(): number {
    return (this.chunks.length - this.headChunk) * this.perChunk * this.record * 4;
  }

  push(state: Int32Array, id: number, depth: number, h = 0, l = 0): void {
    if (this.chunks.length === 0 || this.tailAt === this.perChunk) {
      this.chunks.push(this.spare.pop() ?? new Int32Array(this.perChunk * this.record));
      this.tailAt = 0;
      if (this.bytes > this.peakBytes) this.peakBytes = this.bytes;
    }
    const c = this.chunks[this.chunks.length - 1]!;
    let at = this.tailAt * this.record;
    c[at] = id;
    c[at + 1] = depth;
    c[at + 2] = h;
    c[at + 3] = l;
    c.set(state, at + HEADER); // `state` is exactly `words` long
    this.tailAt++;
    this.length++;
  }

  /** Copies the next state into `out` and its number, depth and fingerprint into `meta` (4 words). */
  pop(out: Int32Array, meta: Uint32Array): void {
    let c: Int32Array, at: number;
    if (this.lifo) {
      if (this.tailAt === 0) { this.recycle(this.chunks.pop()!); this.tailAt = this.perChunk; }
      c = this.chunks[this.chunks.length - 1]!;
      this.tailAt--;
      at = this.tailAt * this.record;
    } else {
      c = this.chunks[this.headChunk]!;
      at = this.headAt * this.record;
      if (++this.headAt === this.perChunk) {
        this.recycle(c);
        this.chunks[this.headChunk] = undefined;
        this.headChunk++;
        this.headAt = 0;
      }
    }
    meta[0] = c[at];
    meta[1] = c[at + 1];
    meta[2] = c[at + 2];
    meta[3] = c[at + 3];
    const words = this.words;
    at += HEADER;
    for (let i = 0; i < words; i++) out[i] = c[at + i];
    this.length--;
  }

  private recycle(c: Int32Array): void {
    if (this.spare.length < 2) this.spare.push(c);
  }
}
