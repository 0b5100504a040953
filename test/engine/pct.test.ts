import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileSystem } from '../../model/system.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { listenRace } from '../../src/scenarios/builtin.ts';
import { pctDraw, pctToSegments } from '../../src/engine/schedule.ts';
import { runSchedule } from '../../src/engine/run.ts';
import { checkProperties } from '../../src/engine/check.ts';
import { findProperty } from '../../properties/registry.ts';

describe('the PCT scheduler', () => {
  const sys = compileSystem(listenRace(3), linux43);

  it('with no change point runs the highest-priority thread to completion first', () => {
    const segs = pctToSegments(sys, { priorities: [2, 0, 1], changePoints: [] });
    // priorities[i] = thread at rank i; higher rank = higher priority: thread 1 first, then 0, then 2.
    expect(segs.map((s) => s.thread)).toEqual([1, 0, 2]);
  });

  it('switches threads only at change points (at most d-1 extra switches)', () => {
    fc.assert(fc.property(pctDraw(3, 3, 12), (d) => {
      const segs = pctToSegments(sys, d);
      expect(segs.length).toBeLessThanOrEqual(3 + d.changePoints.length);
      expect(runSchedule(sys, segs, { properties: [] }).steps).toBeGreaterThan(0);
    }), { numRuns: 100 });
  });

  it('finds the both-fail race of listen-race-2 and shrinks it', () => {
    const [v] = checkProperties({
      variant: linux43, scenarios: [listenRace(2)], generated: false, properties: [findProperty('some-concurrent-listener-succeeds')!],
      runs: 500, seed: 5, scheduler: 'pct', depth: 3, merge: true,
    });
    expect(v.verdict).toBe('violated as expected');
    expect(v.counterexample!.schedule.length).toBeLessThanOrEqual(3);
  });
});
