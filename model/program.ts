// A syscall as a program of atomic steps. Each step is labelled with the kernel function, file
// and line it mirrors, and says how far its effects reach (which decides where another thread
// may interleave). A step returns the id of the step to run next, RETURN, or nothing for "the
// next step in the list".

import type { Kernel, ReadonlyKernel } from './kernel-view.ts';

/** The op a thread is running, resolved to indices when the scenario is compiled. */
export interface Ctx {
  /** Thread index. */
  t: number;
  /** Socket index the op is about (-1 for a SYN). */
  sk: number;
  /** Address index (bind, SYN). */
  addr: number;
  /** Port index (bind, SYN), or -1 for port 0 (bind: ask for an ephemeral port). */
  port: number;
  /** listen(backlog). */
  backlog: number;
  /** SYN to the port of this socket (-1 when the port is given). */
  portOf: number;
}

/**
 * How far a step's effects reach:
 * - `private`: only fields of its own socket that no other thread reads (queue, backlog, sport);
 *   it needs no interleaving point before it.
 * - `socket`: fields of its own socket that only ops on the same socket read (lock_sock, the
 *   EINVAL checks); an interleaving point only if another thread uses that socket.
 * - `shared`: anything another thread's step can read (sk_state, the hash tables).
 */
export type Scope = 'private' | 'socket' | 'shared';

export const RETURN = 'return';

/**
 * A lock in the kernel's words: the socket lock (lock_sock), the bind hash bucket's head lock
 * (bhash; 6.18 also bhash2's), the listening hash bucket's lock (4.3 ilb, 6.18 ilb2), and the RCU
 * read side a lockless lookup runs under.
 */
export type LockName = 'lock_sock' | 'head->lock' | 'head2->lock' | 'ilb->lock' | 'ilb2->lock' | 'rcu_read_lock';

/**
 * What a step does with a lock: `acquire` takes it and keeps it after the step, `release` drops
 * one an earlier step took, `held` runs while an earlier step's acquire still holds it, `within`
 * takes and drops it inside the step (a critical section the model runs as one atomic step).
 */
type LockUse = 'acquire' | 'release' | 'held' | 'within';

export type Locks = Readonly<Partial<Record<LockName, LockUse>>>;

/**
 * How the cited source makes an access that no lock protects: a plain load or store, READ_ONCE /
 * WRITE_ONCE, a release store or acquire load (inet_sk_state_store / inet_sk_state_load), or an
 * RCU read-side dereference (a lockless lookup walking a hash chain).
 */
export type AccessMode = 'plain' | 'once' | 'release' | 'acquire' | 'rcu';

/**
 * One shared location a step reads or writes: the state section and field as
 * model/state-schema.ts names them (`socket.state`, `tb.fastreuse`, `socket.lhash` for a hash
 * chain's membership, `global.prot_inuse`, ...), and what protects the access in the cited
 * source: the lock held around it, or how it is made without one.
 */
export interface Access {
  at: string;
  rw: 'r' | 'w' | 'rw';
  under: LockName | AccessMode;
  /** A marked access made while holding `under` (6.18's inet_sk_state_store under lock_sock: release). */
  mode?: AccessMode;
  /**
   * Whose field (socket fields only; absent: the op's own socket): `unhashed`, the own socket
   * while it is in no hash table; `any` socket; `hashed`, another socket reached through a hash
   * table (bind bucket owners, a listening chain). Buckets and globals are every op's.
   */
  of?: 'unhashed' | 'any' | 'hashed';
  /**
   * One kernel word the model spreads over several fields (a chain node's `next` pointer is the
   * chain's membership, stamps and kept next): accesses with the same unit are one access to
   * Lipton's rule (model/atomicity.ts).
   */
  unit?: string;
}

