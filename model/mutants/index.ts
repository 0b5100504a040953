// The mutant catalogue: plausible kernel mistakes in the listen path, each a variant derived
// from a kernel by one change. The checker must kill every one (issue 3).
// shared/kernel-listen-path.md §7.3 lists the catalogue; M7, M9, M12 and M15 need 6.18's
// structures or TIME_WAIT owners, which the 4.3 model does not have. The linux-6.18 mutants
// follow the linux-4.3 ones (linux-6.18.ts says which entries are equivalent on 6.18, and why).

import type { Variant } from '../variant.ts';
import type { Mutant } from './common.ts';
import { LISTEN_START_MUTANTS } from './listen-start.ts';
import { GET_PORT_MUTANTS } from './get-port.ts';
import { HASHTABLE_MUTANTS } from './hashtables.ts';
import { CLOSE_MUTANTS } from './close.ts';
import { LINUX_6_18_MUTANTS } from './linux-6.18.ts';

/** Per kernel: catalogue order (M1, M2, ...), then the mutants §7.3 does not list. */
const order = (m: Mutant) => Number(m.variant.mutant?.catalogue?.slice(1) ?? 100);
const byCatalogue = (ms: readonly Mutant[]) => [...ms].sort((a, b) => order(a) - order(b));
const ALL: readonly Mutant[] = [
  ...byCatalogue([...LISTEN_START_MUTANTS, ...GET_PORT_MUTANTS, ...HASHTABLE_MUTANTS, ...CLOSE_MUTANTS]),
  ...byCatalogue(LINUX_6_18_MUTANTS),
];

export const MUTANTS: readonly Variant[] = ALL.map((m) => m.variant);

/** Variant id -> ids of the steps the mutant changes or adds; a kill's trace runs one of them. */
export const MUTATED_STEPS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(ALL.map((m) => [m.variant.id, m.steps]));

export type { Mutant } from './common.ts';
