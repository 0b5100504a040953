// An invariant's `reads` (properties/types.ts) lets the explorer skip it after a move that wrote
// none of those fields. Sound only if the list is complete: on every state of the built-in
// scenarios, unmerged, on both kernels, each invariant reads nothing it did not declare;
// and skipping changes no answer (on every variant, mutants included) (every violation found, with its message and where, is the
// same as when every invariant is asked after every move).

import { describe, expect, it } from 'vitest';
import { search } from '../../src/explore/search.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/builtin.ts';
import { allVariants, KERNELS } from '../../model/registry.ts';
import { recordingKernel } from '../../model/recording-view.ts';
import { compileSystem } from '../../model/system.ts';
import { PROPERTIES } from '../../properties/registry.ts';
import type { InvariantProperty } from '../../properties/types.ts';
import { SetupRefused } from '../../src/errors.ts';

const declaring = PROPERTIES.filter((p): p is InvariantProperty & { reads: readonly string[] } => p.kind === 'invariant' && p.reads !== undefined);

/** The system, or null where the variant refuses the scenario's setup. */
function compiled(sc: (typeof BUILTIN_SCENARIOS)[number], v: ReturnType<typeof allVariants>[number]) {
  try { return compileSystem(sc, v); } catch (e) { if (e instanceof SetupRefused) return null; throw e; }
}

describe('invariants declare what they read', () => {
  it('most invariants declare their reads (else the explorer asks them after every move)', () => {
    expect(declaring.map((p) => p.id).length).toBeGreaterThanOrEqual(6);
  });

  it('no invariant reads a field outside its `reads`, on every state of the built-in scenarios, unmerged, on both kernels', () => {
    const outside = new Set<string>();
    for (const v of KERNELS) {
      for (const sc of BUILTIN_SCENARIOS) {
        const sys = compiled(sc, v);
        if (sys === null) continue;
        const rec = recordingKernel(sys.L, sys.socks, sys.ephemeral);
        search(sys, [], null, {
          strategy: 'bfs', merge: false,
          visit: (s) => {
            rec.point(s.slice());
            for (const p of declaring) {
              rec.take();
              p.check(rec.k, sys);
              for (const t of rec.take()) if (!p.reads.includes(t.at)) outside.add(`${p.id} reads ${t.at}`);
            }
          },
        });
      }
    }
    expect([...outside]).toEqual([]);
  });

  it('skipping the invariants a move cannot change finds the same violations, messages and places', () => {
    const undeclared = PROPERTIES.map((p) => (p.kind === 'invariant' ? { ...p, reads: undefined } : p));
    let violated = 0;
    for (const v of allVariants()) {
      for (const sc of BUILTIN_SCENARIOS) {
        const sys = compiled(sc, v);
        if (sys === null) continue;
        for (const merge of KERNELS.includes(v) ? [true, false] : [true]) {
          const found = (props: typeof PROPERTIES) =>
            [...search(sys, props, null, { strategy: 'bfs', merge }).found].map(([id, f]) => `${id} ${f.from} ${f.thread} ${f.at} ${f.violation.message}`).sort();
          const skipping = found(PROPERTIES);
          violated += skipping.filter((f) => declaring.some((p) => f.startsWith(`${p.id} `))).length;
          expect([v.id, sc.name, merge, skipping]).toEqual([v.id, sc.name, merge, found(undeclared)]);
        }
      }
    }
    // The mutants break the declaring invariants: the comparison saw violations, not only silence.
    expect(violated).toBeGreaterThan(0);
  });
});
