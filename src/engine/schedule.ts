// Schedules as fast-check arbitraries. A schedule is a list of segments, "thread t runs n
// transitions"; fast-check shrinks a failing one by dropping segments and shortening them, which
// is shrinking toward fewer context switches.
//
// Two generators:
// - `uniformSchedule`: each segment picks a thread and a run length uniformly.
// - `pctSchedule`: PCT (Burckhardt et al., ASPLOS 2010): random distinct thread priorities and
//   d-1 change points; the highest-priority thread that can move always runs, and at the i-th
//   change point the running thread drops to priority i. A bug of depth d among n threads and
//   k steps is found with probability at least 1/(n k^(d-1)) per run. The PCT draw is then
//   written out as segments, so it shrinks and replays like any other schedule.

import fc from 'fast-check';
import { Kernel } from '../../model/kernel-view.ts';
import { enabled, transition, type System } from '../../model/system.ts';
import type { Segment } from './run.ts';

export function uniformSchedule(maxSegments = 10, maxRun = 6): fc.Arbitrary<Segment[]> {
  return fc.array(fc.record({ thread: fc.nat({ max: 11 }), steps: fc.integer({ min: 1, max: maxRun }) }), { maxLength: maxSegments });
}

/** A PCT draw: a priority per thread and the steps at which the running thread is demoted. */
interface PctDraw {
  priorities: number[];
  changePoints: number[];
}

export function pctDraw(threads: number, depth: number, maxSteps: number): fc.Arbitrary<PctDraw> {
  return fc.record({
    priorities: fc.shuffledSubarray([...Array(threads).keys()], { minLength: threads, maxLength: threads }),
    changePoints: fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, maxSteps) }), { minLength: Math.max(0, depth - 1), maxLength: Math.max(0, depth - 1) }),
  });
}

/** Plays a PCT draw on the system (without checking) and returns the schedule it made. */
export function pctToSegments(sys: System, draw: PctDraw, merge = true): Segment[] {
  const k = new Kernel(sys.L, sys.socks, sys.ephemeral, sys.init.slice());
  const T = sys.concurrent;
  // Higher number = higher priority; the i-th change point demotes to priority -(i+1).
  const prio = Array.from({ length: T }, (_, t) => T + (draw.priorities.indexOf(t) < 0 ? t : draw.priorities.indexOf(t)));
  const changes = [...draw.changePoints].sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (let step = 1, demoted = 0; ; step++) {
    let best = -1;
    for (let t = 0; t < T; t++) if (enabled(sys, k, t) && (best < 0 || prio[t] > prio[best])) best = t;
    if (best < 0) break;
    transition(sys, k, best, merge);
    const last = segments[segments.length - 1];
    if (last && last.thread === best) last.steps++;
    else segments.push({ thread: best, steps: 1 });
    if (demoted < changes.length && changes[demoted] === step) prio[best] = -(++demoted);
    if (step > 10_000) break;
  }
  return segments;
}

/** A PCT schedule for a system, as segments (so fast-check shrinks and replays it). */
export function pctSchedule(sys: System, depth: number, maxSteps = 40): fc.Arbitrary<Segment[]> {
  return pctDraw(sys.concurrent, depth, maxSteps).map((d) => pctToSegments(sys, d));
}
