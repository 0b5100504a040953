// Counterexample paths: from the parent records the search keeps, the moves that reach a state,
// and those moves as a concrete schedule (undoing the symmetry renaming move by move).

import { Kernel } from '../../model/kernel-view.ts';
import { runThread, type System } from '../../model/system.ts';
import type { Segment } from '../engine/run.ts';
import type { Symmetry } from './symmetry.ts';

/** The parent of the initial state. */
export const NO_PARENT = 0xffffffff;

/** The thread moves from the initial state to state `id`, following the parent records. */
export function pathTo(parent: Uint32Array, move: Uint8Array, id: number): number[] {
  const moves: number[] = [];
  for (let at = id; at !== 0 && at !== NO_PARENT; at = parent[at]) moves.push(move[at]);
  return moves.reverse();
}

/** Where a violation was seen: at a stored state, or after a move from one. */
export function movesTo(parent: Uint32Array, move: Uint8Array, f: { from: number; thread: number; at: number }): number[] {
  return f.at >= 0 ? pathTo(parent, move, f.at) : [...(f.from >= 0 ? pathTo(parent, move, f.from) : []), f.thread];
}

/**
 * Turns a path of moves between canonical states into a concrete schedule: each move names a
 * thread of the canonical state; the concrete thread is found by undoing the renaming that
 * made that state canonical.
 */
export function toSegments(sys: System, moves: readonly number[], merge: boolean, sym: Symmetry | null): Segment[] {
  const threads = sym ? concreteThreads(sys, moves, merge, sym) : moves;
  const segments: Segment[] = [];
  for (const t of threads) {
    const last = segments[segments.length - 1];
    if (last && last.thread === t) last.steps++;
    else segments.push({ thread: t, steps: 1 });
  }
  return segments;
}

function concreteThreads(sys: System, moves: readonly number[], merge: boolean, sym: Symmetry): number[] {
  const padded = (sys.L.size + 3) & ~3;
  const s = new Uint8Array(padded), canon = new Uint8Array(padded);
  s.set(sys.init);
  const perm = new Int32Array(sys.threads.length);
  const k = new Kernel(sys.L, sys.socks, sys.ephemeral, s);
  return moves.map((m) => {
    sym.canonicalize(s, canon, perm);
    const t = perm.indexOf(m); // perm maps concrete -> canonical
    runThread(sys, k, t, merge, 1);
    return t;
  });
}
