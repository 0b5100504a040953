// Every variant by id: the kernels and their mutants ("<kernel>/<mutant-id>").

import type { Variant } from '../variant.ts';
import { linux43 } from './linux-4.3/index.ts';
import { linux618 } from './linux-6.18/index.ts';
import { MUTANTS } from '../mutants/index.ts';

export const KERNELS: readonly Variant[] = [linux43, linux618];

/** The default variant for every command. */
export const DEFAULT_VARIANT = 'linux-4.3';

export function allVariants(): Variant[] {
  return [...KERNELS, ...MUTANTS];
}

/** Looks a variant up by id; undefined if there is none. */
export function findVariant(id: string): Variant | undefined {
  return allVariants().find((v) => v.id === id);
}

/** The kernel a variant (or mutant) belongs to. */
export function baseOf(v: Variant): Variant {
  return v.mutant ? KERNELS.find((b) => b.id === v.mutant!.base) ?? v : v;
}
