// The mutant catalogue: plausible kernel mistakes in the listen path, each a variant derived
// from a kernel by one change. The checker must kill every one (issue 3).
// shared/kernel-listen-path.md §7.3 lists the catalogue; M7, M9, M12 and M15 need 6.18's
// structures or TIME_WAIT owners, which the 4.3 model does not have. The linux-6.18 mutants
// follow the linux-4.3 ones (linux-6.18.ts says which entries are equivalent on 6.18, and why).
// Each file holds both kernels' mutants of one part of the path, a shared mistake as one recipe.

import type { Variant } from '../variant.ts';
import type { Mutant } from './common.ts';
import { LISTEN_START_MUTANTS } from './listen-start.ts';
import { GET_PORT_MUTANTS } from './get-port.ts';
import { HASHTABLE_MUTANTS } from './hashtables.ts';
import { CLOSE_MUTANTS } from './close.ts';
import { TEETH_MUTANTS } from './teeth.ts';

/** Per kernel: catalogue order (M1, M2, ...), then the mutants §7.3 does not list, in file order. */
const order = (m: Mutant) => Number(m.variant.mutant?.catalogue?.slice(1) ?? 100);
const FILE_ORDER: readonly Mutant[] = [...LISTEN_START_MUTANTS, ...GET_PORT_MUTANTS, ...HASHTABLE_MUTANTS, ...CLOSE_MUTANTS, ...TEETH_MUTANTS];
const ofKernel = (base: string) => FILE_ORDER.filter((m) => m.variant.mutant?.base === base).sort((a, b) => order(a) - order(b));
const ALL: readonly Mutant[] = [...ofKernel('linux-4.3'), ...ofKernel('linux-6.18')];

export const MUTANTS: readonly Variant[] = ALL.map((m) => m.variant);

/** Variant id -> ids of the steps the mutant changes or adds; a kill's trace runs one of them. */
export const MUTATED_STEPS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(ALL.map((m) => [m.variant.id, m.steps]));

export type { Mutant } from './common.ts';
