// The exhaustive explorer's public face: `explore` for verdicts and proofs within a bound,
// `outcomes` for the set of reachable final outcomes with a witness each.

import { explore, type ExploreOptions, type ExploreResult, type Outcome } from './explore.ts';

export { explore, type ExploreOptions, type ExploreResult, type ExploreStats, type Outcome } from './explore.ts';
export { exploreKill, type ExploreKill } from './kill.ts';

/** The reachable final outcomes of a scenario (symmetry off, so winners are told apart). */
export function outcomes(o: Omit<ExploreOptions, 'properties' | 'outcomes' | 'symmetry'>): { complete: boolean; outcomes: Outcome[]; result: ExploreResult } {
  const result = explore({ ...o, properties: [], outcomes: true, symmetry: false });
  return { complete: !result.truncated, outcomes: result.outcomes ?? [], result };
}
