// The pure helpers both kernel runners share: symbolic ports and the op schedule. (A scenario is
// checked by src/scenarios/load.ts's checkScenario, the one validator, before it gets here.)

import type { Op, Scenario } from '../../model/scenario.ts';
import { ScenarioError } from '../errors.ts';

/** Every op of the scenario, setup first. */
function allOps(s: Scenario): Op[] {
  return [...(s.setup ?? []), ...s.threads.flat()];
}

/** The distinct non-zero symbolic ports the scenario names, ascending. */
export function symbolicPorts(s: Scenario): number[] {
  const ports = new Set<number>();
  for (const op of allOps(s)) {
    if ((op.op === 'bind' || op.op === 'syn') && op.port) ports.add(op.port);
  }
  return [...ports].sort((a, b) => a - b);
}

/** Whether any op binds the wildcard address (refused outside a private namespace). */
export function bindsWildcard(s: Scenario): boolean {
  return allOps(s).some((op) => op.op === 'bind' && op.addr === '0.0.0.0');
}

/** One op's place: a thread index (or "setup") and its index in that program. */
export interface OpRef {
  thread: number | 'setup';
  index: number;
}

/**
 * The sequential order of all ops: setup, then `order` (each entry runs the next op of that
 * thread), then whatever remains, thread by thread in index order, each to completion.
 */
export function schedule(s: Scenario, order: readonly number[] = []): OpRef[] {
  const refs: OpRef[] = (s.setup ?? []).map((_, index) => ({ thread: 'setup' as const, index }));
  const next = s.threads.map(() => 0);
  order.forEach((t, i) => {
    if (!Number.isInteger(t) || t < 0 || t >= s.threads.length) {
      throw new ScenarioError(`order[${i}]: ${t} is not a thread index of ${s.name}`);
    }
    if (next[t] >= s.threads[t].length) {
      throw new ScenarioError(`order[${i}]: thread ${t} of ${s.name} has only ${s.threads[t].length} ops`);
    }
    refs.push({ thread: t, index: next[t]++ });
  });
  s.threads.forEach((ops, t) => {
    for (let index = next[t]; index < ops.length; index++) refs.push({ thread: t, index });
  });
  return refs;
}

/** The op an OpRef points to. */
export function opAt(s: Scenario, ref: OpRef): Op {
  return ref.thread === 'setup' ? s.setup![ref.index] : s.threads[ref.thread][ref.index];
}
