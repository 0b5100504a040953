// The kernel state of one run, as one flat byte array with a fixed layout.
//
// Why bytes: the explorer stores millions of states and hashes every one; a Uint8Array is
// copied with one call, hashed in one pass and is plain, serialisable data. `decodeState`
// turns it into a readable object for traces and JSON.
//
// The fields and what they may hold are declared once in state-schema.ts; this file lays them
// out, checks a byte against its domain, and names a byte for people.

import { ADDRESSES } from './scenario.ts';
import { TCP_CLOSE, TCP_STATE_NAMES, RES_EBUSY, RES_SYN_TO } from './kernel.ts';
import {
  type Field, type SectionName, SOCKET_FIELDS, THREAD_FIELDS, THREAD_RESULT, TB_FIELDS, TB2_FIELDS,
  LISTEN_BUCKET_FIELDS, GLOBAL_FIELDS, offsetsOf, fromRef, NO_REF,
} from './state-schema.ts';

/** Offsets of the fields of one socket. */
export const SK = offsetsOf(SOCKET_FIELDS);
export const SK_SIZE = Object.keys(SOCKET_FIELDS).length;
/** Offsets of the fields of one thread; its op results start at TH.results. */
export const TH = { ...offsetsOf(THREAD_FIELDS), results: Object.keys(THREAD_FIELDS).length } as const;
/** Offsets of the fields of one bind bucket. */
export const TB = offsetsOf(TB_FIELDS);
export const TB_SIZE = Object.keys(TB_FIELDS).length;

/** Sizes of one scenario's state. */
interface Dims {
  sockets: number;
  threads: number;
  ports: number;
  /** Most ops in any one thread. */
  maxOps: number;
  /**
   * Some thread sends a SYN, so the listening chains' order matters: hashing stamps the socket
   * and unhashing keeps its next (SOCKET_FIELDS lhashSeq, lhashNext). Without a walker both stay 0.
   */
  chainOrder?: boolean;
}

/** One section of the state: `count` records of `size` bytes from `base`. */
interface Section {
  name: SectionName;
  base: number;
  count: number;
  size: number;
  /** The field at each offset of a record. */
  fields: readonly { name: string; field: Field }[];
}

/** Byte offsets of each section, computed once per scenario. */
export interface Layout extends Dims {
  chainOrder: boolean;
  addrs: number;
  thSize: number;
  skBase: number;
  thBase: number;
  tbBase: number;
  /** tb2 (6.18): one "exists" byte per (port, address). */
  tb2Base: number;
  /** Listening-hash bucket locks, one per (port, address). */
  lbBase: number;
  listenBuckets: number;
  /** The protocol's in-use counter (sock_prot_inuse_add), one byte. */
  inuse: number;
  size: number;
  sections: readonly Section[];
}

const fieldList = (fields: Record<string, Field>) => Object.entries(fields).map(([name, field]) => ({ name, field }));

export function makeLayout(d: Dims): Layout {
  const addrs = ADDRESSES.length;
  const threadFields = [
    ...fieldList(THREAD_FIELDS),
    ...Array.from({ length: d.maxOps }, (_, i) => ({ name: `result[${i}]`, field: THREAD_RESULT })),
  ];
  const specs: [SectionName, number, readonly { name: string; field: Field }[]][] = [
    ['socket', d.sockets, fieldList(SOCKET_FIELDS)],
    ['thread', d.threads, threadFields],
    ['tb', d.ports, fieldList(TB_FIELDS)],
    ['tb2', d.ports * addrs, fieldList(TB2_FIELDS)],
    ['lhash', d.ports * addrs, fieldList(LISTEN_BUCKET_FIELDS)],
    ['global', 1, fieldList(GLOBAL_FIELDS)],
  ];
  let at = 0;
  const sections = specs.map(([name, count, fields]): Section => {
    const s = { name, base: at, count, size: fields.length, fields };
    at += count * fields.length;
    return s;
  });
  const base = (n: SectionName) => sections.find((s) => s.name === n)!.base;
  return {
    ...d, chainOrder: d.chainOrder ?? false, addrs, thSize: threadFields.length, skBase: base('socket'), thBase: base('thread'), tbBase: base('tb'),
    tb2Base: base('tb2'), lbBase: base('lhash'), listenBuckets: d.ports * addrs, inuse: base('global'), size: at, sections,
  };
}

