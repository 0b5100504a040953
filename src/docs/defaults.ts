// What `docs` generates from, fixed: the registries, the seed and the run counts. `docs --check`
// and the vitest test use exactly these, so the committed file is what they would write.

import { join } from 'node:path';
import { ROOT } from '../paths.ts';
import { KERNELS } from '../../model/registry.ts';
import { MUTANTS } from '../../model/mutants/index.ts';
import { PROPERTIES } from '../../properties/registry.ts';
import { BUILTIN_SCENARIOS } from '../scenarios/builtin.ts';
import type { InvariantsDocOptions } from './invariants.ts';
import { readWitness } from './witness.ts';

/** The repository root (the docs live in the repo, whatever the working directory). */
export const REPO_ROOT = ROOT;
export const INVARIANTS_PATH = join(REPO_ROOT, 'docs', 'INVARIANTS.md');
export const WITNESS_PATH = join(REPO_ROOT, 'docs', 'witness.json');

const DOCS_SEED = 1;
/** Enough to find both expected violations on 4.3; the whole generation stays well under 20 s. */
const DOCS_RUNS = 200;
/** Mutants are explored exhaustively, scenario by scenario (every built-in one stays far below it). */
export const DOCS_MUTANT_MAX_STATES = 200_000;

export function invariantsDocOptions(witnessPath = WITNESS_PATH): InvariantsDocOptions {
  return {
    properties: PROPERTIES,
    kernels: KERNELS,
    mutants: MUTANTS,
    scenarios: BUILTIN_SCENARIOS,
    runs: DOCS_RUNS,
    mutantMaxStates: DOCS_MUTANT_MAX_STATES,
    seed: DOCS_SEED,
    witness: readWitness(witnessPath),
  };
}
