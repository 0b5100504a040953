// Shrinks a schedule that has some quality (violates a property, reaches an outcome) toward
// fewer context switches, with fast-check's own shrinker for the segment lists the runner uses.

import fc from 'fast-check';
import type { System } from '../../model/system.ts';
import { effectiveSchedule, type Segment } from './run.ts';
import { uniformSchedule } from './schedule.ts';

/** The smallest schedule fast-check finds that still has `quality`, as it actually runs. */
export function minimizeSchedule(sys: System, schedule: Segment[], quality: (s: Segment[]) => boolean, merge = true): Segment[] {
  if (!quality(schedule)) return schedule;
  const r = fc.check(fc.property(uniformSchedule(1000, 10_000), (s) => !quality(s)), { numRuns: 1, examples: [[schedule]], seed: 0 });
  let best = effectiveSchedule(sys, r.failed && r.counterexample ? (r.counterexample[0] as Segment[]) : schedule, merge);
  // fast-check only makes values smaller; fewer switches can also need a longer run of one
  // thread. Try folding each segment into another segment of its thread, while it still works.
  for (let improved = true; improved;) {
    improved = false;
    for (let i = 0; i < best.length && !improved; i++) {
      for (let j = 0; j < best.length && !improved; j++) {
        if (j === i || best[j].thread !== best[i].thread) continue;
        const cand = best.flatMap((seg, at) => (at === i ? [] : at === j ? [{ ...seg, steps: seg.steps + best[i].steps }] : [seg]));
        const norm = effectiveSchedule(sys, cand, merge);
        if (norm.length < best.length && quality(norm)) { best = norm; improved = true; }
      }
    }
  }
  return best;
}
