// Footprints: the shared locations a step reads and writes, and what protects each access, as
// the cited kernel line makes it (issue 9 item 1). Written compactly as
// "section.field rw protection [whose]", e.g. `fp('socket.state w lock_sock/release')`:
//
// - protection: a lock the step holds (`lock_sock`, `head->lock`, ...), or how a lockless access
//   is made (`plain`, `once`, `release`, `acquire`, `rcu`); `lock/mode` is a marked access made
//   while holding a lock (6.18's inet_sk_state_store under lock_sock: `lock_sock/release`).
// - whose (socket fields only): `own` (default: the op's own socket), `unhashed` (the op's own
//   socket while it is in no hash table: no other thread can reach it), `any` (any socket),
//   `hashed` (another socket reached through a hash table: a bind bucket's owners, a listening
//   chain). Bucket and global fields are shared by every op.
//
// sk_state is `volatile unsigned char skc_state` (include/net/sock.h: 4.3 line 183, 6.18.2 line
// 172): every load and store of it is a volatile access, which the kernel memory model counts as
// marked (READ_ONCE/WRITE_ONCE are volatile accesses), so even 4.3's `sk->sk_state = TCP_LISTEN`
// is declared `once`. The listening chains are changed with __sk_nulls_add_node_rcu
// (rcu_assign_pointer: a release store) and __sk_nulls_del_node_init_rcu (WRITE_ONCE).
//
// The thread section (each thread's locals) is not shared and is never declared. The ghost
// fields (`socket.life`, the statechart state, and `socket.validated`) are the model's own
// bookkeeping, not kernel memory: no kernel code reads them, so they are not declared either.

import type { Access, AccessMode, LockName, Step } from './program.ts';
import { SOCKET_FIELDS, TB_FIELDS, TB2_FIELDS, LISTEN_BUCKET_FIELDS, GLOBAL_FIELDS, type SectionName } from './state-schema.ts';

const LOCK_NAMES: readonly LockName[] = ['lock_sock', 'head->lock', 'head2->lock', 'ilb->lock', 'ilb2->lock', 'rcu_read_lock'];
const ACCESS_MODES: readonly AccessMode[] = ['plain', 'once', 'release', 'acquire', 'rcu'];
/** Marked accesses in the kernel memory model's sense: not plain C loads and stores. */
const MARKED: ReadonlySet<string> = new Set(['once', 'release', 'acquire', 'rcu']);

/** Model bookkeeping, not kernel memory: recorded, never declared, never shared. */
export const GHOST_FIELDS: ReadonlySet<string> = new Set(['socket.life', 'socket.validated']);

const SHARED_SECTIONS: Readonly<Record<Exclude<SectionName, 'thread'>, Record<string, unknown>>> = {
  socket: SOCKET_FIELDS, tb: TB_FIELDS, tb2: TB2_FIELDS, lhash: LISTEN_BUCKET_FIELDS, global: GLOBAL_FIELDS,
};

/** The lock words themselves: a lock's acquire and release, not data. */
export const LOCK_FIELDS: ReadonlySet<string> = new Set(
  Object.entries(SHARED_SECTIONS).flatMap(([s, fields]) =>
    Object.entries(fields).filter(([, f]) => (f as { lock?: true }).lock).map(([name]) => `${s}.${name}`)),
);

/** Every shared location a footprint may name. */
const SHARED_LOCATIONS: ReadonlySet<string> = new Set(
  Object.entries(SHARED_SECTIONS).flatMap(([s, fields]) => Object.keys(fields).map((f) => `${s}.${f}`)),
);

/** Parses "section.field rw protection [whose]" into an Access; a typo is a model error, said at once. */
function access(spec: string): Access {
  const [at, rw, prot, whose, ...rest] = spec.trim().split(/\s+/);
  const fail = (why: string) => new Error(`footprint "${spec}": ${why}`);
  if (rest.length) throw fail('too many words');
  if (!SHARED_LOCATIONS.has(at) || GHOST_FIELDS.has(at)) throw fail(`no shared location ${at}`);
  if (rw !== 'r' && rw !== 'w' && rw !== 'rw') throw fail(`rw is ${rw}`);
  const [under, mode] = (prot ?? '').split('/');
  if (!LOCK_NAMES.includes(under as LockName) && !ACCESS_MODES.includes(under as AccessMode)) throw fail(`no lock or access mode ${under}`);
  if (mode !== undefined && (!ACCESS_MODES.includes(mode as AccessMode) || !LOCK_NAMES.includes(under as LockName))) throw fail(`bad marking ${prot}`);
  if (whose !== undefined && !['own', 'unhashed', 'any', 'hashed'].includes(whose)) throw fail(`whose is ${whose}`);
  if (whose !== undefined && !at.startsWith('socket.')) throw fail('only socket fields say whose');
  return {
    at, rw, under: under as Access['under'],
    ...(mode !== undefined ? { mode: mode as AccessMode } : {}),
    ...(whose !== undefined && whose !== 'own' ? { of: whose as 'unhashed' | 'any' | 'hashed' } : {}),
  };
}

