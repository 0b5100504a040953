// A variant is one kernel's listen path: its four syscall programs and how it places a
// listener in the listening hash. Mutants are variants derived from a base by one change.

import type { Program } from './program.ts';

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

export interface Variant {
  /** e.g. "linux-4.3" or "linux-4.3/publish-after-get-port". */
  id: string;
  /** Which kernel's line numbers the steps carry. */
  kernel: '4.3' | '6.18';
  title: string;
  description: string;
  programs: { bind: Program; listen: Program; close: Program; syn: Program };
  /** The listening-hash bucket of a socket bound to (port, address). */
  listenBucket(port: number, addr: number, addrs: number): number;
  mutant?: MutantInfo;
}
