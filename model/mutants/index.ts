// The mutant catalogue: plausible kernel mistakes in the listen path, each a variant derived
// from a kernel by one change. The checker must kill every one (issue 3).

import type { Variant } from '../variant.ts';

export const MUTANTS: readonly Variant[] = [];