export interface Step {
  /** Stable id within its program, e.g. "publish-listen"; also the jump label. */
  id: string;
  /** Kernel function, e.g. "inet_csk_listen_start". */
  fn: string;
  file: string;
  /** Line or range in the kernel release, e.g. "813" or "804-806". */
  line: string;
  /** The same line as the seed's excerpt numbers it, where the seed quotes it (4.3 icsk.c: one lower). */
  seedLine?: string;
  /** What the line does, in the kernel's words where possible. */
  text: string;
  scope: Scope;
  /** The locks the step takes, holds or drops (traces and diagrams show them; a test checks them against `blocked`). */
  locks: Locks;
  /** The shared locations the step touches and what protects each (issue 9: declared, then checked against what it really touches). */
  footprint?: readonly Access[];
  /** True while the step cannot run (it would spin or sleep on a lock someone holds). */
  blocked?: (k: ReadonlyKernel, c: Ctx) => boolean;
  /** The labels `run` may return besides RETURN, checked when the program is compiled. */
  jumps?: readonly string[];
  run: (k: Kernel, c: Ctx) => string | void;
}

export interface Program {
  /** Syscall name: bind, listen, close, syn. */
  name: string;
  steps: readonly Step[];
}

/** A program with its jumps resolved to indices, built once per variant. */
export interface CompiledProgram {
  name: string;
  /** Its index among the system's programs (bind 0, listen 1, close 2, syn 3), for coverage arrays. */
  id: number;
  steps: readonly Step[];
  labels: Readonly<Record<string, number>>;
  /**
   * The steps' functions as arrays of one shape (the steps are objects of many shapes, and a
   * property read on them in the step loop goes through V8's slowest lookup): runs[pc],
   * blocks[pc] (null: never blocked), and jumps[pc], the labels the step declares with their
   * indices, side by side, so a jump resolves without a keyed lookup.
   */
  runs: readonly Step['run'][];
  blocks: readonly (NonNullable<Step['blocked']> | null)[];
  jumps: readonly (readonly (string | number)[])[];
}

export function compileProgram(p: Program, id = 0): CompiledProgram {
  // Coverage arrays give each program 64 slots (model/system.ts COVERAGE_STRIDE); the state keeps pc in a byte.
  if (p.steps.length > 64) throw new Error(`program ${p.name}: more than 64 steps`);
  const labels: Record<string, number> = {};
  p.steps.forEach((s, i) => {
    if (s.id in labels) throw new Error(`program ${p.name}: duplicate step id ${s.id}`);
    labels[s.id] = i;
  });
  for (const s of p.steps) {
    for (const to of s.jumps ?? []) if (to !== RETURN && !(to in labels)) throw new Error(`program ${p.name}: step ${s.id} jumps to unknown label "${to}"`);
  }
  return {
    name: p.name, id, steps: p.steps, labels,
    runs: p.steps.map((s) => s.run),
    blocks: p.steps.map((s) => s.blocked ?? null),
    jumps: p.steps.map((s) => (s.jumps ?? []).filter((to) => to !== RETURN).flatMap((to) => [to, labels[to]])),
  };
}

/** "file:line" for a step, as traces show it, with the seed's number beside it: "inet_connection_sock.c:813 (seed 812)". */
export const where = (s: Step) => `${s.file.split('/').pop()}:${s.line}${s.seedLine ? ` (seed ${s.seedLine})` : ''}`;

// ---- Editing programs: how variants and mutants derive from a base ----------------------------

/** Replaces the step with this id by the given steps (an empty list removes it). */
export function replaceStep(p: Program, id: string, by: Step[]): Program {
  const i = indexOf(p, id);
  return { ...p, steps: [...p.steps.slice(0, i), ...by, ...p.steps.slice(i + 1)] };
}

/** Moves the step with id `id` to just after the step `after`. */
export function moveAfter(p: Program, id: string, after: string): Program {
  const step = p.steps[indexOf(p, id)];
  const rest = p.steps.filter((s) => s.id !== id);
  const j = rest.findIndex((s) => s.id === after);
  if (j < 0) throw new Error(`program ${p.name}: no step ${after}`);
  return { ...p, steps: [...rest.slice(0, j + 1), step, ...rest.slice(j + 1)] };
}

/** Changes fields of one step (its run function, its text, ...). */
export function patchStep(p: Program, id: string, patch: Partial<Step>): Program {
  const i = indexOf(p, id);
  return { ...p, steps: p.steps.map((s, j) => (j === i ? { ...s, ...patch } : s)) };
}

export function findStep(p: Program, id: string): Step {
  return p.steps[indexOf(p, id)];
}

function indexOf(p: Program, id: string): number {
  const i = p.steps.findIndex((s) => s.id === id);
  if (i < 0) throw new Error(`program ${p.name}: no step ${id}`);
  return i;
}
