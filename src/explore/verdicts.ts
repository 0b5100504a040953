// A verdict per property from what the search found: holds (every state visited), violated
// (with a shortest counterexample, shrunk and replayed with a trace), not proven (a bound or a
// stop ended the search first), not applicable.

import type { System } from '../../model/system.ts';
import type { Variant } from '../../model/variant.ts';
import type { Property } from '../../properties/types.ts';
import { expectedOn } from '../engine/check.ts';
import { runSchedule, type Segment } from '../engine/run.ts';
import type { ExploredCounterexample } from '../engine/counterexample.ts';
import type { Verdict } from '../engine/verdict.ts';
import { minimizeSchedule } from '../engine/shrink.ts';
import type { Found } from './search.ts';


export interface PropertyOutcome {
  id: string;
  kind: Property['kind'];
  verdict: Verdict;
  counterexample?: ExploredCounterexample;
}

interface VerdictInput {
  sys: System;
  variant: Variant;
  merge: boolean;
  found: ReadonlyMap<string, Found>;
  /** Every state was visited: no bound and no stop ended the search. */
  complete: boolean;
  /** The moves to a violation, and those moves as a concrete schedule. */
  movesTo: (f: Found) => number[];
  schedule: (moves: number[]) => Segment[];
}

export function verdictOf(p: Property, i: VerdictInput): PropertyOutcome {
  const f = i.found.get(p.id);
  if (!f) {
    const applicable = p.kind !== 'outcome' || p.appliesTo(i.sys);
    return { id: p.id, kind: p.kind, verdict: !applicable ? 'not applicable' : i.complete ? 'holds' : 'not proven' };
  }
  const moves = i.movesTo(f);
  const violates = (s: Segment[]) => runSchedule(i.sys, s, { properties: [p], merge: i.merge }).violation !== null;
  const schedule = minimizeSchedule(i.sys, i.schedule(moves), violates, i.merge);
  const run = runSchedule(i.sys, schedule, { properties: [p], merge: i.merge, trace: true });
  return {
    id: p.id, kind: p.kind, verdict: expectedOn(p, i.variant) ? 'violated as expected' : 'violated',
    counterexample: { propertyId: p.id, message: f.violation.message, scenario: i.sys.scenario, variant: i.variant.id, depth: moves.length, schedule, run },
  };
}