/** A fresh state: every socket open, unbound, TCP_CLOSE, in lifecycle state 0 (unbound). */
export function initialState(L: Layout): Uint8Array {
  const s = new Uint8Array(L.size);
  for (let i = 0; i < L.sockets; i++) {
    s[skOff(L, i, SK.state)] = TCP_CLOSE;
    s[skOff(L, i, SK.open)] = 1;
  }
  return s;
}

/** Offset of a socket field. */
export const skOff = (L: Layout, sk: number, f: number) => L.skBase + sk * SK_SIZE + f;
/** Offset of a bind-bucket field. */
const tbOff = (L: Layout, port: number, f: number) => L.tbBase + port * TB_SIZE + f;

/** The section, record and field of a byte. */
export function locate(L: Layout, at: number): { section: Section; index: number; offset: number } {
  let i = L.sections.length - 1;
  while (at < L.sections[i].base) i--;
  const section = L.sections[i];
  const rel = at - section.base;
  return { section, index: Math.floor(rel / section.size), offset: rel % section.size };
}

/**
 * The bytes of the fields named "section.field" as the schema names them ("socket.state",
 * "thread.result" for every result slot): bytes[at] = 1 for each byte of such a field, in every
 * record of its section.
 */
export function fieldBytes(L: Layout, fields: ReadonlySet<string>): Uint8Array {
  const bytes = new Uint8Array(L.size);
  for (const sec of L.sections) {
    sec.fields.forEach((f, off) => {
      if (!fields.has(`${sec.name}.${f.name.replace(/\[\d+\]$/, '')}`)) return;
      for (let i = 0; i < sec.count; i++) bytes[sec.base + i * sec.size + off] = 1;
    });
  }
  return bytes;
}

/** How many things a reference can name in this layout. */
function refTargets(L: Layout, to: Extract<Field, { kind: 'ref' }>['to']): number {
  switch (to) {
    case 'port': return L.ports;
    case 'thread': return L.threads;
    case 'socket': return L.sockets;
    case 'listen-bucket': case 'tb2': return L.listenBuckets;
  }
}

/** Lifecycle state count, for the domain of `life` (passed in: the schema does not know XState). */
export function inDomain(L: Layout, f: Field, v: number, lifeStates: number): boolean {
  switch (f.kind) {
    case 'bool': return v <= 1;
    case 'count': return true;
    case 'flags': return (v & ~f.mask) === 0;
    case 'ref': return v === NO_REF || fromRef(v) < refTargets(L, f.to);
    case 'result': return v <= RES_EBUSY || (v >= RES_SYN_TO && v - RES_SYN_TO < L.sockets);
    case 'enum':
      switch (f.of) {
        case 'tcp-state': return v in TCP_STATE_NAMES;
        case 'lifecycle': return v < lifeStates;
        case 'address': return v < L.addrs;
        case 'fastreuseport': return v <= 2;
      }
  }
}

/** Names used when a state is shown to a person. */
export interface StateNames {
  sockets: readonly string[];
  threads: readonly string[];
  ports: readonly string[];
  lifeStates: readonly string[];
}

/** A field one step changed, as numbers, located by the schema. */
export interface StateChange {
  section: SectionName;
  /** The record: socket, thread, port, tb2 or listening bucket index (0 for globals). */
  index: number;
  /** Its display name: "A", "8080", "8080,127.0.0.1", "127.0.0.1:8080". */
  record: string;
  field: string;
  kind: Field;
  from: number;
  to: number;
}

/** The fields that differ between two states, thread bookkeeping left out (traces show it as `returned`). */
export function diffStates(L: Layout, names: StateNames, before: Uint8Array, after: Uint8Array): StateChange[] {
  const out: StateChange[] = [];
  for (let i = 0; i < before.length; i++) {
    if (before[i] === after[i] || (i >= L.thBase && i < L.tbBase)) continue;
    const { section, index, offset } = locate(L, i);
    const { name, field } = section.fields[offset];
    out.push({ section: section.name, index, record: recordName(L, names, section.name, index), field: name, kind: field, from: before[i], to: after[i] });
  }
  return out;
}

