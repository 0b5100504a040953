// The parallel search (src/explore/parallel.ts) gives the sequential search's result: the same
// states in the same order, so the same counts, verdicts, counterexamples, outcomes and coverage.
// `workersFrom: 0` has the workers expand every state (by default a search this small never
// starts them). The workers run dist/explore-worker.js: `npm test` builds it first.

import { afterAll, describe, expect, it, vi } from 'vitest';
import { explore, type ExploreOptions, type ExploreResult } from '../../src/explore/explore.ts';
import { SearchWorkerDied, closeSearchWorkers, liveSearchWorkers, parallelRefusal, staleCounts } from '../../src/explore/parallel.ts';
import { readsAlongTheWay } from '../../src/explore/search.ts';
import { BUILTIN_SCENARIOS, builtinScenario, listenRace } from '../../src/scenarios/builtin.ts';
import { allVariants, findVariant } from '../../model/registry.ts';
import { PROPERTIES, findProperty } from '../../properties/registry.ts';
import type { Property } from '../../properties/types.ts';

const linux43 = findVariant('linux-4.3')!;
const linux618 = findVariant('linux-6.18')!;

/** The result without the figures that depend on the machine's speed. */
function stable(r: ExploreResult) {
  const { seconds: _s, statesPerSecond: _r, peakBytes: _p, bytesPerState: _b, ...stats } = r.stats;
  return { ...r, stats };
}

/** One worker and two, from the first state: the same result. */
function same(o: ExploreOptions): ExploreResult {
  const one = explore(o);
  const two = explore({ ...o, workers: 2, workersFrom: 0 });
  expect(stable(two), `${o.scenario.name} on ${o.variant.id}`).toEqual(stable(one));
  return one;
}

afterAll(() => closeSearchWorkers());

describe('explore with two workers gives the one-worker result', () => {
  it('on every built-in scenario on both kernels (symmetry, merging and POR on, as the CLI runs it)', () => {
    for (const variant of [linux43, linux618]) {
      for (const scenario of BUILTIN_SCENARIOS) same({ variant, scenario, properties: PROPERTIES, symmetry: true, por: true });
    }
  });

  it('with outcomes and without symmetry, merging or POR', () => {
    for (const variant of [linux43, linux618]) {
      const r = same({ variant, scenario: builtinScenario('mixed-three')!, properties: PROPERTIES, outcomes: true });
      expect(r.outcomes!.length).toBeGreaterThan(1);
      same({ variant, scenario: builtinScenario('syn-two-walks')!, properties: PROPERTIES, merge: false, por: true });
    }
  });

  it('on mutants, also stopped at the first unexpected violation or at a state bound; stale chunks are redone', () => {
    const before = { ...staleCounts };
    const mutants = allVariants().filter((v) => v.mutant).slice(0, 4);
    expect(mutants.length).toBe(4);
    let violated = 0;
    for (const variant of mutants) {
      const o = { variant, scenario: builtinScenario('mixed-three')!, properties: PROPERTIES, symmetry: true, por: true };
      violated += same(o).properties.filter((p) => p.verdict === 'violated').length;
      same({ ...o, stopAtFirstViolation: true });
      same({ ...o, maxStates: 300 });
    }
    expect(violated).toBeGreaterThan(0);
    // A violation the main thread recorded on a new state made a worker's chunk stale: it was
    // expanded again from that move (the path that keeps verdicts exact).
    expect(staleCounts.resumed).toBeGreaterThan(before.resumed);
    expect(staleCounts.resent).toBeGreaterThan(before.resent);
  });

  it('a chunk sent again is merged from its new answer, not the stale one', () => {
    // One property checked along the way, the rest on final states: once the mutant breaks it,
    // partial-order reduction no longer needs the visibility proviso and prunes more, so a chunk
    // expanded before that (sent again) stores other states than its new expansion does. Merging
    // the stale answer would change the state count.
    const variant = findVariant('linux-4.3/publish-after-get-port')!;
    const rest = PROPERTIES.filter((p) => !readsAlongTheWay(p));
    const o = { variant, scenario: builtinScenario('mixed-three')!, symmetry: true, por: true };
    const before = staleCounts.resent;
    const r = same({ ...o, properties: [findProperty('no-conflicting-listeners')!, ...rest] });
    expect(r.properties.find((p) => p.id === 'no-conflicting-listeners')!.verdict).toBe('violated');
    // Without the property the search prunes from the start: it matters which answer is merged.
    expect(explore({ ...o, properties: rest }).stats.states).toBeLessThan(r.stats.states);
    expect(staleCounts.resent).toBeGreaterThan(before);
  });

  it('a state bound cuts both at the same state', () => {
    const r = same({ variant: linux618, scenario: builtinScenario('mixed-three')!, properties: PROPERTIES, maxStates: 200 });
    expect(r.truncated).toBe(true);
    expect(r.bound).toBe('states');
  });
});

describe('what runs on one thread, and the threads left', () => {
  it('parallelRefusal names depth-first, --races, an unregistered variant or property; none for the registered ones', () => {
    const base = { variant: linux43, properties: PROPERTIES };
    expect(parallelRefusal(base)).toBeNull();
    expect(parallelRefusal({ ...base, strategy: 'dfs' })).toMatch(/depth-first/);
    expect(parallelRefusal({ ...base, races: true })).toMatch(/--races/);
    expect(parallelRefusal({ ...base, variant: { ...linux43 } })).toMatch(/variant linux-4\.3 is not a registered one/);
    const own: Property = { ...PROPERTIES[0] } as Property;
    expect(parallelRefusal({ ...base, properties: [own] })).toMatch(/not a registered one/);
  });

  it('depth-first with workers asked for is the sequential depth-first search', () => {
    const o: ExploreOptions = { variant: linux43, scenario: listenRace(3), properties: PROPERTIES, strategy: 'dfs' };
    expect(stable(explore({ ...o, workers: 2, workersFrom: 0 }))).toEqual(stable(explore(o)));
  });

  it('a worker that dies mid-search ends the search with a one-line SearchWorkerDied, and no worker is left', async () => {
    // search-worker.ts's test hook: worker 0 exits before answering its 3rd chunk (read when the workers start).
    closeSearchWorkers();
    process.env.TLM_TEST_WORKER_EXIT = '3';
    try {
      const run = () => explore({ variant: linux43, scenario: listenRace(5), properties: PROPERTIES, symmetry: false, workers: 2, workersFrom: 0 });
      expect(run).toThrow(SearchWorkerDied);
      expect(run).toThrow(/^explore: search worker 1 of 2 exited \(code 3\) before the search ended; run again with --workers 1$/);
    } finally {
      delete process.env.TLM_TEST_WORKER_EXIT;
    }
    await vi.waitFor(() => expect(liveSearchWorkers()).toBe(0), { timeout: 10_000, interval: 20 });
    // The next search starts healthy workers.
    same({ variant: linux43, scenario: listenRace(3), properties: PROPERTIES });
  });

  it('a search stopped by its progress callback (Ctrl-C in the CLI) ends its workers at once', async () => {
    const r = explore({
      variant: linux43, scenario: listenRace(6), properties: PROPERTIES, symmetry: false, workers: 2, workersFrom: 0,
      progress: () => 'stop',
    });
    expect(r.bound).toBe('interrupted');
    expect(r.truncated).toBe(true);
    await vi.waitFor(() => expect(liveSearchWorkers()).toBe(0), { timeout: 10_000, interval: 20 });
  });
});
