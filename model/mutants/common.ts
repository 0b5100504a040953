// What every mutant shares: how it is derived from its base kernel (linux-4.3 or linux-6.18), and
// the record of which steps it changes (a kill's counterexample must run one of them).

import type { MutantInfo, Variant } from '../variant.ts';
import { linux43 } from '../variants/linux-4.3/index.ts';
import { linux618 } from '../variants/linux-6.18/index.ts';

export const BASE = linux43;
export const BASE_6_18 = linux618;

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
  /** The programs that differ from the base; the others are the base's own objects. */
  programs: Partial<Variant['programs']>;
}

/** A mutant of `base`: id `<base>/<id>`, the base's programs except the ones the spec gives. */
function derive(base: Variant, kernel: string, s: MutantSpec): Mutant {
  const { steps, programs, ...info } = s;
  return {
    steps,
    variant: {
      ...base,
      id: `${base.id}/${info.id}`,
      title: `${kernel} mutant${info.catalogue ? ` ${info.catalogue}` : ''}: ${info.id}`,
      description: `${info.change} ${info.effect}`,
      programs: { ...base.programs, ...programs },
      mutant: { ...info, base: base.id },
    },
  };
}

export function mutant43(s: MutantSpec): Mutant {
  return derive(BASE, 'Linux 4.3', s);
}

export function mutant618(s: MutantSpec): Mutant {
  return derive(BASE_6_18, 'Linux 6.18', s);
}