function recordName(L: Layout, names: StateNames, section: SectionName, i: number): string {
  switch (section) {
    case 'socket': return names.sockets[i];
    case 'thread': return names.threads[i];
    case 'tb': return names.ports[i];
    case 'tb2': return `${names.ports[Math.floor(i / L.addrs)]},${ADDRESSES[i % L.addrs]}`;
    case 'lhash': return listenBucketName(L, names, i);
    case 'global': return '';
  }
}

/** A change as traces show it: "A.state: TCP_CLOSE -> TCP_LISTEN", "tb[8080].lock: free -> held by T0". */
export function showChange(names: StateNames, c: StateChange): { field: string; from: string; to: string } {
  const field = c.section === 'socket' || c.section === 'thread' ? `${c.record}.${c.field}`
    : c.section === 'global' ? c.field : `${c.section}[${c.record}].${c.field}`;
  return { field, from: showValue(names, c.kind, c.from), to: showValue(names, c.kind, c.to) };
}

/** A value as people read it, from its field's kind. */
function showValue(names: StateNames, f: Field, v: number): string {
  if (f.raw) return String(v);
  switch (f.kind) {
    case 'enum':
      switch (f.of) {
        case 'tcp-state': return TCP_STATE_NAMES[v] ?? String(v);
        case 'lifecycle': return names.lifeStates[v];
        case 'address': return ADDRESSES[v];
        case 'fastreuseport': return String(v);
      }
    // eslint-disable-next-line no-fallthrough
    case 'ref':
      if (f.lock) return v === NO_REF ? 'free' : `held by ${names.threads[fromRef(v)]}`;
      if (f.to === 'port') return v === NO_REF ? '0' : names.ports[fromRef(v)];
      if (f.to === 'listen-bucket') return v === NO_REF ? 'unhashed' : `hashed (bucket of ${bucketOf(names, fromRef(v))})`;
      return String(v);
    default: return String(v);
  }
}

const bucketOf = (names: StateNames, b: number) =>
  `${names.ports[Math.floor(b / ADDRESSES.length)]}${b % ADDRESSES.length ? ` ${ADDRESSES[b % ADDRESSES.length]}` : ''}`;

function listenBucketName(L: Layout, names: StateNames, i: number): string {
  return `${ADDRESSES[i % L.addrs]}:${names.ports[Math.floor(i / L.addrs)]}`;
}

const SK_NAMES = Object.keys(SOCKET_FIELDS) as (keyof typeof SOCKET_FIELDS)[];

/** The whole state as a plain object, for JSON traces and the report page. */
export function decodeState(L: Layout, names: StateNames, s: Uint8Array): Record<string, unknown> {
  const sockets: Record<string, Record<string, string>> = {};
  for (let i = 0; i < L.sockets; i++) {
    const o: Record<string, string> = {};
    for (const f of SK_NAMES) o[f] = showValue(names, SOCKET_FIELDS[f], s[skOff(L, i, SK[f])]);
    sockets[names.sockets[i]] = o;
  }
  const bindBuckets: Record<string, Record<string, number | string>> = {};
  for (let p = 0; p < L.ports; p++) {
    if (!s[tbOff(L, p, TB.exists)]) continue;
    const owners: string[] = [];
    for (let i = 0; i < L.sockets; i++) if (fromRef(s[skOff(L, i, SK.bindHash)]) === p) owners.push(names.sockets[i]);
    bindBuckets[names.ports[p]] = {
      owners: owners.join(',') || '-',
      fastreuse: s[tbOff(L, p, TB.fastreuse)],
      fastreuseport: s[tbOff(L, p, TB.fastreuseport)],
      fastuid: s[tbOff(L, p, TB.fastuid)],
    };
  }
  const listeningHash: Record<string, string> = {};
  for (let i = 0; i < L.sockets; i++) {
    const b = fromRef(s[skOff(L, i, SK.lhash)]);
    if (b < 0) continue;
    const key = listenBucketName(L, names, b);
    listeningHash[key] = listeningHash[key] ? `${listeningHash[key]},${names.sockets[i]}` : names.sockets[i];
  }
  return { sockets, bindBuckets, listeningHash, prot_inuse: s[L.inuse] };
}
