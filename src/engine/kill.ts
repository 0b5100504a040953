// Kills a mutant with the random checker: the properties in registry order, each over the
// built-in scenarios and then generated ones, stopping at the first verdict "violated". A
// violation the base kernel shows on purpose ("violated as expected") is not a kill.

import type { Scenario } from '../../model/scenario.ts';
import fc from 'fast-check';
import { compileSystem, ScenarioError, type System } from '../../model/system.ts';
import type { Variant } from '../../model/variant.ts';
import { PROPERTIES } from '../../properties/registry.ts';
import { BUILTIN_SCENARIOS } from '../scenarios/builtin.ts';
import { checkProperties, expectedOn, type Counterexample } from './check.ts';
import { runSchedule, type Segment } from './run.ts';
import { pctSchedule, uniformSchedule } from './schedule.ts';
import { generatedScenario } from './generate.ts';

export interface KillOptions {
  seed: number;
  /** Runs per property and scenario, as `check --runs`. */
  runs: number;
  scheduler: 'random' | 'pct';
  depth: number;
  /** Defaults to the built-in scenarios. */
  scenarios?: readonly Scenario[];
  /** Also search generated scenarios (default true). */
  generated?: boolean;
}

export interface KillResult {
  killed: boolean;
  /** The property whose violation killed it. */
  propertyId?: string;
  /** Schedules tried, over every property searched, up to and including the kill. */
  runs: number;
  /** The scenario of the counterexample ("generated" for a generated one). */
  scenario?: string;
  /** Wall-clock milliseconds to the kill (or to giving up). */
  ms: number;
  /** The shrunk counterexample, with its trace; absent for a kill found in a scenario's setup. */
  counterexample?: Counterexample;
}

const LIFECYCLE = 'lifecycle-legal';

export function randomKill(variant: Variant, opts: KillOptions): KillResult {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  // A scenario whose setup (run sequentially) makes the statechart refuse a move cannot be
  // compiled; that refusal is itself a kill by lifecycle-legal, counted in registry order.
  const scenarios: Scenario[] = [];
  let setupRefused: string | undefined;
  for (const s of opts.scenarios ?? BUILTIN_SCENARIOS) {
    try {
      compileSystem(s, variant);
      scenarios.push(s);
    } catch (e) {
      if (!(e instanceof ScenarioError) || !/lifecycle refuses/.test(e.message)) throw e;
      setupRefused ??= s.name;
    }
  }
  let runs = 0;
  for (const p of PROPERTIES) {
    if (p.id === LIFECYCLE && setupRefused) return { killed: true, propertyId: p.id, runs, scenario: setupRefused, ms: ms() };
    let v;
    try {
      [v] = checkProperties({
        variant, scenarios, generated: opts.generated ?? true, properties: [p],
        runs: opts.runs, seed: opts.seed, scheduler: opts.scheduler, depth: opts.depth, merge: true,
      });
    } catch (e) {
      // A generated scenario's setup hit a refused lifecycle move (checkProperties compiles it
      // outside the search, where the refusal surfaces as an error).
      if (e instanceof ScenarioError && /lifecycle refuses/.test(e.message)) return { killed: true, propertyId: LIFECYCLE, runs, scenario: 'generated', ms: ms() };
      throw e;
    }
    runs += v.runs;
    if (v.verdict === 'violated') {
      const cx = v.counterexample!;
      return { killed: true, propertyId: p.id, runs, scenario: cx.scenario.name, ms: ms(), counterexample: cx };
    }
  }
  return { killed: false, runs, ms: ms() };
}

export interface FirstOptions {
  seed: number;
  scheduler: 'random' | 'pct';
  depth: number;
  /** Give up after this many schedules. */
  maxRuns?: number;
  scenarios?: readonly Scenario[];
}

export interface FirstResult {
  found: boolean;
  propertyId?: string;
  scenario?: string;
  /** Schedules run until the first counterexample (all properties checked on each). */
  runs: number;
  /** Milliseconds to the first counterexample, its shrinking included. */
  ms: number;
  counterexample?: Counterexample;
}

/**
 * The random checker's time to a first counterexample: every property that the base kernel does
 * not violate on purpose is checked on every run, and batches of runs go round the built-in
 * scenarios and then generated ones, so no scenario waits for another to be exhausted.
 */
export function firstCounterexample(variant: Variant, o: FirstOptions): FirstResult {
  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  const props = PROPERTIES.filter((p) => !expectedOn(p, variant));
  const systems: System[] = [];
  for (const s of o.scenarios ?? BUILTIN_SCENARIOS) {
    try {
      systems.push(compileSystem(s, variant));
    } catch (e) {
      if (e instanceof ScenarioError && /lifecycle refuses/.test(e.message)) return { found: true, propertyId: LIFECYCLE, scenario: s.name, runs: 0, ms: ms() };
      throw e;
    }
  }
  const BATCH = 25;
  const maxRuns = o.maxRuns ?? 200_000;
  let runs = 0;
  for (let batch = 0; runs < maxRuns; batch++) {
    for (let i = 0; i <= systems.length && runs < maxRuns; i++) {
      const seed = (o.seed * 1_000_003 + batch * 7919 + i) | 0;
      if (i < systems.length) {
        const sys = systems[i];
        const arb = o.scheduler === 'pct' ? pctSchedule(sys, o.depth) : uniformSchedule();
        const r = fc.check(fc.property(arb, (s) => runSchedule(sys, s, { properties: props }).violation === null), { seed, numRuns: BATCH, endOnFailure: true });
        runs += r.numRuns;
        if (r.failed && r.counterexample) return done(sys, r.counterexample[0] as Segment[], r, runs);
      } else {
        let failing: System | null = null;
        const r = fc.check(fc.property(generatedScenario(), uniformSchedule(), (scenario, s) => {
          let sys: System;
          try { sys = compileSystem(scenario, variant); } catch { return true; }
          const v = runSchedule(sys, s, { properties: props }).violation === null;
          if (!v) failing = sys;
          return v;
        }), { seed, numRuns: BATCH, endOnFailure: true });
        runs += r.numRuns;
        if (r.failed && r.counterexample && failing) return done(compileSystem((r.counterexample[0] as Scenario), variant), r.counterexample[1] as Segment[], r, runs);
      }
    }
  }
  return { found: false, runs, ms: ms() };

  function done(sys: System, schedule: Segment[], r: { seed: number; counterexamplePath?: string | null }, total: number): FirstResult {
    const run = runSchedule(sys, schedule, { properties: props, trace: true });
    const propertyId = run.violation?.propertyId ?? '?';
    return {
      found: true, propertyId, scenario: sys.scenario.name, runs: total, ms: ms(),
      counterexample: { propertyId, message: run.violation?.message ?? '', scenario: sys.scenario, variant: variant.id, schedule, seed: r.seed, path: r.counterexamplePath ?? '', shrinks: 0, run },
    };
  }
}
