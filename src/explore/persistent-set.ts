// Partial-order reduction: at each state, the threads whose moves the search must try, a
// persistent set (Godefroid 1996, ch. 4; Valmari's stubborn sets), computed from the step
// footprints (model/footprint.ts).
//
// Two steps of different threads are independent when their footprints do not conflict (same
// location and socket, one of them writing; a lock word is a field, so a step that takes or
// drops a lock conflicts with every step that waits on it: enabling and disabling by a lock is a
// conflict). Independent steps commute and neither enables nor disables the other.
//
// The set: start from one enabled thread; add every unfinished thread whose remaining steps
// (every step of its current and later ops, reached or not) may conflict with the next step of a
// thread in the set, until nothing is added. No sequence of moves by the threads left out can
// then touch what the next steps in the set touch, nor wake a thread of the set that waits on a
// lock: the enabled next steps in the set are a persistent set. Of the sets the enabled threads
// give as seeds, the smallest is taken (the lowest seed on a tie).
//
// Whether the set may be used (the visibility proviso) is decided by search.ts, which sees what
// each move changed (visibility.ts).

import { conflicts, heldBefore } from '../../model/footprint.ts';
import type { Access, Ctx, Step } from '../../model/program.ts';
import { TH } from '../../model/state.ts';
import type { System } from '../../model/system.ts';
import { PROPERTY_READS } from './visibility.ts';

/** Thread masks are 32-bit integers. */
const MAX_THREADS = 31;

/** Fields whose writes change a SYN lookup's ghosts (`covered`, read through KernelReader.covers) and its `portOf` target. */
const SYN_GHOST_READS: ReadonlySet<string> = new Set(['socket.lhash', 'socket.num', 'socket.saddr']);

export class PersistentSets {
  /**
   * lastConflict[t][op][pc][u]: the last op index of thread u from which u's remaining steps may
   * conflict with step pc of thread t's op; -1 when none of u's steps can.
   */
  private readonly lastConflict: Int8Array[][][];
  /**
   * writesRead[t][op][pc] = 1 when the step declares a write of a field some property reads
   * (visibility.ts), or declares no footprint: a move that starts there is almost surely
   * visible, so, where the proviso applies, it is not tried as a seed (expanding every move
   * instead is always sound; the proviso is still checked on what the move really changed).
   */
  private readonly writesRead: Uint8Array[][];
  private readonly T: number;
  readonly usable: boolean;

  constructor(private readonly sys: System) {
    this.T = sys.concurrent;
    this.usable = this.T <= MAX_THREADS;
    const threads = sys.threads.slice(0, this.T);
    this.lastConflict = threads.map((th, t) => th.programs.map((p, op) => p.steps.map((s) => {
      const row = new Int8Array(this.T).fill(-1);
      for (let u = 0; u < this.T; u++) {
        if (u === t) continue;
        const other = threads[u];
        for (let o = other.ops.length - 1; o >= 0; o--) {
          if (other.programs[o].steps.some((x) => stepsConflict(s, th.ctx[op], p.name, x, other.ctx[o], other.programs[o].name))) { row[u] = o; break; }
        }
      }
      return row;
    })));
    this.writesRead = threads.map((th) => th.programs.map((p) => Uint8Array.from(p.steps, (s) =>
      s.footprint === undefined || s.footprint.some((a) => a.rw !== 'r' && PROPERTY_READS.has(a.at)) ? 1 : 0)));
  }

  /** Some unfinished thread's next step writes nothing a property reads: a seed worth trying where the proviso applies. */
  anyInvisibleSeed(s: Uint8Array, unfinished: number): boolean {
    const { L } = this.sys;
    for (let t = 0; t < this.T; t++) {
      const at = L.thBase + t * L.thSize;
      if ((unfinished & (1 << t)) !== 0 && this.writesRead[t][s[at + TH.op]][s[at + TH.pc]] === 0) return true;
    }
    return false;
  }

  /**
   * The threads to expand at state `s`, as a mask: a persistent set among `enabled` (a mask of
   * the threads that can move; `unfinished` those that have not finished). With `invisibleSeeds`
   * only threads whose next step writes nothing a property reads are tried as seeds.
   */
  choose(s: Uint8Array, enabled: number, unfinished: number, invisibleSeeds: boolean): number {
    if (!this.usable) return enabled;
    const { L } = this.sys;
    let best = enabled, bestSize = popcount(enabled);
    for (let seed = 0; seed < this.T && bestSize > 1; seed++) {
      if ((enabled & (1 << seed)) === 0) continue;
      const at = L.thBase + seed * L.thSize;
      if (invisibleSeeds && this.writesRead[seed][s[at + TH.op]][s[at + TH.pc]] === 1) continue;
      let set = 1 << seed;
      const work = [seed];
      while (work.length > 0) {
        const q = work.pop()!;
        const base = L.thBase + q * L.thSize;
        const row = this.lastConflict[q][s[base + TH.op]][s[base + TH.pc]];
        for (let u = 0; u < this.T; u++) {
          const bit = 1 << u;
          if ((set & bit) !== 0 || (unfinished & bit) === 0) continue;
          if (s[L.thBase + u * L.thSize + TH.op] <= row[u]) { set |= bit; work.push(u); }
        }
      }
      const size = popcount(set & enabled);
      if (size < bestSize) { best = set & enabled; bestSize = size; }
    }
    return best;
  }
}

/**
 * Step a (of an op with context ca, in program pa) and step b may be dependent: their footprints
 * conflict (a step without one conflicts with everything), or one is a SYN lookup's step and the
 * other writes what its ghosts read (KernelReader.covers, synTarget's portOf): those reads are
 * the model's bookkeeping, not declared, but the order of the two still matters to the ghost.
 */
function stepsConflict(a: Step, ca: Ctx, pa: string, b: Step, cb: Ctx, pb: string): boolean {
  if (a.footprint === undefined || b.footprint === undefined) return true;
  if ((pa === 'syn' && writesAny(b.footprint)) || (pb === 'syn' && writesAny(a.footprint))) return true;
  for (const x of a.footprint) {
    for (const y of b.footprint) if (conflicts(x, ca.sk, y, cb.sk, heldBefore(a, x), heldBefore(b, y))) return true;
  }
  return false;
}

const writesAny = (f: readonly Access[]) => f.some((a) => a.rw !== 'r' && SYN_GHOST_READS.has(a.at));

function popcount(x: number): number {
  let n = 0;
  for (; x !== 0; x &= x - 1) n++;
  return n;
}
