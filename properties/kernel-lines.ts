// The kernel versions a property's lines and expected violations name must be kernels the
// registry knows: a typo, or lines for a kernel that is not there, is an error, not a blank.

import type { Variant } from '../model/variant.ts';
import type { Property } from './types.ts';

/** The kernel versions of these variants, each once, in order. */
export function kernelVersions(variants: readonly Variant[]): string[] {
  return [...new Set(variants.map((v) => v.kernel))];
}

/** One sentence per kernel version a property names that none of `variants` has; empty when all are known. */
export function unknownKernelVersions(properties: readonly Property[], variants: readonly Variant[]): string[] {
  const known = new Set(kernelVersions(variants));
  const problems: string[] = [];
  for (const p of properties) {
    const named = [...Object.keys(p.kernel), ...(p.expectedViolation?.kernels ?? [])];
    for (const v of new Set(named)) if (!known.has(v)) problems.push(`property ${p.id}: no kernel version ${v} in the registry`);
  }
  return problems;
}
