// Runs a scenario on the recording view and compares what each step really touched with its
// declared footprint (presence and read/write; the protection cannot be seen at run time).

import type { Access, Step } from './program.ts';
import { GHOST_FIELDS } from './footprint.ts';
import { recordingKernel, type Touch } from './recording-view.ts';
import { compileSystem, enabled, threadDone, transition } from './system.ts';
import type { Scenario } from './scenario.ts';
import type { Variant } from './variant.ts';
import { TH } from './state.ts';

/** A touch no declared access covers. */
interface Undeclared {
  variant: string;
  program: string;
  step: string;
  touch: string;
}

/** Does declared access `a` cover touch `t` made by an op on socket `sk` of thread `thread`? */
export function covers(a: Access, t: Touch, sk: number): boolean {
  if (a.at !== t.at || !a.rw.includes(t.rw)) return false;
  if (!t.at.startsWith('socket.')) return true;
  if (t.index === sk) return a.of === undefined || a.of === 'any' || (a.of === 'unhashed' && !t.hashed);
  return a.of === 'any' || (a.of === 'hashed' && t.hashed);
}

/** The touches of one step that its footprint does not cover (thread locals of its own thread and ghosts excepted). */
export function undeclared(step: Step, touches: readonly Touch[], sk: number, thread: number): Touch[] {
  return touches.filter((t) => {
    if (GHOST_FIELDS.has(t.at)) return false;
    if (t.at.startsWith('thread.')) return t.index !== thread;
    return !(step.footprint ?? []).some((a) => covers(a, t, sk));
  });
}

/**
 * `runs` schedules of the scenario on the variant, one step per move, each move's thread chosen
 * by `pick(enabledCount)`; every step's touches checked. Returns what no footprint declares.
 */
export function checkFootprints(variant: Variant, scenario: Scenario, runs: number, pick: (n: number) => number): Undeclared[] {
  const sys = compileSystem(scenario, variant);
  const rec = recordingKernel(sys.L, sys.socks, sys.ephemeral);
  const out = new Map<string, Undeclared>();
  for (let r = 0; r < runs; r++) {
    const buf = sys.init.slice();
    rec.point(buf);
    for (let guard = 0; guard < 10_000; guard++) {
      const ready = [...Array(sys.concurrent).keys()].filter((t) => !threadDone(sys, rec.k, t) && enabled(sys, rec.k, t));
      if (ready.length === 0) break;
      const t = ready[pick(ready.length)];
      const base = sys.L.thBase + t * sys.L.thSize;
      const op = buf[base + TH.op], pc = buf[base + TH.pc];
      const plan = sys.threads[t];
      const step = plan.programs[op].steps[pc];
      rec.take();
      rec.k.refused = null;
      transition(sys, rec.k, t, false);
      for (const x of undeclared(step, rec.take(), plan.ctx[op].sk, t)) {
        const u = { variant: variant.id, program: plan.programs[op].name, step: step.id, touch: `${x.at} ${x.rw}${x.at.startsWith('socket.') && x.index !== plan.ctx[op].sk ? ' (another socket)' : ''}` };
        out.set(JSON.stringify(u), u);
      }
    }
  }
  return [...out.values()];
}
