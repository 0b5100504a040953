// The kernel state of one run, as one flat byte array with a fixed layout.
//
// Why bytes: the explorer stores millions of states and hashes every one; a Uint8Array is
// copied with one call, hashed in one pass and is plain, serialisable data. `decodeState`
// turns it into a readable object for traces and JSON.
//
// Every value fits in a byte. References are encoded as index + 1 so that 0 means "none":
// a socket's port (inet_num), its bind bucket, its listening bucket, a lock's holder thread.

import { ADDRESSES } from './scenario.ts';
import { TCP_CLOSE, TCP_STATE_NAMES } from './kernel.ts';

/** Fields of one socket (struct sock + inet_sock + inet_connection_sock, as far as modelled). */
export const SK = {
  /** sk_state: TCP_CLOSE or TCP_LISTEN. */
  state: 0,
  /** inet_num: bound port, as port index + 1 (0 = unbound). */
  num: 1,
  /** inet_rcv_saddr: index into ADDRESSES (0 = 0.0.0.0). */
  saddr: 2,
  /** inet_sport: port index + 1 (0 = unset). */
  sport: 3,
  /** The accept queue (4.3: the SYN table from reqsk_queue_alloc) is allocated. */
  queue: 4,
  /** sk_max_ack_backlog, capped at 255. */
  maxBacklog: 5,
  /** sk_ack_backlog. */
  ackBacklog: 6,
  /** In the listening hash: bucket index + 1 (0 = unhashed). */
  lhash: 7,
  /** icsk_bind_hash: the bind bucket (tb) whose owners hold this socket, port index + 1. */
  bindHash: 8,
  /** icsk_bind2_hash (6.18): the tb2 bucket, (port * ADDRESSES + addr) + 1. */
  bind2Hash: 9,
  /** sk_userlocks: SOCK_BINDADDR_LOCK | SOCK_BINDPORT_LOCK. */
  userlocks: 10,
  /** The XState lifecycle state, as its index in the compiled table. */
  life: 11,
  /** lock_sock owner: thread index + 1 (0 = free). */
  lockOwner: 12,
  /** Ghost field: get_port validated this socket's port in its current listen(). */
  validated: 13,
  /** sk_reuseport_cb (6.18): reuseport group id + 1 (the id is the creating socket's index). */
  group: 14,
  /** The file descriptor is still open (close() not yet called). */
  open: 15,
} as const;
export const SK_SIZE = 16;

/** Fields of one thread: where it is and what its ops returned. */
export const TH = {
  /** Index of the op it is running (= number of ops when finished). */
  op: 0,
  /** Index of the next step within that op's program. */
  pc: 1,
  /** Local `err`: the result code the op will return. */
  err: 2,
  /** Local: what get_port (or hash) returned, 0 = success. */
  ret: 3,
  /** Local: old_state read by inet_listen, or a value carried between split steps. */
  tmp: 4,
  /** Results of each op (RES_*), from this offset on. */
  results: 5,
} as const;

/** Fields of one bind bucket (struct inet_bind_bucket, one per port). */
export const TB = {
  /** The bucket exists. */
  exists: 0,
  /** tb->fastreuse. */
  fastreuse: 1,
  /** tb->fastreuseport (0, 1 = ANY, 2 = STRICT in 6.18). */
  fastreuseport: 2,
  /** tb->fastuid. */
  fastuid: 3,
  /** tb->fast_rcv_saddr (6.18): address index. */
  fastAddr: 4,
  /** The bucket's head lock: holder thread + 1, for variants that hold it across steps. */
  lock: 5,
} as const;
export const TB_SIZE = 6;

/** Sizes of one scenario's state. */
export interface Dims {
  sockets: number;
  threads: number;
  ports: number;
  /** Most ops in any one thread. */
  maxOps: number;
}

/** Byte offsets of each section, computed once per scenario. */
export interface Layout extends Dims {
  addrs: number;
  thSize: number;
  skBase: number;
  thBase: number;
  tbBase: number;
  /** tb2 (6.18): one "exists" byte per (port, address). */
  tb2Base: number;
  /** Listening-hash bucket locks: holder thread + 1; one per (port, address). */
  lbBase: number;
  listenBuckets: number;
  /** The protocol's in-use counter (sock_prot_inuse_add), one byte. */
  inuse: number;
  size: number;
}

export function makeLayout(d: Dims): Layout {
  const addrs = ADDRESSES.length;
  const thSize = TH.results + d.maxOps;
  const skBase = 0;
  const thBase = skBase + d.sockets * SK_SIZE;
  const tbBase = thBase + d.threads * thSize;
  const tb2Base = tbBase + d.ports * TB_SIZE;
  const listenBuckets = d.ports * addrs;
  const lbBase = tb2Base + d.ports * addrs;
  const inuse = lbBase + listenBuckets;
  return { ...d, addrs, thSize, skBase, thBase, tbBase, tb2Base, lbBase, listenBuckets, inuse, size: inuse + 1 };
}

/** A fresh state: every socket open, unbound, TCP_CLOSE, in lifecycle state 0 (unbound). */
export function initialState(L: Layout): Uint8Array {
  const s = new Uint8Array(L.size);
  for (let i = 0; i < L.sockets; i++) {
    s[L.skBase + i * SK_SIZE + SK.state] = TCP_CLOSE;
    s[L.skBase + i * SK_SIZE + SK.open] = 1;
  }
  return s;
}

