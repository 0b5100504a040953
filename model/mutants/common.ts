// What every mutant shares: how it is derived from its base kernel, the record of which steps it
// changes (a kill's counterexample must run one of them), and what a mutation recipe needs to
// know of a kernel. A mistake that both kernels can make is written once, as a recipe: a function
// of a KernelBase (kernels.ts) and a small per-kernel parameter object holding that kernel's
// lines and MutantInfo text; the files here are split by what the mutation changes.

import type { Kernel, ReadonlyKernel } from '../kernel-view.ts';
import type { Ctx, Program } from '../program.ts';
import type { MutantInfo, Variant } from '../variant.ts';

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

/** A SYN lookup the syn program can be built with: the listener for daddr:port, or -1. */
export type Lookup = (k: Kernel, daddr: number, port: number) => number;

/**
 * One kernel as the recipes see it: its variant, and the few places where 4.3 and 6.18 write the
 * listen path differently. `R` is its get_port rules object (GetPortRules, GetPortRules618).
 * Methods, not function fields, so that a KernelBase<GetPortRules> is a KernelBase<unknown>.
 */
export interface KernelBase<R = unknown> {
  variant: Variant;
  /** Title prefix of its mutants, e.g. "Linux 4.3". */
  name: string;

  /** get_port's checks as the kernel has them. */
  rules: R;
  /** bind() and listen() built with other get_port rules. */
  programsWith(rules: R): Pick<Variant['programs'], 'bind' | 'listen'>;
  /** inet_csk_get_port: 0, or what a refusal returns (4.3: 1, 6.18: an errno). */
  getPort(k: Kernel, sk: number, snum: number, rules?: R): number;
  /** What a refused get_port returns. */
  refused: number;
  /** What listen()'s get-port step does with a failed get_port's result besides the lifecycle. */
  keepErr(k: Kernel, c: Ctx, err: number): void;
  /** What bind()'s get-port step does once get_port returned `err`. */
  bindGotPort(k: Kernel, c: Ctx, err: number): string | void;

  /** The listen step after the rollback that gives up: frees the queue, returns err. */
  unwind: string;
  /** The listen steps that jump to the rollback when they fail. */
  failing: readonly string[];
  /** inet_hash into a given listening bucket. */
  hash(k: Kernel, sk: number, bucket: number): void;
  /** What listen()'s hash step does once the socket is hashed: the success exit. */
  hashed(k: Kernel, c: Ctx): string;
  /** The syn program with another lookup. */
  synWith(lookup: Lookup): Program;

  /** The kernel's own words for the statements the recipes move, drop or annotate. */
  text: {
    /** The store that publishes TCP_LISTEN in inet_csk_listen_start. */
    listenStore: string;
    /** The failure path's TCP_CLOSE store. */
    rollbackStore: string;
    /** tcp_set_state's TCP_CLOSE store on close(). */
    closeStore: string;
    /** The get_port call in inet_csk_listen_start. */
    getPortCall: string;
    /** The test of get_port's result that guards the hash. */
    getPortTest: string;
    /** The hash call in inet_csk_listen_start. */
    hashCall: string;
  };
}

/** A kernel's own text of a mutant; `effect` may come from the recipe when both kernels share it. */
export interface Told {
  change: string;
  effect?: string;
  history?: string;
}

/** A mutant of `b`: id `<base>/<id>`, the base's programs except the ones the spec gives. */
export function mutant(b: KernelBase, s: MutantSpec): Mutant {
  const { steps, programs, ...info } = s;
  const base = b.variant;
  return {
    steps,
    variant: {
      ...base,
      id: `${base.id}/${info.id}`,
      title: `${b.name} mutant${info.catalogue ? ` ${info.catalogue}` : ''}: ${info.id}`,
      description: `${info.change} ${info.effect}`,
      programs: { ...base.programs, ...programs },
      mutant: { ...info, base: base.id },
    },
  };
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

/** The listening bucket hash(sk) uses; an unbound socket hashes as port index 0. */
export const bucketOf = (b: KernelBase, k: ReadonlyKernel, sk: number) =>
  b.variant.listenBucket(Math.max(0, k.inet_num(sk)), k.rcv_saddr(sk), k.L.addrs);
