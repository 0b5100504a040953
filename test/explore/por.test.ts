// Partial-order reduction (src/explore/persistent-set.ts, visibility.ts) changes no answer: on
// every built-in scenario and 200 small generated ones, on both kernels and every mutant, the
// verdicts, the outcome sets, the steps run and the length of each shortest counterexample are
// the same with and without it. The state graphs are acyclic (no cycle proviso is needed), and
// the properties read no field the visibility proviso leaves out.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/explore.ts';
import { search } from '../../src/explore/search.ts';
import { pathTo, movesTo } from '../../src/explore/paths.ts';
import { BUILTIN_SCENARIOS, listenRace } from '../../src/scenarios/builtin.ts';
import { generatedScenario } from '../../src/engine/generate.ts';
import { allVariants, KERNELS } from '../../model/registry.ts';
import { Kernel } from '../../model/kernel-view.ts';
import { recordingKernel } from '../../model/recording-view.ts';
import { compileSystem, threadDone, transition, type System } from '../../model/system.ts';
import type { Scenario } from '../../model/scenario.ts';
import type { Variant } from '../../model/variant.ts';
import { PROPERTIES } from '../../properties/registry.ts';
import { PROPERTY_READS } from '../../src/explore/visibility.ts';

/** What a search answers: each violation with its depth, each outcome, every step run, and how many states it stored. */
function answers(sys: System, por: boolean, properties = PROPERTIES.filter((p) => p.kind === 'outcome' || p.kind === 'progress')) {
  const r = search(sys, properties, null, { strategy: 'bfs', merge: true, outcomes: true, por });
  return {
    found: Object.fromEntries([...r.found].map(([id, f]) => [id, movesTo(r.parent, r.move, f).length]).sort()),
    outcomes: [...r.outcomeAt.keys()].sort(),
    // The outcome's state is one of a shortest path's ends: its depth is kept too.
    depths: [...r.outcomeAt].map(([k, id]) => `${k} ${pathTo(r.parent, r.move, id).length}`).sort(),
    stepsRun: [...r.stepsRun].join(''),
    states: r.stats(0).states,
  };
}

function compiles(s: Scenario, v: Variant): System | null {
  try { return compileSystem(s, v); } catch { return null; }
}

const GENERATED = fc.sample(generatedScenario({ maxSockets: 2, maxThreads: 2, maxOpsPerThread: 2 }), { numRuns: 200, seed: 11 });

describe('partial-order reduction', () => {
  it('keeps the verdicts, outcomes, steps run and shortest depths of the built-in scenarios on every variant (outcome and deadlock properties)', () => {
    let fewer = 0;
    // Every built-in scenario on the kernels; on the mutants, three that run every program.
    const some = BUILTIN_SCENARIOS.filter((sc) => ['listen-race-2', 'syn-two-walks', 'listen-vs-close'].includes(sc.name));
    for (const v of allVariants()) {
      for (const sc of KERNELS.includes(v) ? BUILTIN_SCENARIOS : some) {
        const sys = compileSystem(sc, v);
        const { states: plain, ...want } = answers(sys, false);
        const { states: reduced, ...got } = answers(sys, true);
        expect([v.id, sc.name, got]).toEqual([v.id, sc.name, want]);
        expect(reduced).toBeLessThanOrEqual(plain);
        if (reduced < plain) fewer++;
      }
    }
    expect(fewer).toBeGreaterThan(0);
  });

  it('keeps them on 200 generated scenarios on both kernels', () => {
    let compared = 0;
    for (const v of KERNELS) {
      for (const sc of GENERATED) {
        const sys = compiles(sc, v);
        if (sys === null) continue;
        const { states: _p, ...want } = answers(sys, false);
        const { states: _r, ...got } = answers(sys, true);
        expect([v.id, JSON.stringify(sc), got]).toEqual([v.id, JSON.stringify(sc), want]);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(250);
  });

  it('keeps every verdict and shortest counterexample with every property, on both kernels and every built-in scenario, with symmetry', () => {
    for (const v of KERNELS) {
      for (const sc of BUILTIN_SCENARIOS) {
        const run = (por: boolean) => explore({ variant: v, scenario: sc, properties: PROPERTIES, symmetry: true, por })
          .properties.map((p) => [p.id, p.verdict, p.counterexample?.depth]);
        expect([v.id, sc.name, run(true)]).toEqual([v.id, sc.name, run(false)]);
      }
    }
  });

  it('stores fewer states where only outcomes are asked for: listen-race-4, 1561 states down to 764', () => {
    for (const v of KERNELS) {
      const sys = compileSystem(listenRace(4), v);
      expect([answers(sys, false).states, answers(sys, true).states]).toEqual([1561, 764]);
    }
  });
});

describe('the state graphs', () => {
  it('are acyclic on every built-in scenario of both kernels, merged and not (so the reduction needs no cycle proviso)', () => {
    for (const v of KERNELS) {
      for (const sc of BUILTIN_SCENARIOS) {
        for (const merge of [true, false]) expect([v.id, sc.name, merge, hasCycle(compileSystem(sc, v), merge)]).toEqual([v.id, sc.name, merge, false]);
      }
    }
  });

  it('a cycle is found where there is one', () => {
    // Two states that lead to each other: the test's own graph, to show the check can fail.
    expect(cycleIn(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]), 'a')).toBe(true);
    expect(cycleIn(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]]), 'a')).toBe(false);
  });
});

