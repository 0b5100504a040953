// A mutant is a change applied to a kernel: to its parts (get_port's rule knobs, or one of its
// functions) and to its programs (a step moved, patched or replaced), written as data and
// applied here. A mistake both kernels can make is one recipe: a function of the kernel that
// reads what it needs from the kernel's own steps and parts; the files here are split by what
// the mutation changes.

import type { ReadonlyKernel } from '../kernel-view.ts';
import { findStep, moveAfter, patchStep, replaceStep, type Program, type Step } from '../program.ts';
import { PROGRAM_NAMES, type KernelParts, type KernelVariant, type MutantInfo, type ProgramName, type Variant } from '../variant.ts';

/**
 * A mutant and the ids of the steps it changes or adds (in any of its four programs), the step
 * with the mutated kernel line first, then steps changed only to route control or the lifecycle.
 */
export interface Mutant {
  variant: Variant;
  steps: readonly string[];
}

/** An edit reads the step it edits, and the program as the earlier edits left it. */
type FromStep<T> = (step: Step, program: Program) => T;

/** One edit of one program: move a step after another, change fields of a step, or replace it by steps. */
export type Edit =
  | { program: ProgramName; move: string; after: string }
  | { program: ProgramName; patch: string; with: Partial<Step> | FromStep<Partial<Step>> }
  | { program: ProgramName; replace: string; by: FromStep<Step[]> };

/** A kernel's parts changed: rule knobs (the others keep the kernel's value), or whole parts. */
type PartsChange<R> = Partial<Omit<KernelParts<R>, 'rules'>> & { rules?: Partial<R> };

export interface Mutation<R = unknown> extends Omit<MutantInfo, 'base'> {
  /** Ids of the changed or added steps. */
  steps: readonly string[];
  parts?: PartsChange<R>;
  /** Applied in order, each to the program as the earlier ones left it. */
  edits?: readonly Edit[];
}

/** The programs that call each part: rebuilt when the part changes. */
const CALLERS: Readonly<Record<keyof KernelParts, readonly ProgramName[]>> = {
  rules: ['bind', 'listen'], getPort: ['bind', 'listen'], errno: ['bind', 'listen'], hash: ['listen'],
};

/**
 * The mutant of `base`: id `<base>/<id>`; the programs that a changed part or an edit touches
 * are rebuilt and edited, the others are the base's own objects.
 */
export function applyMutation<R>(base: KernelVariant<R>, m: Mutation<R>): Mutant {
  const { steps, parts, edits = [], ...info } = m;
  const rebuilt = parts ? base.build(changed(base.parts, parts)) : base.programs;
  const touched = new Set([...Object.keys(parts ?? {}).flatMap((p) => CALLERS[p as keyof KernelParts]), ...edits.map((e) => e.program)]);
  const program = (name: ProgramName) =>
    touched.has(name) ? edits.filter((e) => e.program === name).reduce(applyEdit, rebuilt[name]) : base.programs[name];
  return {
    steps,
    variant: {
      id: `${base.id}/${info.id}`,
      kernel: base.kernel,
      title: `Linux ${base.kernel} mutant${info.catalogue ? ` ${info.catalogue}` : ''}: ${info.id}`,
      description: `${info.change} ${info.effect}`,
      programs: Object.fromEntries(PROGRAM_NAMES.map((name) => [name, program(name)])) as Variant['programs'],
      listenBucket: base.listenBucket,
      mutant: { ...info, base: base.id },
    },
  };
}

function changed<R>(parts: KernelParts<R>, change: PartsChange<R>): KernelParts<R> {
  return { ...parts, ...change, rules: { ...parts.rules, ...change.rules } };
}

function applyEdit(p: Program, e: Edit): Program {
  if ('move' in e) return moveAfter(p, e.move, e.after);
  if ('patch' in e) return patchStep(p, e.patch, typeof e.with === 'function' ? e.with(findStep(p, e.patch), p) : e.with);
  return replaceStep(p, e.replace, e.by(findStep(p, e.replace), p));
}

/** A kernel's own text of a mutant; `effect` may come from the recipe when both kernels share it. */
export interface Told {
  change: string;
  effect?: string;
  history?: string;
}

/**
 * The MutantInfo of a recipe's mutant: its id and catalogue entry, the kernel's text, and the
 * recipe's effect unless the kernel gives its own. Keys in MutantInfo order, none undefined (the
 * JSON output and docs/INVARIANTS.md show them as they are).
 */
export function told(id: string, catalogue: string | undefined, t: Told, effect?: string): Omit<MutantInfo, 'base'> {
  const e = t.effect ?? effect;
  if (e === undefined) throw new Error(`mutant ${id}: no effect`);
  return {
    id,
    ...(catalogue !== undefined ? { catalogue } : {}),
    change: t.change,
    effect: e,
    ...(t.history !== undefined ? { history: t.history } : {}),
  };
}

/** The C statement a step's text starts with: before its comment and its first `;`. */
export const statement = (s: Step) => s.text.split('  /*')[0].split(';')[0];

/** The id of the step after `id` in a program (listen's unwind follows its rollback). */
export function stepAfter(p: Program, id: string): string {
  const i = p.steps.findIndex((s) => s.id === id);
  if (i < 0 || i + 1 >= p.steps.length) throw new Error(`program ${p.name}: no step after ${id}`);
  return p.steps[i + 1].id;
}

/** The listening bucket hash(sk) uses; an unbound socket hashes as port index 0. */
export const bucketOf = (v: Variant, k: ReadonlyKernel, sk: number) =>
  v.listenBucket(Math.max(0, k.inet_num(sk)), k.rcv_saddr(sk), k.L.addrs);
