// One worker of the parallel search (parallel.ts): it expands a chunk of frontier states exactly
// as the sequential search would, and writes what happened, move by move, as a stream of events
// that the main thread replays in frontier order (so states are numbered as the sequential search
// numbers them).
//
// The worker is a `Search` whose own bookkeeping stands in for the main thread's: it records the
// violations the sequential search would record whatever the visited set holds (step, per-move,
// deadlock and outcome checks), so later moves see the same properties still active. Each
// successor goes into the shared visited set with the key of its discovery (shared-visited.ts);
// only one whose key is the least so far may be new and is sent, with its slot. What the worker
// cannot know is whether it is new; only then does the sequential search check the invariants on
// it and, on a violation, record it. The worker checks them on every successor it sends and leaves
// the recording to the main thread; if the main thread records one, the rest of the chunk was
// computed with a property too many and is done again (`forced`).

import type { Property, Violation } from '../../properties/types.ts';
import type { System } from '../../model/system.ts';
import { Checker } from '../engine/checker.ts';
import { Search, readsAlongTheWay } from './search.ts';
import type { Symmetry } from './symmetry.ts';
import { outcomeKey } from './outcomes.ts';
import { discoveryKey, type SharedVisited } from './shared-visited.ts';

/** Event codes, each followed by its operands (words of an Int32Array). */
export const EV = {
  /** parent index in the chunk */
  PARENT: 1,
  /** thread: a move was made (the sequential search counts a transition) */
  MOVE: 2,
  /** coverage cell: a model step run for the first time in this chunk */
  STEP: 3,
  /** lifecycle cell taken for the first time in this chunk (sent before the parent's END) */
  LIFE: 4,
  /** violation index, from, thread, at: recorded as the sequential search records it */
  RECORD: 5,
  /** thread, slot in the shared visited set (-1 without one), h, l, the index and number of the invariant violations on it, then the state's words: a successor that may be new */
  SUCC: 6,
  /** outcome key index: a finished state */
  OUTCOME: 7,
  /** reduced (0 or 1): the parent's expansion ended */
  END: 8,
} as const;

/**
 * The words of the signal the main thread and its workers share (parallel.ts, search-worker.ts): [ANSWERS] raised after each answer; [EPOCH] raised when the chunks sent
 * so far are no longer wanted; [LOADED] workers loaded; per worker i, [heartbeat(i)] raised as it
 * works and [exited(i)] its exit code + 1 once it ended.
 */
export const SIGNAL = { ANSWERS: 0, EPOCH: 1, LOADED: 2, heartbeat: (i: number) => 3 + 2 * i, exited: (i: number) => 4 + 2 * i } as const;
export const signalWords = (workers: number) => 3 + 2 * workers;

/** Words before a parent's state in a chunk: state number, depth, fingerprint (two words), as in the frontier (state-queue.ts). */
export const PARENT_HEADER = 4;

/**
 * The successors reached in this chunk, when the search has no shared visited set (bitstate
 * mode): a table kept from chunk to chunk and emptied (a new table a chunk, growing as it filled,
 * cost the workers a collection every few chunks).
 */
class ChunkSet {
  private slots = new Uint32Array(0);
  private mask = 0;

  /** Empties the table, with room for `n` fingerprints at most half full. */
  reset(n: number): void {
    let cap = 1 << 10;
    while (cap < 2 * n) cap <<= 1;
    if (cap * 2 > this.slots.length) this.slots = new Uint32Array(cap * 2);
    else this.slots.fill(0);
    this.mask = (this.slots.length >> 1) - 1;
  }

  /** Adds (h, l); true if it was not there. */
  add(h: number, l: number): boolean {
    const slots = this.slots, mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const at = i << 1, cur = slots[at];
      if (cur === 0) { slots[at] = l; slots[at + 1] = h; return true; }
      if (cur === l && slots[at + 1] === h) return false;
    }
  }
}

export interface ChunkResult {
  /** The events, in the first `length` words (the buffer goes back and forth, never copied). */
  events: Int32Array;
  length: number;
  /** The chunk's parents, handed back. */
  parents: Int32Array;
  violations: Violation[];
  keys: string[];
  /** The chunk was given up because the main thread no longer needs it. */
  aborted: boolean;
}

const NONE: readonly number[] = [];

