// Kills a mutant with the random checker: the properties in registry order, each over the
// built-in scenarios and then generated ones, stopping at the first verdict "violated". A
// violation the base kernel shows on purpose ("violated as expected") is not a kill.

import type { Scenario } from '../../model/scenario.ts';
import { compileSystem, ScenarioError } from '../../model/system.ts';
import type { Variant } from '../../model/variant.ts';
import { PROPERTIES } from '../../properties/registry.ts';
import { BUILTIN_SCENARIOS } from '../scenarios/builtin.ts';
import { checkProperties, type Counterexample } from './check.ts';

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
