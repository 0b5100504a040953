// Data races (issue 9 item 4), as a pass over every state the explorer expands.
//
// Two accesses race when they touch the same location (same field of the same socket or
// bucket), at least one writes, they are not both marked (READ_ONCE/WRITE_ONCE, release/acquire,
// RCU), and nothing orders them by happens-before: not a common lock (release -> acquire), not a
// release store read by an acquire load (both marked, so never a race here), not program order
// (two threads). By the classic result behind DRF-SC (Adve & Hill 1990, "Weak ordering — a new
// definition"; Boehm & Adve 2008), a program has an execution with such an unordered pair iff it
// has a sequentially consistent execution in which the two are adjacent, i.e. a reachable state
// where both threads' next steps are enabled and make them. The explorer visits every reachable
// state, so checking each state's enabled steps pairwise finds every race of the scenario at
// step granularity. No clock is kept in the fingerprinted state: the check needs none.
//
// The locations a step really touches come from running it on the recording view (a scratch copy
// of the state); the protection of each touch from the step's declared footprint.

import { covers } from '../../model/footprint-check.ts';
import { GHOST_FIELDS, isMarked, LOCK_FIELDS, lockOf, showAccess } from '../../model/footprint.ts';
import { where, type Access, type Step } from '../../model/program.ts';
import { recordingKernel, type Touch } from '../../model/recording-view.ts';
import { enabled, threadDone, transition, type System } from '../../model/system.ts';
import { TH } from '../../model/state.ts';

export interface Race {
  /** "listen/publish-listen", its kernel line and the access as declared. */
  a: { step: string; where: string; access: string };
  b: { step: string; where: string; access: string };
  /** The location, e.g. "socket.state". */
  at: string;
  /** Both accesses are marked: unordered, but not a data race (the LKMM gives it no undefined behaviour). */
  marked: boolean;
}

interface Made { step: Step; program: string; touches: { t: Touch; decl: Access | undefined }[] }

export class RaceFinder {
  private readonly rec;
  private readonly scratch: Uint8Array;
  private readonly found = new Map<string, Race>();

  constructor(private readonly sys: System) {
    this.rec = recordingKernel(sys.L, sys.socks, sys.ephemeral);
    this.scratch = new Uint8Array(sys.L.size);
  }

  /** Every pair of enabled next steps of two threads at this state. */
  visit(state: Uint8Array): void {
    const { sys, rec } = this;
    const made: Made[] = [];
    rec.point(state);
    const ready = [...Array(sys.concurrent).keys()].filter((t) => !threadDone(sys, rec.k, t) && enabled(sys, rec.k, t));
    rec.take();
    for (const t of ready) made.push(this.nextStep(state, t));
    for (let i = 0; i < made.length; i++) for (let j = i + 1; j < made.length; j++) this.pair(made[i], made[j]);
  }

  private nextStep(state: Uint8Array, t: number): Made {
    const { sys, rec } = this;
    this.scratch.set(state.subarray(0, this.scratch.length));
    rec.point(this.scratch);
    const base = sys.L.thBase + t * sys.L.thSize;
    const op = this.scratch[base + TH.op], pc = this.scratch[base + TH.pc];
    const plan = sys.threads[t];
    const step = plan.programs[op].steps[pc];
    const sk = plan.ctx[op].sk;
    rec.k.refused = null;
    transition(sys, rec.k, t, false);
    const touches = rec.take()
      .filter((x) => !x.at.startsWith('thread.') && !GHOST_FIELDS.has(x.at) && !LOCK_FIELDS.has(x.at))
      .map((x) => ({ t: x, decl: (step.footprint ?? []).find((a) => covers(a, x, sk)) }));
    return { step, program: plan.programs[op].name, touches };
  }

  private pair(m: Made, n: Made): void {
    for (const x of m.touches) {
      for (const y of n.touches) {
        if (x.t.at !== y.t.at || x.t.index !== y.t.index || (x.t.rw === 'r' && y.t.rw === 'r')) continue;
        const marked = !!(x.decl && y.decl && isMarked(x.decl) && isMarked(y.decl));
        const lx = x.decl ? lockOf(x.decl) : null;
        if (lx !== null && y.decl && lockOf(y.decl) === lx) continue;
        const side = (s: Made, d: Access | undefined, rw: string) => ({ step: `${s.program}/${s.step.id}`, where: where(s.step), access: d ? showAccess(d) : `${x.t.at} ${rw} undeclared` });
        const [a, b] = [side(m, x.decl, x.t.rw), side(n, y.decl, y.t.rw)].sort((p, q) => (p.step + p.access < q.step + q.access ? -1 : 1));
        const race = { a, b, at: x.t.at, marked };
        this.found.set(`${a.step} ${a.access} | ${b.step} ${b.access}`, race);
      }
    }
  }

  /** The races found, one per pair of steps and declared accesses, in a fixed order. */
  races(): Race[] {
    return [...this.found.entries()].sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)).map(([, r]) => r);
  }
}
