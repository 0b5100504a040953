// Symmetry reduction: sockets with the same flags whose threads run the same program (up to the
// socket's name) are interchangeable, so the explorer stores one state per orbit: the one whose
// (socket, thread) records are sorted. Renaming is applied to every reference a state holds
// (lock holders, reuseport group ids, SYN results), so a canonical state is always a true image
// of a reachable one. A pair joins an orbit only if swapping it leaves the initial state as it
// is; otherwise the images would not be reachable.

import { SK_SIZE, type Layout } from '../../model/state.ts';
import { BYTE_MAX, fromRef, NO_REF, SOCKET_FIELDS, toRef, type Field } from '../../model/state-schema.ts';
import { RES_SYN_TO } from '../../model/kernel.ts';
import type { Op } from '../../model/scenario.ts';
import type { System } from '../../model/system.ts';

/** One interchangeable pair: a socket and the one thread that uses it. */
interface Member {
  sk: number;
  t: number;
}

export interface Symmetry {
  /** Groups of two or more interchangeable members. */
  orbits: Member[][];
  /** Canonicalises `src` into `dst`; `threadPerm[old] = new` says how threads were renamed. */
  canonicalize(src: Uint8Array, dst: Uint8Array, threadPerm: Int32Array): void;
}

/** The orbits of a system, or null when no two members are interchangeable. */
export function findSymmetry(sys: System): Symmetry | null {
  const T = sys.concurrent;
  const users = sys.socks.map(() => new Set<number>());
  const refs = (o: Op): string[] => ('sk' in o ? [o.sk] : o.op === 'syn' && o.portOf ? [o.portOf] : []);
  sys.threads.slice(0, T).forEach((th, t) => th.ops.forEach((o) => refs(o).forEach((n) => users[sys.names.sockets.indexOf(n)].add(t))));
  const candidates: (Member & { sig: string })[] = [];
  for (let t = 0; t < T; t++) {
    const named = new Set(sys.threads[t].ops.flatMap(refs));
    if (named.size !== 1) continue;
    const sk = sys.names.sockets.indexOf([...named][0]);
    if (users[sk].size !== 1) continue;
    const cfg = sys.socks[sk];
    const rename = (o: Op) => JSON.stringify({ ...o, ...('sk' in o ? { sk: '$' } : {}), ...(o.op === 'syn' && o.portOf ? { portOf: '$' } : {}) });
    const setupOps = (sys.scenario.setup ?? []).filter((o) => refs(o).includes(cfg.name)).map(rename);
    const sig = JSON.stringify([cfg.reuse, cfg.reuseport, cfg.uid, sys.threads[t].ops.map(rename), setupOps]);
    candidates.push({ sk, t, sig });
  }
  const bySig = new Map<string, Member[]>();
  for (const c of candidates) bySig.set(c.sig, [...(bySig.get(c.sig) ?? []), { sk: c.sk, t: c.t }]);
  const orbits: Member[][] = [];
  const tmp = new Uint8Array(sys.init.length);
  const perm = new Int32Array(sys.threads.length);
  for (const group of bySig.values()) {
    // Keep the members whose swap with the first leaves the initial state unchanged.
    const orbit = [group[0]];
    for (const m of group.slice(1)) {
      applySwap(sys, sys.init, tmp, group[0], m, perm);
      if (tmp.every((v, i) => v === sys.init[i])) orbit.push(m);
    }
    if (orbit.length > 1) orbits.push(orbit);
  }
  if (orbits.length === 0) return null;
  return { orbits, canonicalize: (src, dst, threadPerm) => canonicalize(sys, orbits, src, dst, threadPerm) };
}

/** Every byte that names a thread or a socket, found from the schema: what a renaming rewrites. */
interface References {
  threads: Int32Array;
  sockets: Int32Array;
  /** Result codes: a SYN's result names the socket that got it. */
  results: Int32Array;
}

const refersTo = (f: Field): 'thread' | 'socket' | 'result' | null =>
  f.kind === 'ref' && (f.to === 'thread' || f.to === 'socket') ? f.to : f.kind === 'result' ? 'result' : null;

const referenceCache = new WeakMap<Layout, References>();

