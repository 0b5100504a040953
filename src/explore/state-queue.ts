// The frontier of the search: states stored back to back in chunks of 32-bit words, each with
// its state number, depth and fingerprint (its successors' fingerprints start from it), used as
// a FIFO (breadth-first) or a LIFO (depth-first).
// Chunks grow from small to large (a search of a few hundred states should not zero 16 MB) and
// consumed ones are dropped, so memory follows the frontier, not the whole search.
// States are copied word by word: a subarray per push would allocate in the hottest loop.

const HEADER = 4; // words: state number, depth, fingerprint (two words)

export class StateQueue {
  private chunks: (Int32Array | undefined)[] = [];
  /** Consumed chunks of the largest size, kept for reuse: fresh memory costs page faults on every first write. */
  private spare: Int32Array[] = [];
  private headChunk = 0;
  private headAt = 0;
  private tailAt = 0;
  /** Records the tail chunk holds. */
  private tailCap = 0;
  private readonly record: number;
  private readonly maxPerChunk: number;
  /** Words in the chunks not yet consumed. */
  private liveWords = 0;
  length = 0;
  peakBytes = 0;

  /** `words`: state size in 32-bit words; chunks grow to `chunkBytes`. */
  constructor(private readonly words: number, private readonly lifo: boolean, chunkBytes = 1 << 24) {
    this.record = HEADER + words;
    this.maxPerChunk = Math.max(1, Math.floor(chunkBytes / 4 / this.record));
  }

  get bytes(): number {
    return this.liveWords * 4;
  }

  /** Records in a chunk. */
  private cap(c: Int32Array): number {
    return c.length / this.record;
  }

  private addChunk(): void {
    // Each chunk twice the last, from 256 records up to the largest size.
    const want = Math.min(this.maxPerChunk, Math.max(256, 2 * this.tailCap));
    const c = want === this.maxPerChunk && this.spare.length > 0 ? this.spare.pop()! : new Int32Array(want * this.record);
    this.chunks.push(c);
    this.tailAt = 0;
    this.tailCap = want;
    this.liveWords += c.length;
    if (this.bytes > this.peakBytes) this.peakBytes = this.bytes;
  }

  push(state: Int32Array, id: number, depth: number, h = 0, l = 0): void {
    if (this.chunks.length === 0 || this.tailAt === this.tailCap) this.addChunk();
    const c = this.chunks[this.chunks.length - 1]!;
    const at = this.tailAt * this.record;
    c[at] = id;
    c[at + 1] = depth;
    c[at + 2] = h;
    c[at + 3] = l;
    c.set(state, at + HEADER); // `state` is exactly `words` long
    this.tailAt++;
    this.length++;
  }

  /** push() of the state at `src[from..]`: no copy of it in between. */
  pushFrom(src: Int32Array, from: number, id: number, depth: number, h: number, l: number): void {
    if (this.chunks.length === 0 || this.tailAt === this.tailCap) this.addChunk();
    const c = this.chunks[this.chunks.length - 1]!, words = this.words;
    let at = this.tailAt * this.record;
    c[at++] = id; c[at++] = depth; c[at++] = h; c[at++] = l;
    for (let i = 0; i < words; i++) c[at + i] = src[from + i];
    this.tailAt++;
    this.length++;
  }

  /** The next record, whole (number, depth, fingerprint, state), copied to `out[at..]` (breadth-first only). */
  popRecord(out: Int32Array, at: number): void {
    const c = this.chunks[this.headChunk]!, record = this.record;
    const from = this.headAt * record;
    for (let i = 0; i < record; i++) out[at + i] = c[from + i];
    if (++this.headAt === this.cap(c)) {
      this.recycle(c);
      this.chunks[this.headChunk] = undefined;
      this.headChunk++;
      this.headAt = 0;
    }
    this.length--;
  }

  /** Copies the next state into `out` and its number, depth and fingerprint into `meta` (4 words). */
  pop(out: Int32Array, meta: Uint32Array): void {
    let c: Int32Array, at: number;
    if (this.lifo) {
      if (this.tailAt === 0) {
        this.recycle(this.chunks.pop()!);
        this.tailCap = this.cap(this.chunks[this.chunks.length - 1]!);
        this.tailAt = this.tailCap;
      }
      c = this.chunks[this.chunks.length - 1]!;
      this.tailAt--;
      at = this.tailAt * this.record;
    } else {
      c = this.chunks[this.headChunk]!;
      at = this.headAt * this.record;
      if (++this.headAt === this.cap(c)) {
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
    this.liveWords -= c.length;
    if (this.spare.length < 2 && this.cap(c) === this.maxPerChunk) this.spare.push(c);
  }
}
