// Which mutants each property kills, for the docs. The mutant catalogue's kill function decides:
// randomKill checks the properties in registry order and stops at the first unexpected violation,
// so each killed mutant is listed under exactly one property, with the shrunk counterexample that
// killed it (the same verdict the mutant table reports).

import type { Variant } from '../../model/variant.ts';
import type { Scenario } from '../../model/scenario.ts';
import { randomKill, type KillResult } from '../engine/kill.ts';

export interface MutantKill {
  mutant: Variant;
  kill: KillResult;
}

export interface MutantRunOptions {
  scenarios: readonly Scenario[];
  runs: number;
  seed: number;
}

/** Property id -> the mutants it kills, in catalogue order; mutants nothing kills under "". */
export type MutantTable = ReadonlyMap<string, readonly MutantKill[]>;

export function mutantTable(mutants: readonly Variant[], o: MutantRunOptions): MutantTable {
  const table = new Map<string, MutantKill[]>();
  for (const mutant of mutants) {
    const kill = randomKill(mutant, { seed: o.seed, runs: o.runs, scheduler: 'random', depth: 2, scenarios: o.scenarios });
    const key = kill.killed ? kill.propertyId ?? '' : '';
    table.set(key, [...(table.get(key) ?? []), { mutant, kill }]);
  }
  return table;
}

/** The hook the docs call: the mutants a property kills. */
export function mutantsBreaking(propertyId: string, table: MutantTable): readonly MutantKill[] {
  return table.get(propertyId) ?? [];
}

/** The mutants no property killed. */
export function mutantsSurviving(table: MutantTable): readonly MutantKill[] {
  return table.get('') ?? [];
}