export class WorkerSearch extends Search {
  private ev = new Int32Array(0);
  private n = 0;
  private violations: Violation[] = [];
  private keys: string[] = [];
  /** Move numbers (within the first parent) at which the main thread recorded the successor's invariant violation. */
  private forced: readonly number[] = [];
  private moveIndex = 0;
  private readonly local = new ChunkSet();
  private table: SharedVisited | null = null;
  private readonly seenLife: Uint8Array;
  /** The lifecycle marks and what was sent of them, as words: the scan per parent compares four cells at once. */
  private readonly lifeWords: Int32Array;
  private readonly seenWords: Int32Array;
  private readonly pendingSteps: number[] = [];

  constructor(sys: System, properties: readonly Property[], sym: Symmetry | null, o: ConstructorParameters<typeof Search>[3]) {
    super(sys, properties, sym, o);
    const cells = this.k.lifeCoverage!.length, padded = (cells + 3) & ~3;
    this.k.lifeCoverage = new Uint8Array(padded).subarray(0, cells);
    this.seenLife = new Uint8Array(padded);
    this.lifeWords = new Int32Array(this.k.lifeCoverage.buffer);
    this.seenWords = new Int32Array(this.seenLife.buffer);
    // Steps run for the first time in this chunk are sent with their move.
    const observe = this.observe;
    (this as { observe: Search['observe'] }).observe = (step, ctx, program, returnedOp, cov) => {
      if (this.stepsRun[cov] === 0) this.pendingSteps.push(cov);
      return observe(step, ctx, program, returnedOp, cov);
    };
  }

  /** A buffer for the next chunk's events (one the main thread has read). */
  giveBuffer(b: ArrayBuffer): void {
    if (b.byteLength > this.ev.byteLength) this.ev = new Int32Array(b);
  }

  /** An event of one operand (most are): no array per call, as the hottest path calls it per move. */
  private emit(code: number, a: number): void {
    this.room(2);
    this.ev[this.n++] = code;
    this.ev[this.n++] = a;
  }

  private room(more: number): void {
    if (this.n + more <= this.ev.length) return;
    let size = this.ev.length * 2;
    while (size < this.n + more) size *= 2;
    const ev = new Int32Array(size);
    ev.set(this.ev.subarray(0, this.n));
    this.ev = ev;
  }

  /** What startFrom derives from a found set, by the set: chunks mostly start from the same one. */
  private readonly starts = new Map<string, Pick<Search, 'active' | 'perTransition' | 'checker' | 'needsProviso'>>();

  /** The properties found so far are `foundIds` (the main thread's, in its order), nothing else. */
  private startFrom(foundIds: readonly string[]): void {
    this.found.clear();
    for (const id of foundIds) this.found.set(id, { violation: { propertyId: id, message: '' }, from: -1, thread: 0, at: -1 });
    this.stopped = false;
    const key = foundIds.join('\n');
    let start = this.starts.get(key);
    if (start === undefined) {
      const active = this.properties.filter((p) => !this.found.has(p.id));
      start = {
        active, perTransition: active.filter((p) => p.kind === 'invariant' && p.everyTransition),
        checker: new Checker(this.sys, active), needsProviso: active.some(readsAlongTheWay),
      };
      this.starts.set(key, start);
    }
    this.active = start.active;
    this.perTransition = start.perTransition;
    this.checker = start.checker;
    this.needsProviso = start.needsProviso;
  }

  /**
   * Expands `count` parents (each PARENT_HEADER words and the state), stopping early if the
   * search stops or `abandoned()` says the main thread no longer wants the chunk. `table` is the
   * shared visited set, null once the search went on with a bitstate table (the main thread then
   * tells new states from old ones alone).
   */
  runChunk(parents: Int32Array, count: number, foundIds: readonly string[], forced: readonly number[], table: SharedVisited | null, abandoned: () => boolean): ChunkResult {
    this.startFrom(foundIds);
    if (this.ev.length === 0) this.ev = new Int32Array(1 << 16);
    this.n = 0;
    this.violations = [];
    this.keys = [];
    // At most one successor per thread per parent.
    if (table === null) this.local.reset(count * Math.max(1, this.T));
    this.table = table;
    this.stepsRun.fill(0);
    this.k.lifeCoverage!.fill(0);
    this.seenLife.fill(0);
    const words = this.words, record = PARENT_HEADER + words;
    let aborted = false;
    for (let p = 0; p < count && !this.stopped; p++) {
      if ((p & 15) === 15 && abandoned()) { aborted = true; break; }
      const at = p * record;
      const id = parents[at], depth = parents[at + 1];
      this.meta[0] = id; this.meta[1] = depth; this.meta[2] = parents[at + 2]; this.meta[3] = parents[at + 3];
      for (let i = 0; i < words; i++) this.curWords[i] = parents[at + PARENT_HEADER + i];
      this.forced = p === 0 ? forced : NONE;
      this.moveIndex = 0;
      this.emit(EV.PARENT, p);
      const reduced = this.reducedStates;
      this.expand(id, depth);
      this.lifeTaken();
      this.emit(EV.END, this.reducedStates - reduced);
    }
    const events = this.ev;
    this.ev = new Int32Array(0);
    return { events, length: this.n, parents, violations: this.violations, keys: this.keys, aborted };
  }

