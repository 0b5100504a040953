// The one counterexample: a run of a scenario on a variant, under a schedule, that violates a
// property. `check` finds one at random and says how to find it again; `explore` finds a
// shortest one. Each fills in its own "how it was found" fields, which its result type requires.

import type { Scenario } from '../../model/scenario.ts';
import type { RunResult, Segment } from './run.ts';

export interface Counterexample {
  propertyId: string;
  message: string;
  scenario: Scenario;
  /** Variant id. */
  variant: string;
  schedule: Segment[];
  /** The run that violated the property, with its trace. */
  run: RunResult;
  /** explore: transitions from the initial state to the violation (a shortest path). */
  depth?: number;
  /** check: the fast-check seed and path that reproduce it with `check --seed S --path P`. */
  seed?: number;
  path?: string;
  /** check: the shrinks fast-check took. */
  shrinks?: number;
}

/** A counterexample found by `check`: it always says how to find it again. */
export type CheckedCounterexample = Counterexample & Required<Pick<Counterexample, 'seed' | 'path' | 'shrinks'>>;

/** A counterexample found by `explore`: it always has its (shortest) depth. */
export type ExploredCounterexample = Counterexample & Required<Pick<Counterexample, 'depth'>>;
