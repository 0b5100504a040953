// What every linux-4.3 mutant shares: how it is derived from the base variant, and the record
// of which steps it changes (a kill's counterexample must run one of them).

import type { MutantInfo, Variant } from '../variant.ts';
import { linux43 } from '../variants/linux-4.3/index.ts';

export const BASE = linux43;

/**
 * A mutant and the ids of the steps it changes or adds (in any of its four programs), the step
 * with the mutated kernel line first, then steps changed only to route control or the lifecycle.
 */
export interface Mutant {
  variant: Variant;
  steps: readonly string[];
}

export interface MutantSpec extends Omit<MutantInfo, 'base'> {
  /** Ids of the changed or added steps. */
  steps: readonly string[];
  /** The programs that differ from linux-4.3; the others are linux-4.3's own objects. */
  programs: Partial<Variant['programs']>;
}

export function mutant43(s: MutantSpec): Mutant {
  const { steps, programs, ...info } = s;
  return {
    steps,
    variant: {
      ...BASE,
      id: `${BASE.id}/${info.id}`,
      title: `Linux 4.3 mutant${info.catalogue ? ` ${info.catalogue}` : ''}: ${info.id}`,
      description: `${info.change} ${info.effect}`,
      programs: { ...BASE.programs, ...programs },
      mutant: { ...info, base: BASE.id },
    },
  };
}