  /**
   * Lifecycle moves taken for the first time in this chunk, sent once per parent (a scan per
   * move cost a third of the worker's time). A parent cut short by the main thread is expanded
   * again whole, so these always cover exactly the moves merged.
   */
  private lifeTaken(): void {
    const life = this.k.lifeCoverage!, seen = this.seenLife, words = this.lifeWords, seenWords = this.seenWords;
    for (let w = 0; w < words.length; w++) {
      if (words[w] === seenWords[w]) continue;
      for (let c = w << 2; c < (w << 2) + 4 && c < life.length; c++) if (life[c] !== seen[c]) { seen[c] = 1; this.emit(EV.LIFE, c); }
    }
  }

  override record(v: Violation, from: number, thread: number, at: number): void {
    const before = this.found.size;
    super.record(v, from, thread, at);
    if (this.found.size === before) return;
    this.violations.push(v);
    this.room(5);
    const ev = this.ev;
    ev[this.n++] = EV.RECORD; ev[this.n++] = this.violations.length - 1; ev[this.n++] = from; ev[this.n++] = thread; ev[this.n++] = at;
  }

  /** As Search.afterMove, but a successor that may be new is sent, not stored. */
  protected override afterMove(id: number, t: number, _depth: number): void {
    const move = this.moveIndex++;
    this.emit(EV.MOVE, t);
    const steps = this.pendingSteps;
    if (steps.length > 0) {
      for (let i = 0; i < steps.length; i++) this.emit(EV.STEP, steps[i]);
      steps.length = 0;
    }
    const { k, fp } = this;
    this.judgeMove(id, t);
    if (this.forced.includes(move)) {
      // The main thread found it new and recorded its violation (it merged this move already):
      // so does this search now.
      k.s = this.canon;
      for (const v of this.checker.violationsAfterTransition(k, this.moveChange(), true)) super.record(v, id, t, -1);
      return;
    }
    // Reached before by a discovery that comes first in breadth-first order: not new.
    let slot = -1;
    if (this.table !== null) {
      slot = this.table.discover(fp[0], fp[1], discoveryKey(id, this.T, move));
      if (slot < 0) return;
    } else if (!this.local.add(fp[0], fp[1])) return;
    k.s = this.canon;
    // Every invariant violated here, in property order: the main thread records them all, as the
    // sequential search does. The parent passed every invariant this worker still asks (it was
    // checked with these or more, and each one it broke is found), so, as there, those that read
    // none of the bytes the move wrote are skipped.
    const vs = this.checker.violationsAfterTransition(k, this.moveChange(), true);
    const vi = this.violations.length;
    for (const v of vs) this.violations.push(v);
    const words = this.words;
    this.room(7 + words);
    const ev = this.ev;
    let n = this.n;
    ev[n++] = EV.SUCC; ev[n++] = t; ev[n++] = slot; ev[n++] = fp[0]; ev[n++] = fp[1]; ev[n++] = vi; ev[n++] = vs.length;
    const canon = this.canonWords;
    for (let i = 0; i < words; i++) ev[n++] = canon[i];
    this.n = n;
  }

  protected override finished(id: number): void {
    const v = this.checker.atEnd(this.k);
    if (v) this.record(v, -1, 0, id);
    if (this.o.outcomes) {
      this.keys.push(outcomeKey(this.sys, this.cur));
      this.emit(EV.OUTCOME, this.keys.length - 1);
    }
  }
}
