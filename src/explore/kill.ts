// Kills a mutant with the explorer: every built-in scenario searched breadth-first until the
// first violation that is not a documented kernel behaviour; the shortest one found wins.

import type { ExploredCounterexample } from '../engine/counterexample.ts';
import type { Scenario } from '../../model/scenario.ts';
import { ScenarioError } from '../../model/system.ts';
import type { Variant } from '../../model/variant.ts';
import { PROPERTIES } from '../../properties/registry.ts';
import { BUILTIN_SCENARIOS } from '../scenarios/builtin.ts';
import { explore } from './explore.ts';

export interface ExploreKill {
  killed: boolean;
  propertyId?: string;
  scenario?: string;
  /** States stored by the search of that scenario up to the violation. */
  states: number;
  /** Transitions in the shortest counterexample. */
  length: number;
  /** States stored over every scenario searched. */
  totalStates: number;
  counterexample?: ExploredCounterexample;
}

export function exploreKill(variant: Variant, scenarios: readonly Scenario[] = BUILTIN_SCENARIOS, maxStates = 2_000_000): ExploreKill {
  let best: ExploreKill = { killed: false, states: 0, length: Infinity, totalStates: 0 };
  let total = 0;
  for (const scenario of scenarios) {
    let r;
    try {
      r = explore({ variant, scenario, properties: PROPERTIES, stopAtFirstViolation: true, maxStates });
    } catch (e) {
      // A setup whose lifecycle move the statechart refuses is a kill at depth 0.
      if (e instanceof ScenarioError && /lifecycle refuses/.test(e.message)) return { killed: true, propertyId: 'lifecycle-legal', scenario: scenario.name, states: 0, length: 0, totalStates: total };
      throw e;
    }
    total += r.stats.states;
    const v = r.properties.filter((p) => p.verdict === 'violated' && p.counterexample).sort((a, b) => a.counterexample!.depth - b.counterexample!.depth)[0];
    if (v && v.counterexample!.depth < best.length) {
      best = { killed: true, propertyId: v.id, scenario: scenario.name, states: r.stats.states, length: v.counterexample!.depth, totalStates: 0, counterexample: v.counterexample };
    }
  }
  return { ...best, totalStates: total, length: best.killed ? best.length : 0 };
}
