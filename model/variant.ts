// A variant is one kernel's listen path: its four syscall programs and how it places a
// listener in the listening hash. A kernel variant is built from its parts (get_port's rules as
// data, get_port, the hash insert, the SYN lookup); a mutant is a change to a kernel's parts and
// programs (model/mutants/).

import type { Kernel } from './kernel-view.ts';
import type { Ctx, Program } from './program.ts';

export interface MutantInfo {
  /** Short id, used as `--variant <base>/<id>`. */
  id: string;
  /** The variant it changes. */
  base: string;
  /** The change, in one sentence. */
  change: string;
  /** What goes wrong, in one sentence. */
  effect: string;
  /** The kernel history it mirrors, where there is one. */
  history?: string;
  /** The catalogue entry in shared/kernel-listen-path.md section 7.3, e.g. "M1". */
  catalogue?: string;
}

export const PROGRAM_NAMES = ['bind', 'listen', 'close', 'syn'] as const;
export type ProgramName = (typeof PROGRAM_NAMES)[number];
export type Programs = Readonly<Record<ProgramName, Program>>;

export interface Variant {
  /** e.g. "linux-4.3" or "linux-4.3/publish-after-get-port". */
  id: string;
  /** Which kernel version's line numbers the steps carry, e.g. "4.3"; one of the registry's (model/registry.ts). */
  kernel: string;
  title: string;
  description: string;
  programs: Programs;
  /** The listening-hash bucket of a socket bound to (port, address). */
  listenBucket(port: number, addr: number, addrs: number): number;
  mutant?: MutantInfo;
}

/**
 * The parts a kernel's programs are built from, each the kernel's own code. `R` is get_port's
 * rules as data: the checks it makes, each a knob a mutant may turn.
 */
export interface KernelParts<R = unknown> {
  rules: R;
  /** inet_csk_get_port for the step running `c`: 0, or the refusal (see `errno`). */
  getPort(k: Kernel, c: Ctx, snum: number, rules: R): number;
  /** get_port refuses with an errno (6.18: -EADDRINUSE) that the callers store, not with 1 (4.3). */
  errno: boolean;
  /** inet_hash into a listening bucket: 0, or an errno. */
  hash(k: Kernel, sk: number, bucket: number): number;
}

/** A kernel: a variant, its parts, and how its programs are built from parts. */
export interface KernelVariant<R = unknown> extends Variant {
  parts: KernelParts<R>;
  build(parts: KernelParts<R>): Programs;
}
