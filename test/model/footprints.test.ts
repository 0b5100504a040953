// Every step of both kernels and every mutant, run on the recording view over the built-in
// scenarios and generated ones: a step that touches a shared field its footprint does not
// declare fails, named with the field (issue 9 item 1).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { allVariants } from '../../model/registry.ts';
import { checkFootprints, undeclared } from '../../model/footprint-check.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/builtin.ts';
import { generatedScenario } from '../../src/engine/generate.ts';
import { fp } from '../../model/footprint.ts';
import type { Step } from '../../model/program.ts';

/** A small deterministic generator (xorshift) for the schedules. */
function picker(seed: number) {
  let x = seed | 1;
  return (n: number) => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) % n; };
}

const declaredVariants = () => allVariants();

describe('footprints', () => {
  it('every step of every variant declares a footprint', () => {
    const missing = declaredVariants().flatMap((v) => Object.values(v.programs).flatMap((p) => p.steps.filter((s) => s.footprint === undefined).map((s) => `${v.id} ${p.name} ${s.id}`)));
    expect(missing).toEqual([]);
  });

  it('no step touches a shared field it does not declare (built-in scenarios)', () => {
    const bad = declaredVariants().flatMap((v) => BUILTIN_SCENARIOS.flatMap((sc) => checkFootprints(v, sc, 30, picker(7))));
    expect([...new Set(bad.map((u) => `${u.variant} ${u.program} ${u.step}: ${u.touch}`))]).toEqual([]);
  });

  it('no step touches a shared field it does not declare (generated scenarios)', () => {
    fc.assert(fc.property(generatedScenario(), fc.integer({ min: 1, max: 1 << 30 }), (sc, seed) => {
      for (const v of declaredVariants()) expect(checkFootprints(v, sc, 3, picker(seed))).toEqual([]);
    }), { numRuns: 25, seed: 9 });
  });

  it('names the step and the field when a footprint leaves one out', () => {
    const step = { id: 'publish-listen', footprint: fp('socket.num r lock_sock') } as Step;
    const touched = [{ at: 'socket.state', index: 0, rw: 'w' as const, hashed: true }, { at: 'socket.num', index: 0, rw: 'r' as const, hashed: true }];
    expect(undeclared(step, touched, 0, 0).map((t) => t.at)).toEqual(['socket.state']);
    // Another socket's field needs `any` or `hashed`; the op's own socket's field is not enough.
    expect(undeclared(step, [{ at: 'socket.num', index: 1, rw: 'r', hashed: true }], 0, 0)).toHaveLength(1);
  });
});