describe('the visibility proviso', () => {
  it('covers every field the invariants read, on every state of the built-in scenarios', () => {
    const invariants = PROPERTIES.filter((p) => p.kind === 'invariant' && p.id !== 'type-ok' && p.id !== 'lifecycle-legal');
    const unread = new Set<string>();
    for (const v of KERNELS) {
      for (const sc of BUILTIN_SCENARIOS) {
        const sys = compileSystem(sc, v);
        const rec = recordingKernel(sys.L, sys.socks, sys.ephemeral);
        search(sys, [], null, {
          strategy: 'bfs', merge: true,
          visit: (s) => {
            const buf = s.slice();
            rec.point(buf);
            rec.take();
            for (const p of invariants) if (p.kind === 'invariant') p.check(rec.k, sys);
            for (const t of rec.take()) if (!PROPERTY_READS.has(t.at)) unread.add(t.at);
          },
        });
      }
    }
    expect([...unread]).toEqual([]);
  });
});

/** Depth-first search for a state that reaches itself, on the concrete states. */
function hasCycle(sys: System, merge: boolean): boolean {
  const key = (s: Uint8Array) => Buffer.from(s).toString('latin1');
  const graph = new Map<string, string[]>();
  const stack = [sys.init];
  graph.set(key(sys.init), []);
  while (stack.length > 0) {
    const s = stack.pop()!;
    const succ: string[] = [];
    for (let t = 0; t < sys.concurrent; t++) {
      const k = new Kernel(sys.L, sys.socks, sys.ephemeral, s.slice());
      if (threadDone(sys, k, t) || transition(sys, k, t, merge) === 0) continue;
      const id = key(k.s);
      succ.push(id);
      if (!graph.has(id)) { graph.set(id, []); stack.push(k.s); }
    }
    graph.set(key(s), succ);
  }
  return cycleIn(graph, key(sys.init));
}

/** Whether the graph has a cycle reachable from `root` (iterative three-colour DFS). */
function cycleIn(graph: ReadonlyMap<string, readonly string[]>, root: string): boolean {
  const colour = new Map<string, 1 | 2>();
  const stack: [string, number][] = [[root, 0]];
  colour.set(root, 1);
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    const succ = graph.get(top[0]) ?? [];
    if (top[1] === succ.length) { colour.set(top[0], 2); stack.pop(); continue; }
    const next = succ[top[1]++];
    const c = colour.get(next);
    if (c === 1) return true;
    if (c === undefined) { colour.set(next, 1); stack.push([next, 0]); }
  }
  return false;
}
