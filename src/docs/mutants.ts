// Which mutants violate each property, for the docs. Every mutant is explored exhaustively over
// the scenarios (breadth-first, deterministic: no seed), with every property, and every property
// it violates is kept with its shortest counterexample, not only the first one. The first
// violated property in registry order is the one that kills it (the one the docs draw).

import type { ExploredCounterexample } from '../engine/counterexample.ts';
import type { Variant } from '../../model/variant.ts';
import type { Scenario } from '../../model/scenario.ts';
import type { Property } from '../../properties/types.ts';
import { ScenarioError } from '../../model/system.ts';
import { explore } from '../explore/explore.ts';

/** One property a mutant violates: where first, and the shortest counterexample there. */
interface MutantViolation {
  mutant: Variant;
  propertyId: string;
  scenario: Scenario;
  message: string;
  /** Absent when the scenario's setup already made the statechart refuse a move. */
  counterexample?: ExploredCounterexample;
}

interface MutantRunOptions {
  scenarios: readonly Scenario[];
  properties: readonly Property[];
  /** Bound on each search (a search that reaches it is deterministic still: it counts states). */
  maxStates: number;
}

/** Property id -> the mutants that violate it (not as expected), in catalogue order. */
export interface MutantTable {
  readonly violations: ReadonlyMap<string, readonly MutantViolation[]>;
  /** Mutant id -> the first property it violates in registry order (its kill), if any. */
  readonly firstKill: ReadonlyMap<string, string>;
  /** The mutants that violate no property. */
  readonly survivors: readonly Variant[];
}

/** Every property each mutant violates over the scenarios, the shortest counterexample of each. */
function violationsOf(mutant: Variant, o: MutantRunOptions): MutantViolation[] {
  const found = new Map<string, MutantViolation>();
  for (const scenario of o.scenarios) {
    let r;
    try {
      r = explore({ variant: mutant, scenario, properties: o.properties, symmetry: true, maxStates: o.maxStates });
    } catch (e) {
      // A setup whose lifecycle move the statechart refuses: lifecycle-legal, before any thread starts.
      if (!(e instanceof ScenarioError) || !/lifecycle refuses/.test(e.message)) throw e;
      if (!found.has('lifecycle-legal')) found.set('lifecycle-legal', { mutant, propertyId: 'lifecycle-legal', scenario, message: e.message });
      continue;
    }
    for (const p of r.properties) {
      if (p.verdict !== 'violated' || !p.counterexample) continue;
      const was = found.get(p.id);
      if (was?.counterexample && was.counterexample.depth <= p.counterexample.depth) continue;
      if (was && !was.counterexample) continue;
      found.set(p.id, { mutant, propertyId: p.id, scenario, message: p.counterexample.message, counterexample: p.counterexample });
    }
  }
  return o.properties.flatMap((p) => found.get(p.id) ?? []);
}

export function mutantTable(mutants: readonly Variant[], o: MutantRunOptions): MutantTable {
  const violations = new Map<string, MutantViolation[]>();
  const firstKill = new Map<string, string>();
  const survivors: Variant[] = [];
  for (const mutant of mutants) {
    const vs = violationsOf(mutant, o);
    if (vs.length === 0) survivors.push(mutant);
    else firstKill.set(mutant.id, vs[0].propertyId);
    for (const v of vs) violations.set(v.propertyId, [...(violations.get(v.propertyId) ?? []), v]);
  }
  return { violations, firstKill, survivors };
}

/** The mutants that violate a property. */
export function mutantsViolating(propertyId: string, table: MutantTable): readonly MutantViolation[] {
  return table.violations.get(propertyId) ?? [];
}

/** The mutants a property kills: those whose first violated property (registry order) it is. */
export function mutantsBreaking(propertyId: string, table: MutantTable): readonly MutantViolation[] {
  return mutantsViolating(propertyId, table).filter((v) => table.firstKill.get(v.mutant.id) === propertyId);
}
