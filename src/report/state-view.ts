// Pretty-printing of model-state snapshots for the step panel, with the lines that changed since
// the previous step marked. Done at render time (not in the browser) so it is pure, testable and
// the page needs no JSON parsing or innerHTML.

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface StateLine {
  text: string;
  changed: boolean;
}

/**
 * Normalise an `unknown` snapshot to plain JSON. Snapshots are meant to be JSON already; this only
 * keeps a stray bigint, Map, Set or cycle from crashing the report at the end of a long check.
 */
export function toPlainJson(value: unknown): Json {
  return normalise(value, new Set());
}

function normalise(value: unknown, ancestors: Set<object>): Json {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return `${value}n`;
    case 'undefined':
    case 'function':
    case 'symbol':
      return null;
  }
  if (value === null) return null;
  const obj = value as object;
  if (ancestors.has(obj)) return '[Circular]';
  const toJson = (obj as { toJSON?: unknown }).toJSON;
  if (typeof toJson === 'function') return normalise(toJson.call(obj), ancestors);
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) return obj.map((v) => normalise(v, ancestors));
    if (obj instanceof Set) return [...obj].map((v) => normalise(v, ancestors));
    const entries: Array<[unknown, unknown]> =
      obj instanceof Map ? [...obj.entries()] : Object.entries(obj);
    const out: { [key: string]: Json } = {};
    for (const [k, v] of entries) {
      // JSON.stringify drops undefined and function members; do the same.
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      out[String(k)] = normalise(v, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(obj);
  }
}

const MISSING = Symbol('missing');
type Prev = Json | typeof MISSING;

const INLINE_WIDTH = 72;

function isContainer(v: Json): v is Json[] | { [key: string]: Json } {
  return typeof v === 'object' && v !== null;
}

function jsonEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (!isContainer(a) || !isContainer(b)) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  const ak = Object.keys(a);
  const bo = b as { [key: string]: Json };
  const ao = a as { [key: string]: Json };
  return (
    ak.length === Object.keys(bo).length &&
    ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && jsonEqual(ao[k], bo[k]))
  );
}

/** A short array of scalars reads better on one line (e.g. a hash chain `["A", "B"]`). */
function inlineForm(v: Json): string | undefined {
  if (!isContainer(v)) return JSON.stringify(v);
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.some(isContainer)) return undefined;
    const s = `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
    return s.length <= INLINE_WIDTH ? s : undefined;
  }
  return Object.keys(v).length === 0 ? '{}' : undefined;
}

function child(prev: Prev, key: string | number): Prev {
  if (prev === MISSING || !isContainer(prev)) return MISSING;
  if (Array.isArray(prev)) return typeof key === 'number' && key < prev.length ? prev[key] : MISSING;
  if (typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(prev, key)) return MISSING;
  return prev[key];
}

/**
 * The snapshot as indented JSON lines. With `prev` (the state before the step), a scalar line is
 * marked when its value differs or is new, a container's brackets when the container is new or
 * changed type; without `prev` nothing is marked.
 */
export function stateLines(state: unknown, prev?: unknown): StateLine[] {
  const cur = toPlainJson(state);
  const hasPrev = prev !== undefined;
  const out: StateLine[] = [];
  emit(cur, hasPrev ? toPlainJson(prev) : MISSING, hasPrev, '', '', '', out);
  return out;
}

function emit(
  v: Json,
  prev: Prev,
  hasPrev: boolean,
  indent: string,
  label: string,
  comma: string,
  out: StateLine[],
): void {
  const inline = inlineForm(v);
  if (inline !== undefined) {
    const changed = hasPrev && (prev === MISSING || !jsonEqual(v, prev));
    out.push({ text: `${indent}${label}${inline}${comma}`, changed });
    return;
  }
  const arr = Array.isArray(v);
  const sameShape =
    prev !== MISSING && isContainer(prev) && Array.isArray(prev) === arr;
  const changed = hasPrev && !sameShape;
  out.push({ text: `${indent}${label}${arr ? '[' : '{'}`, changed });
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    v.forEach((x, i) => emit(x, child(prev, i), hasPrev, inner, '', i < v.length - 1 ? ',' : '', out));
  } else {
    const obj = v as { [key: string]: Json };
    const keys = Object.keys(obj);
    keys.forEach((k, i) =>
      emit(obj[k], child(prev, k), hasPrev, inner, `${JSON.stringify(k)}: `, i < keys.length - 1 ? ',' : '', out),
    );
  }
  out.push({ text: `${indent}${arr ? ']' : '}'}${comma}`, changed });
}

function pathPart(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Paths present before the step and gone after it (the line view cannot show a deletion). */
export function removedPaths(state: unknown, prev: unknown): string[] {
  const out: string[] = [];
  walkRemoved(toPlainJson(state), toPlainJson(prev), '', out);
  return out.map((p) => p.replace(/^\./, ''));
}

function walkRemoved(cur: Json, prev: Json, path: string, out: string[]): void {
  if (!isContainer(cur) || !isContainer(prev) || Array.isArray(cur) !== Array.isArray(prev)) return;
  if (Array.isArray(cur) && Array.isArray(prev)) {
    prev.forEach((p, i) => {
      if (i >= cur.length) out.push(`${path}${pathPart(i)}`);
      else walkRemoved(cur[i], p, `${path}${pathPart(i)}`, out);
    });
    return;
  }
  const c = cur as { [key: string]: Json };
  for (const [k, p] of Object.entries(prev as { [key: string]: Json })) {
    const at = `${path}${pathPart(k)}`;
    if (!Object.prototype.hasOwnProperty.call(c, k)) out.push(at);
    else walkRemoved(c[k], p, at, out);
  }
}
