// The type invariant: every byte of the state lies within its field's domain, as the state
// schema (model/state-schema.ts) declares it. A table of allowed values per byte is built once
// per layout, so the check is one lookup a byte.

import type { ReadonlyKernel } from '../model/kernel-view.ts';
import { inDomain, locate, type Layout } from '../model/state.ts';
import { BYTE_MAX } from '../model/state-schema.ts';
import type { System } from '../model/system.ts';

/** allowed[] has one row of 256 values per byte (the view indexes it as at << 8). */
const VALUES = BYTE_MAX + 1;
const allowedCache = new WeakMap<Layout, Uint8Array>();

/** allowed[at * 256 + v] = 1 when byte `at` may hold v. */
function allowedValues(L: Layout, lifeStates: number): Uint8Array {
  let allowed = allowedCache.get(L);
  if (allowed) return allowed;
  allowed = new Uint8Array(L.size * VALUES);
  for (let at = 0; at < L.size; at++) {
    const { section, offset } = locate(L, at);
    const f = section.fields[offset].field;
    for (let v = 0; v < VALUES; v++) if (inDomain(L, f, v, lifeStates)) allowed[at * VALUES + v] = 1;
  }
  allowedCache.set(L, allowed);
  return allowed;
}

/** The first byte outside its field's domain, said as "<section>[<index>].<field> holds <value>", or null. */
export function typeErrorAt(k: ReadonlyKernel, sys: System): string | null {
  const L = sys.L;
  const allowed = allowedValues(L, sys.names.lifeStates.length);
  const at = k.firstByteOutside(allowed);
  if (at < 0) return null;
  const { section, index, offset } = locate(L, at);
  const { name, field } = section.fields[offset];
  return `${section.name}[${index}].${name} holds ${k.valueAt(at)}, outside its domain (${field.kind})`;
}