/** A footprint from its compact form (see the top of this file). */
export const fp = (...specs: string[]): readonly Access[] => specs.map(access);

/** A footprint with every access made under `from` now made under `to` (a mutant that drops a lock). */
export function reprotect(f: readonly Access[], from: LockName, to: LockName | AccessMode): readonly Access[] {
  return f.map((a) => {
    if (a.under !== from) return a;
    // A marked access made under the lock stays marked without it.
    if (a.mode !== undefined && (ACCESS_MODES as readonly string[]).includes(to)) return { at: a.at, rw: a.rw, under: a.mode, ...(a.of ? { of: a.of } : {}) };
    return { ...a, under: to };
  });
}

/** Both footprints, without repeats. */
export function union(...fs: (readonly Access[] | undefined)[]): readonly Access[] {
  const seen = new Map<string, Access>();
  for (const a of fs.flatMap((f) => f ?? [])) seen.set(showAccess(a), a);
  return [...seen.values()];
}

/** "socket.state w lock_sock/release" — the compact form, as docs and messages show it. */
export const showAccess = (a: Access) =>
  `${a.at} ${a.rw} ${a.under}${a.mode ? `/${a.mode}` : ''}${a.of ? ` ${a.of}` : ''}`;

/** The access is to the op's own socket (or a bucket/global, which every op shares). */
const ownSocket = (a: Access) => a.at.startsWith('socket.') && (a.of === undefined || a.of === 'unhashed');

/** The access is marked in the kernel memory model's sense (READ_ONCE, a release store, an RCU dereference, ...). */
export const isMarked = (a: Access) => MARKED.has(a.mode ?? a.under);

/** The mutual-exclusion lock the access is made under, if any (RCU's read side excludes nobody). */
export const lockOf = (a: Access): LockName | null =>
  LOCK_NAMES.includes(a.under as LockName) && a.under !== 'rcu_read_lock' ? (a.under as LockName) : null;

// ---- Invisible steps: where the explorer needs no interleaving point ------------------------

/** A step's accesses may conflict with another's: same location and instance, one of them writes. */
export function conflicts(a: Access, skA: number, b: Access, skB: number, heldA = false, heldB = false): boolean {
  if (a.at !== b.at || (a.rw === 'r' && b.rw === 'r')) return false;
  // Both made under one lock that each step already holds when it starts (taken by an earlier
  // step, whose acquire was the interleaving point): the two can never be adjacent.
  if (heldA && heldB && !LOCK_FIELDS.has(a.at) && lockOf(a) !== null && lockOf(a) === lockOf(b)) return false;
  if (!a.at.startsWith('socket.')) return true;
  // The own socket while in no hash table is out of reach of a reader that goes by a hash table.
  if ((a.of === 'unhashed' && b.of === 'hashed') || (a.of === 'hashed' && b.of === 'unhashed')) return false;
  return !(ownSocket(a) && ownSocket(b)) || skA === skB;
}

/** What invisibleSteps needs of a thread: its ops' sockets and programs. */
interface ThreadSteps {
  ctx: readonly { sk: number }[];
  programs: readonly { steps: readonly Step[] }[];
}

/**
 * invisible[t][op][pc] = 1 when that step of thread t's op touches no location that a step of
 * another concurrent thread can touch in conflict (same location and socket, one of them
 * writing): it commutes with every step of the others, so it needs no interleaving point before
 * it. Every step of every op of the others counts, reached or not (a sound over-approximation).
 * A step without a footprint is visible.
 */
export function invisibleSteps(threads: readonly ThreadSteps[], concurrent: number): Uint8Array[][] {
  // Each thread's accesses by location: only accesses to one location can conflict.
  const byLocation = threads.map((th) => {
    const m = new Map<string, { a: Access; sk: number; held: boolean }[]>();
    th.programs.forEach((p, op) => p.steps.forEach((s) => (s.footprint ?? []).forEach((a) => {
      let list = m.get(a.at);
      if (!list) m.set(a.at, (list = []));
      list.push({ a, sk: th.ctx[op].sk, held: heldBefore(s, a) });
    })));
    return m;
  });
  const conflictsWithOthers = (t: number, s: Step, sk: number) => s.footprint!.some((a) => {
    const held = heldBefore(s, a);
    for (let u = 0; u < concurrent; u++) {
      if (u === t) continue;
      for (const x of byLocation[u].get(a.at) ?? []) if (conflicts(a, sk, x.a, x.sk, held, x.held)) return true;
    }
    return false;
  });
  return threads.map((th, t) => th.programs.map((p, op) => Uint8Array.from(p.steps, (s) =>
    t >= concurrent || s.footprint === undefined || conflictsWithOthers(t, s, th.ctx[op].sk) ? 0 : 1)));
}

/** The access's lock is held from before the step begins (an earlier step took it). */
export function heldBefore(s: Step, a: Access): boolean {
  const l = lockOf(a);
  return l !== null && (s.locks[l] === 'held' || s.locks[l] === 'release');
}
