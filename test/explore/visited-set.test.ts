// The search's visited set (incremental Zobrist fingerprints, the recent-fingerprint cache, the
// open-addressing table) against a plain reference: a breadth-first search that keeps every
// state whole, as a string, in a JS Set. Same states, same count, on every built-in scenario.
// And the bounded-memory mode: past --max-memory the search goes on in a bitstate table.

import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/explore.ts';
import { BUILTIN_SCENARIOS, listenRace } from '../../src/scenarios/builtin.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { linux618 } from '../../model/variants/linux-6.18/index.ts';
import { Kernel } from '../../model/kernel-view.ts';
import { compileSystem, threadDone, transition } from '../../model/system.ts';
import type { Scenario } from '../../model/scenario.ts';
import type { Variant } from '../../model/variant.ts';
import { PROPERTIES } from '../../properties/registry.ts';
import { allVariants } from '../../model/registry.ts';
import { patchStep } from '../../model/program.ts';
import { search } from '../../src/explore/search.ts';

/** Distinct states reachable, counted with whole states as Set keys. */
function referenceCount(scenario: Scenario, variant: Variant, merge: boolean, limit: number): number | null {
  const sys = compileSystem(scenario, variant);
  const key = (s: Uint8Array) => Buffer.from(s).toString('latin1');
  const seen = new Set([key(sys.init)]);
  let layer = [sys.init];
  while (layer.length > 0) {
    const next: Uint8Array[] = [];
    for (const s of layer) {
      for (let t = 0; t < sys.concurrent; t++) {
        const k = new Kernel(sys.L, sys.socks, sys.ephemeral, s.slice());
        if (threadDone(sys, k, t) || transition(sys, k, t, merge) === 0) continue;
        const id = key(k.s);
        if (seen.has(id)) continue;
        seen.add(id);
        if (seen.size > limit) return null;
        next.push(k.s);
      }
    }
    layer = next;
  }
  return seen.size;
}

describe('the visited set', () => {
  for (const variant of [linux43, linux618] as Variant[]) {
    for (const merge of [true, false]) {
      it(`counts the states a plain search counts, on every built-in scenario small enough (${variant.id}, ${merge ? 'merged' : 'unmerged'})`, () => {
        let compared = 0;
        for (const scenario of BUILTIN_SCENARIOS) {
          const want = referenceCount(scenario, variant, merge, 30_000);
          if (want === null) continue;
          const r = explore({ variant, scenario, properties: [], symmetry: false, merge });
          expect([scenario.name, r.stats.states]).toEqual([scenario.name, want]);
          compared++;
        }
        expect(compared).toBeGreaterThan(BUILTIN_SCENARIOS.length / 2);
      });
    }
  }
});

describe('the fingerprint from the logged writes', () => {
  it('equals the whole state\'s on every move of every kernel and mutant, over the built-in scenarios, with POR and without merging', () => {
    let moves = 0;
    for (const variant of allVariants()) {
      for (const scenario of BUILTIN_SCENARIOS) {
        let sys;
        try { sys = compileSystem(scenario, variant); } catch { continue; } // a setup this mutant cannot run
        for (const [merge, por] of [[true, false], [false, true]] as const) {
          const r = search(sys, PROPERTIES, null, { strategy: 'bfs', merge, por, maxStates: 400, verifyFingerprints: true });
          moves += r.stats(performance.now()).transitions;
        }
      }
    }
    expect(moves).toBeGreaterThan(50_000);
  });

  it('catches a write that bypasses the log', () => {
    const sys = compileSystem(listenRace(2), linux43);
    const sneaky: Variant = { ...linux43, id: 'sneaky', programs: { ...linux43.programs, listen: patchStep(linux43.programs.listen, 'set-backlog', { run: (k) => { k.s[k.L.inuse] ^= 0x40; } }) } };
    expect(() => search(compileSystem(listenRace(2), sneaky), [], null, { strategy: 'bfs', merge: false, verifyFingerprints: true })).toThrow(/some write was not logged/);
    expect(() => search(sys, [], null, { strategy: 'bfs', merge: false, verifyFingerprints: true })).not.toThrow();
  });
});

describe('the bounded-memory mode', () => {
  // Depth-first keeps the frontier small, so the visited set is what reaches the bound.
  const run = (exact: boolean) => explore({
    variant: linux43, scenario: listenRace(5), properties: PROPERTIES, symmetry: false, merge: false, strategy: 'dfs',
    maxBytes: 20 * 2 ** 20, exact,
  });
  const full = explore({ variant: linux43, scenario: listenRace(5), properties: PROPERTIES, symmetry: false, merge: false, strategy: 'dfs' });
  const verdict = (r: typeof full, id: string) => r.properties.find((p) => p.id === id)!.verdict;

  it('goes on past the bound in a bitstate table: not proven, an omission estimate, and the both-fail run still found', () => {
    const r = run(false);
    expect(full.truncated).toBe(false);
    expect(r.truncated).toBe(true);
    expect(r.bound).toBe('memory');
    const b = r.stats.bitstate!;
    expect(b.fromState).toBeLessThan(r.stats.states);
    expect(b.omittedFraction).toBeGreaterThan(0);
    expect(b.omittedFraction).toBeLessThan(0.01);
    expect(r.stats.states).toBeLessThanOrEqual(full.stats.states);
    expect(r.stats.states).toBeGreaterThan(full.stats.states * 0.9);
    expect(verdict(full, 'some-concurrent-listener-succeeds')).toBe('violated as expected');
    expect(verdict(r, 'some-concurrent-listener-succeeds')).toBe('violated as expected');
    expect(verdict(full, 'type-ok')).toBe('holds');
    expect(verdict(r, 'type-ok')).toBe('not proven');
  });

  it('--exact stops at the bound, as before', () => {
    const r = run(true);
    expect(r.truncated).toBe(true);
    expect(r.bound).toBe('memory');
    expect(r.stats.bitstate).toBeUndefined();
    expect(r.stats.states).toBeLessThan(full.stats.states / 2);
  });
});
