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
//
// Two refinements, both Lipton's own: an unprotected access that no step of the other threads
// can access in conflict (same location, one of them writing; `conflicts` in footprint.ts)
// commutes with all of them, so it is a both-mover and does not count (a SYN reading a hashed
// socket's rcv_saddr, which only bind() writes, while the socket is in no hash table); and the
// model fields one kernel word is spread over (a chain node's `next`, stored as the chain's
// stamps) are one access, when they say so with the same `unit`.

import { LOCK_FIELDS, conflicts, lockOf, showAccess } from './footprint.ts';
import type { Access, LockName, Step } from './program.ts';

type Atomicity = { ok: true } | { ok: false; rule: string };

/** Does some access of the others conflict with `a`, whether the two ops are on one socket or two? */
const moves = (a: Access, others: readonly Access[]) => !others.some((b) => conflicts(a, 0, b, 0) || conflicts(a, 0, b, 1));

/**
 * May `step` run as one move? `others`: every access the steps of other threads may make (absent:
 * every unprotected access counts, as if anything could conflict with it).
 */
export function atomicity(step: Pick<Step, 'locks' | 'footprint'>, others?: readonly Access[]): Atomicity {
  if (step.footprint === undefined) return { ok: false, rule: 'declares no footprint, so nothing shows it atomic' };
  const data = step.footprint.filter((a) => !LOCK_FIELDS.has(a.at));
  for (const a of data) {
    const l = lockOf(a);
    if (l !== null && step.locks[l] === undefined) return { ok: false, rule: `declares ${showAccess(a)} but does not hold ${l}` };
  }
  const units = new Set<string>();
  const unprotected: Access[] = data.filter((a) => lockOf(a) === null && (others === undefined || !moves(a, others)))
    .filter((a) => a.unit === undefined || (!units.has(a.unit) && !!units.add(a.unit)))
    .flatMap((a) => (a.rw === 'rw' ? [a, a] : [a]));
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

/** Every access the steps of these programs may make: what another thread running any of them can touch. */
export const allAccesses = (programs: readonly { steps: readonly Step[] }[]): readonly Access[] =>
  programs.flatMap((p) => p.steps.flatMap((s) => s.footprint ?? []));

/**
 * The steps of some programs that fail the check, when any thread may run any of the programs:
 * "program/step" and the rule broken, in program order.
 */
export function nonAtomicSteps(programs: readonly { name: string; steps: readonly Step[] }[]): { step: string; where: Step; rule: string }[] {
  const others = allAccesses(programs);
  return programs.flatMap((p) => p.steps.flatMap((s) => {
    const r = atomicity(s, others);
    return r.ok ? [] : [{ step: `${p.name}/${s.id}`, where: s, rule: r.rule }];
  }));
}