/** Offset of a socket field. */
export const skOff = (L: Layout, sk: number, f: number) => L.skBase + sk * SK_SIZE + f;
/** Offset of a thread field. */
export const thOff = (L: Layout, t: number, f: number) => L.thBase + t * L.thSize + f;
/** Offset of a bind-bucket field. */
export const tbOff = (L: Layout, port: number, f: number) => L.tbBase + port * TB_SIZE + f;

/** Names used when a state is shown to a person. */
export interface StateNames {
  sockets: readonly string[];
  threads: readonly string[];
  ports: readonly string[];
  lifeStates: readonly string[];
}

const SK_NAMES = Object.keys(SK) as (keyof typeof SK)[];
const TB_NAMES = Object.keys(TB) as (keyof typeof TB)[];

/** Human-readable name and value of every byte, for diffs between two states. */
export function describeByte(L: Layout, names: StateNames, at: number, v: number): { field: string; value: string } {
  if (at < L.thBase) {
    const sk = Math.floor(at / SK_SIZE), f = SK_NAMES[at % SK_SIZE];
    return { field: `${names.sockets[sk]}.${f}`, value: showSockField(f, v, names) };
  }
  if (at < L.tbBase) {
    const t = Math.floor((at - L.thBase) / L.thSize), f = (at - L.thBase) % L.thSize;
    const fname = f >= TH.results ? `result[${f - TH.results}]` : (Object.keys(TH) as string[])[f];
    return { field: `${names.threads[t]}.${fname}`, value: String(v) };
  }
  if (at < L.tb2Base) {
    const p = Math.floor((at - L.tbBase) / TB_SIZE), f = TB_NAMES[(at - L.tbBase) % TB_SIZE];
    return { field: `tb[${names.ports[p]}].${f}`, value: f === 'lock' ? holder(v, names) : String(v) };
  }
  if (at < L.lbBase) {
    const i = at - L.tb2Base;
    return { field: `tb2[${names.ports[Math.floor(i / L.addrs)]},${ADDRESSES[i % L.addrs]}].exists`, value: String(v) };
  }
  if (at < L.inuse) {
    const i = at - L.lbBase;
    return { field: `lhash[${listenBucketName(L, names, i)}].lock`, value: holder(v, names) };
  }
  return { field: 'prot_inuse', value: String(v) };
}

function holder(v: number, names: StateNames): string {
  return v === 0 ? 'free' : `held by ${names.threads[v - 1]}`;
}

export function listenBucketName(L: Layout, names: StateNames, i: number): string {
  return `${ADDRESSES[i % L.addrs]}:${names.ports[Math.floor(i / L.addrs)]}`;
}

function showSockField(f: keyof typeof SK, v: number, names: StateNames): string {
  switch (f) {
    case 'state': return TCP_STATE_NAMES[v] ?? String(v);
    case 'num': case 'sport': case 'bindHash': return v === 0 ? '0' : names.ports[v - 1];
    case 'saddr': return ADDRESSES[v];
    case 'life': return names.lifeStates[v];
    case 'lockOwner': return holder(v, names);
    case 'lhash': return v === 0 ? 'unhashed' : `hashed (bucket of ${names.ports[Math.floor((v - 1) / ADDRESSES.length)]}${(v - 1) % ADDRESSES.length ? ` ${ADDRESSES[(v - 1) % ADDRESSES.length]}` : ''})`;
    default: return String(v);
  }
}

/** The whole state as a plain object, for JSON traces and the report page. */
export function decodeState(L: Layout, names: StateNames, s: Uint8Array): Record<string, unknown> {
  const sockets: Record<string, Record<string, string>> = {};
  for (let i = 0; i < L.sockets; i++) {
    const o: Record<string, string> = {};
    for (const f of SK_NAMES) o[f] = showSockField(f, s[skOff(L, i, SK[f])], names);
    sockets[names.sockets[i]] = o;
  }
  const bindBuckets: Record<string, Record<string, number | string>> = {};
  for (let p = 0; p < L.ports; p++) {
    if (!s[tbOff(L, p, TB.exists)]) continue;
    const owners: string[] = [];
    for (let i = 0; i < L.sockets; i++) if (s[skOff(L, i, SK.bindHash)] === p + 1) owners.push(names.sockets[i]);
    bindBuckets[names.ports[p]] = {
      owners: owners.join(',') || '-',
      fastreuse: s[tbOff(L, p, TB.fastreuse)],
      fastreuseport: s[tbOff(L, p, TB.fastreuseport)],
      fastuid: s[tbOff(L, p, TB.fastuid)],
    };
  }
  const listeningHash: Record<string, string> = {};
  for (let i = 0; i < L.sockets; i++) {
    const b = s[skOff(L, i, SK.lhash)];
    if (!b) continue;
    const key = listenBucketName(L, names, b - 1);
    listeningHash[key] = listeningHash[key] ? `${listeningHash[key]},${names.sockets[i]}` : names.sockets[i];
  }
  return { sockets, bindBuckets, listeningHash, prot_inuse: s[L.inuse] };
}
