// The type invariant: every byte of the state lies within its field's domain, as the state
// schema (model/state-schema.ts) declares it. The domains are tabled once per layout: each
// byte's largest value, and for the bytes whose domain has holes (sk_state, flags, result
// codes) the allowed values, so the check is one pass of comparisons.

import type { ReadonlyKernel } from '../model/kernel-view.ts';
import { inDomain, locate, type Layout } from '../model/state.ts';
import { BYTE_MAX } from '../model/state-schema.ts';
import type { System } from '../model/system.ts';
import type { Change } from './types.ts';

/** allowed[] has one row of 256 values per byte (the view indexes it as at << 8). */
const VALUES = BYTE_MAX + 1;

interface Domains {
  /** Largest value each byte may hold. */
  max: Uint8Array;
  /** Bytes whose domain is not every value up to max. */
  sparse: Int32Array;
  /** allowed[at * 256 + v] = 1 when byte `at` may hold v. */
  allowed: Uint8Array;
}

const domainCache = new WeakMap<Layout, Domains>();
/** The same tables by the layout's dimensions: every scenario compiled anew brings a new Layout object. */
const domainsByShape = new Map<string, Domains>();

/** The last layout asked for: a search asks for one layout on every state. */
let last: { L: Layout; lifeStates: number; d: Domains } | null = null;

function domainsOf(L: Layout, lifeStates: number): Domains {
  if (last !== null && last.L === L && last.lifeStates === lifeStates) return last.d;
  const d = domainsFor(L, lifeStates);
  last = { L, lifeStates, d };
  return d;
}

function domainsFor(L: Layout, lifeStates: number): Domains {
  let d = domainCache.get(L);
  if (d) return d;
  const shape = `${L.sockets} ${L.threads} ${L.ports} ${L.maxOps} ${L.chainOrder} ${L.size} ${lifeStates}`;
  d = domainsByShape.get(shape);
  if (d) { domainCache.set(L, d); return d; }
  const max = new Uint8Array(L.size), allowed = new Uint8Array(L.size * VALUES), sparse: number[] = [];
  for (let at = 0; at < L.size; at++) {
    const { section, offset } = locate(L, at);
    const f = section.fields[offset].field;
    for (let v = 0; v < VALUES; v++) if (inDomain(L, f, v, lifeStates)) { allowed[at * VALUES + v] = 1; max[at] = v; }
    if (allowed.subarray(at * VALUES, at * VALUES + max[at] + 1).includes(0)) sparse.push(at);
  }
  d = { max, sparse: Int32Array.from(sparse), allowed };
  domainCache.set(L, d);
  domainsByShape.set(shape, d);
  return d;
}

/**
 * The first byte outside its field's domain, said as "<section>[<index>].<field> holds <value>",
 * or null; with `change` (from a state that passed), only the bytes it changed.
 */
export function typeErrorAt(k: ReadonlyKernel, sys: System, change?: Change): string | null {
  const L = sys.L;
  const at = k.firstByteOutside(domainsOf(L, sys.names.lifeStates.length), change);
  if (at < 0) return null;
  const { section, index, offset } = locate(L, at);
  const { name, field } = section.fields[offset];
  return `${section.name}[${index}].${name} holds ${k.valueAt(at)}, outside its domain (${field.kind})`;
}
