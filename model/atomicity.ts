// The atomicity check (issue 9 item 2): may the model run a step as one indivisible move?
// Lipton's reduction (Lipton 1975, "Reduction: a method of proving properties of parallel
// programs"): an acquire is a right mover, a release a left mover, an access protected by a lock
// held around it a both-mover, and a sequence R* [N] L* — right movers, at most one non-mover,
// left movers — can be run atomically without losing any behaviour. So a step may be atomic only
// if every shared access it makes is under a lock it holds (or takes within it), or it makes at
// most one unprotected access, with lock acquires only before it and releases only after it.
//
// A pure function of the step's `locks` and `footprint`. Conventions: a lock the step `acquire`s
// is taken at its start, one it `release`s is dropped at its end; one it takes `within` is both
// taken and dropped inside it, so an unprotected access beside it has the acquire or the release
// on the wrong side. The RCU read side excludes nobody: an access under it is unprotected. A
// read-modify-write (`rw`) without a lock is two accesses. The lock words themselves (lock_sock's
// owner, the head and bucket locks) are the acquires and releases, not data.
//
// The check takes each access's declared protection at its word; whether the lock really
// excludes every writer of that location is the race analysis's question (src/explore/races.ts).

import { LOCK_FIELDS, lockOf, showAccess } from './footprint.ts';
import type { Access, LockName, Step } from './program.ts';

export type Atomicity = { ok: true } | { ok: false; rule: string };

export function atomicity(step: Pick<Step, 'locks' | 'footprint'>): Atomicity {
  if (step.footprint === undefined) return { ok: false, rule: 'declares no footprint, so nothing shows it atomic' };
  const data = step.footprint.filter((a) => !LOCK_FIELDS.has(a.at));
  for (const a of data) {
    const l = lockOf(a);
    if (l !== null && step.locks[l] === undefined) return { ok: false, rule: `declares ${showAccess(a)} but does not hold ${l}` };
  }
  const unprotected: Access[] = data.filter((a) => lockOf(a) === null).flatMap((a) => (a.rw === 'rw' ? [a, a] : [a]));
  if (unprotected.length === 0) return { ok: true };
  const shown = [...new Set(unprotected.map(showAccess))].join('; ');
  if (unprotected.length > 1) {
    return { ok: false, rule: `${unprotected.length} unprotected shared accesses (${shown}); Lipton's reduction allows at most one` };
  }
  const within = (Object.entries(step.locks) as [LockName, string][]).filter(([l, u]) => u === 'within' && l !== 'rcu_read_lock').map(([l]) => l);
  if (within.length > 0) {
    return { ok: false, rule: `its unprotected access (${shown}) sits beside a critical section on ${within.join(', ')} taken and dropped within the step: an acquire after it or a release before it` };
  }
  return { ok: true };
}

/** The steps of some programs that fail the check: "program/step" and the rule broken, in program order. */
export function nonAtomicSteps(programs: readonly { name: string; steps: readonly Step[] }[]): { step: string; where: Step; rule: string }[] {
  return programs.flatMap((p) => p.steps.flatMap((s) => {
    const r = atomicity(s);
    return r.ok ? [] : [{ step: `${p.name}/${s.id}`, where: s, rule: r.rule }];
  }));
}