function referencesOf(L: Layout): References {
  let r = referenceCache.get(L);
  if (r) return r;
  const found = { thread: [] as number[], socket: [] as number[], result: [] as number[] };
  for (const sec of L.sections) {
    for (let i = 0; i < sec.count; i++) {
      sec.fields.forEach(({ field }, off) => { const to = refersTo(field); if (to) found[to].push(sec.base + i * sec.size + off); });
    }
  }
  r = { threads: Int32Array.from(found.thread), sockets: Int32Array.from(found.socket), results: Int32Array.from(found.result) };
  referenceCache.set(L, r);
  return r;
}

/** Per socket field: does it name a thread, a socket, or neither (for "a reference to itself"). */
const SOCKET_SELF = Object.values(SOCKET_FIELDS).map((f: Field) => refersTo(f));
/** What a member's reference to itself compares as: above every real reference. */
const SELF = BYTE_MAX;

/** Applies the renaming that exchanges members a and b. */
function applySwap(sys: System, src: Uint8Array, dst: Uint8Array, a: Member, b: Member, threadPerm: Int32Array): void {
  const sockMap = Int32Array.from(sys.socks.keys());
  for (let t = 0; t < threadPerm.length; t++) threadPerm[t] = t;
  sockMap[a.sk] = b.sk; sockMap[b.sk] = a.sk;
  threadPerm[a.t] = b.t; threadPerm[b.t] = a.t;
  rename(sys, src, dst, sockMap, threadPerm);
}

/** dst = src with socket i's record moved to sockMap[i] and thread t's to threadPerm[t], references renamed. */
function rename(sys: System, src: Uint8Array, dst: Uint8Array, sockMap: Int32Array, threadPerm: Int32Array): void {
  const L = sys.L;
  dst.set(src);
  for (let i = 0; i < L.sockets; i++) {
    dst.set(src.subarray(L.skBase + i * SK_SIZE, L.skBase + (i + 1) * SK_SIZE), L.skBase + sockMap[i] * SK_SIZE);
  }
  for (let t = 0; t < L.threads; t++) {
    dst.set(src.subarray(L.thBase + t * L.thSize, L.thBase + (t + 1) * L.thSize), L.thBase + threadPerm[t] * L.thSize);
  }
  const refs = referencesOf(L);
  for (const at of refs.threads) if (dst[at] !== NO_REF) dst[at] = toRef(threadPerm[fromRef(dst[at])]);
  for (const at of refs.sockets) if (dst[at] !== NO_REF) dst[at] = toRef(sockMap[fromRef(dst[at])]);
  for (const at of refs.results) if (dst[at] >= RES_SYN_TO) dst[at] = RES_SYN_TO + sockMap[dst[at] - RES_SYN_TO];
}

/** Orders members by their records, references to themselves read as "self". */
function compareMembers(sys: System, s: Uint8Array, a: Member, b: Member): number {
  const L = sys.L;
  const ab = L.skBase + a.sk * SK_SIZE, bb = L.skBase + b.sk * SK_SIZE;
  for (let f = 0; f < SK_SIZE; f++) {
    let x = s[ab + f], y = s[bb + f];
    const self = SOCKET_SELF[f];
    if (self === 'thread') { if (x === toRef(a.t)) x = SELF; if (y === toRef(b.t)) y = SELF; }
    else if (self === 'socket') { if (x === toRef(a.sk)) x = SELF; if (y === toRef(b.sk)) y = SELF; }
    if (x !== y) return x - y;
  }
  const at = L.thBase + a.t * L.thSize, bt = L.thBase + b.t * L.thSize;
  for (let f = 0; f < L.thSize; f++) if (s[at + f] !== s[bt + f]) return s[at + f] - s[bt + f];
  return 0;
}

function canonicalize(sys: System, orbits: Member[][], src: Uint8Array, dst: Uint8Array, threadPerm: Int32Array): void {
  const sockMap = Int32Array.from(sys.socks.keys());
  for (let t = 0; t < threadPerm.length; t++) threadPerm[t] = t;
  let moved = false;
  for (const orbit of orbits) {
    const sorted = orbit.slice().sort((a, b) => compareMembers(sys, src, a, b));
    for (let j = 0; j < orbit.length; j++) {
      // The member that sorts j-th takes the j-th slot of the orbit.
      sockMap[sorted[j].sk] = orbit[j].sk;
      threadPerm[sorted[j].t] = orbit[j].t;
      if (sorted[j] !== orbit[j]) moved = true;
    }
  }
  if (moved) rename(sys, src, dst, sockMap, threadPerm);
  else dst.set(src);
}
