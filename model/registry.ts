// Every variant by id: the kernels (one folder each under model/variants/) and their mutants
// ("<kernel>/<mutant-id>", model/mutants/). Adding a kernel version is its folder plus one entry
// in KERNEL_FOLDERS, or a registerVariant call from code; the kernel versions everything else
// keys by (properties' kernel lines, expected violations, the docs) are the ones listed here.

import { compileProgram } from './program.ts';
import { PROGRAM_NAMES, type Variant } from './variant.ts';
import { linux43 } from './variants/linux-4.3/index.ts';
import { linux618 } from './variants/linux-6.18/index.ts';
import { MUTANTS } from './mutants/index.ts';

const KERNEL_FOLDERS: readonly Variant[] = [linux43, linux618];

const kernels: Variant[] = [...KERNEL_FOLDERS];
const mutants: Variant[] = [...MUTANTS];

/** The kernels, in registration order (a live view: registerVariant adds to it). */
export const KERNELS: readonly Variant[] = kernels;

/** The default variant for every command. */
export const DEFAULT_VARIANT = 'linux-4.3';

export function allVariants(): Variant[] {
  return [...kernels, ...mutants];
}

/** Looks a variant up by id; undefined if there is none. */
export function findVariant(id: string): Variant | undefined {
  return kernels.find((v) => v.id === id) ?? mutants.find((v) => v.id === id);
}

/** The kernel a variant (or mutant) belongs to. */
export function baseOf(v: Variant): Variant {
  return v.mutant ? kernels.find((b) => b.id === v.mutant!.base) ?? v : v;
}

/** The kernel versions of the registered kernels, each once, in registration order. */
export function registeredKernelVersions(): string[] {
  return [...new Set(kernels.map((v) => v.kernel))];
}

/**
 * Adds a variant: a kernel, or a mutant (`mutant` set) of a registered kernel. Its id must be
 * new and of the form `name` (a kernel) or `<base>/<name>` (a mutant), its kernel version
 * non-empty (a mutant's is its base's), and its four programs must compile (unique step ids, at
 * most 64 steps). Throws an Error naming the problem; returns the variant.
 */
export function registerVariant(v: Variant): Variant {
  const fail = (why: string): never => { throw new Error(`variant ${v.id}: ${why}`); };
  if (findVariant(v.id)) fail('an id already registered');
  if (!/^[a-z0-9][a-z0-9.-]*(\/[a-z0-9][a-z0-9-]*)?$/.test(v.id)) fail('ids are lowercase letters, digits, "." and "-", with one "/" for a mutant');
  if (!v.kernel) fail('no kernel version');
  if (v.mutant) {
    const base = kernels.find((b) => b.id === v.mutant!.base) ?? fail(`no kernel ${v.mutant.base} to be a mutant of`);
    if (v.id !== `${base.id}/${v.mutant.id}`) fail(`a mutant's id is ${base.id}/${v.mutant.id}`);
    if (v.kernel !== base.kernel) fail(`kernel version ${v.kernel}, its base's is ${base.kernel}`);
  } else if (v.id.includes('/')) fail('a "/" id is a mutant\'s, and this variant has no mutant info');
  for (const name of PROGRAM_NAMES) {
    const p = v.programs[name] ?? fail(`no ${name} program`);
    try { compileProgram(p); } catch (e) { fail((e as Error).message); }
  }
  (v.mutant ? mutants : kernels).push(v);
  return v;
}
