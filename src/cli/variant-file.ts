// `--variant ./my-patch.ts`: a variant from the user's own module, made with the library API
// (a kernel's parts and programs changed: applyMutation, moveAfter, replaceStep...).
//
// Loading a module is asynchronous and the commands read their options synchronously, so main()
// loads every variant file named on the command line first (loadVariantFiles) and variantOption
// then finds it here by the name it was given.
//
// The user's `import ... from 'tcp-listen-model'` must reach *this* process's model, not a second
// copy: dist/cli.js and dist/index.js are separate bundles, each with its own registry, so a
// variant registered (or a kernel looked up) through dist/index.js would live in a registry the
// CLI never reads. A module hook therefore resolves the bare name 'tcp-listen-model' to a shim
// that re-exports the CLI's own library namespace (src/index.ts, bundled into the CLI).
//
// A .js or .mjs file is imported as it is; a .ts or .mts file through tsx's tsImport (tsx is an
// optional peer dependency: only TypeScript variant files need it, and it brings esbuild).

import { statSync } from 'node:fs';
import { register } from 'node:module';
import { resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as api from '../index.ts';
import { findVariant, registerVariant } from '../../model/registry.ts';
import { PROGRAM_NAMES, type Variant } from '../../model/variant.ts';
import { UsageError } from './errors.ts';

/** The options of each command that name a variant (a test keeps this in step with the usages). */
export const VARIANT_FLAGS: Readonly<Record<string, readonly string[]>> = {
  check: ['variant'], explore: ['variant'], outcomes: ['variant'], report: ['variant', 'from', 'to'],
  diff: ['from', 'to'], replay: ['variant'], witness: ['variant'], conform: ['variant'], lines: ['variant'],
};

const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/** A path rather than a variant id: it starts with ./ ../ or /, or ends in a module extension. */
export function isVariantFile(name: string): boolean {
  return /^\.{0,2}\//.test(name) || EXTENSIONS.some((e) => name.endsWith(e));
}

/** Variant files loaded in this process, by the name they were given on the command line. */
const loaded = new Map<string, Variant>();

/** The variant loaded from `name` by loadVariantFiles, if any. */
export function loadedVariant(name: string): Variant | undefined {
  return loaded.get(name);
}

/** How a command line names `v` again: the file it was loaded from, or its id. */
export function variantArg(v: Variant): string {
  for (const [name, x] of loaded) if (x === v) return name;
  return v.id;
}

/** Loads the variant files the command's own variant options name (its other arguments are the command's to check). */
export async function loadVariantFiles(command: string, argv: readonly string[]): Promise<void> {
  const flags = VARIANT_FLAGS[command];
  if (!flags) return;
  const { tokens } = parseArgs({ args: [...argv], strict: false, allowPositionals: true, tokens: true, options: Object.fromEntries(flags.map((f) => [f, { type: 'string' }])) });
  for (const t of tokens) {
    if (t.kind !== 'option' || !flags.includes(t.name) || typeof t.value !== 'string' || !isVariantFile(t.value)) continue;
    if (!loaded.has(t.value)) loaded.set(t.value, await loadVariantFile(t.value));
  }
}

const byPath = new Map<string, Variant>();

/** Imports `name`, checks its export is a variant and registers it; every failure is one UsageError line. */
async function loadVariantFile(name: string): Promise<Variant> {
  const path = resolvePath(name);
  const known = byPath.get(path);
  if (known) return known;
  const fail = (why: string): never => { throw new UsageError(`variant file ${name}: ${why}`); };
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    return fail((e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot read it (${(e as NodeJS.ErrnoException).code})`);
  }
  if (st.isDirectory()) fail('is a folder, not a module file');
  if (!st.isFile()) fail('is not a regular file');
  if (!EXTENSIONS.some((e) => path.endsWith(e))) fail(`must be a ${EXTENSIONS.join(', ')} module`);
  const mod = await importModule(path, fail);
  const v = exportedVariant(mod, fail);
  const same = findVariant(v.id);
  // The module may have registered it itself (through the shared registry): that is the same variant.
  if (same !== v) {
    try {
      registerVariant(v);
    } catch (e) {
      fail(oneLine(e));
    }
  }
  byPath.set(path, v);
  return v;
}

async function importModule(path: string, fail: (why: string) => never): Promise<Record<string, unknown>> {
  shareLibrary();
  const url = pathToFileURL(path).href;
  const ts = path.endsWith('.ts') || path.endsWith('.mts');
  let tsImport: ((specifier: string, parent: string) => Promise<Record<string, unknown>>) | undefined;
  if (ts) {
    try {
      ({ tsImport } = await import('tsx/esm/api'));
    } catch {
      fail('a TypeScript file needs tsx (npm install --save-dev tsx), or give a .js/.mjs file');
    }
  }
  try {
    return ts ? await tsImport!(url, import.meta.url) : await import(url);
  } catch (e) {
    return fail(`cannot load it: ${oneLine(e)}`);
  }
}

/** The module's variant: its default export, or the one named `variant`. */
function exportedVariant(mod: Record<string, unknown>, fail: (why: string) => never): Variant {
  const v = mod.default ?? mod.variant;
  if (v === undefined) return fail('exports no variant (export default one, or export const variant)');
  const problem = notAVariant(v);
  if (problem) fail(`its export is not a variant: ${problem}`);
  return v as Variant;
}

/** What makes `v` no Variant, or undefined (the programs themselves registerVariant checks). */
function notAVariant(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return `it is ${v === null ? 'null' : typeof v}`;
  const o = v as Record<string, unknown>;
  for (const f of ['id', 'kernel', 'title', 'description'] as const) if (typeof o[f] !== 'string') return `no string ${f}`;
  if (typeof o.listenBucket !== 'function') return 'no listenBucket function';
  if (typeof o.programs !== 'object' || o.programs === null) return 'no programs';
  const programs = o.programs as Record<string, unknown>;
  for (const p of PROGRAM_NAMES) {
    const prog = programs[p] as { steps?: unknown } | undefined;
    if (typeof prog !== 'object' || prog === null || !Array.isArray(prog.steps)) return `no ${p} program with steps`;
  }
  return undefined;
}

/** An error's message on one line (tsx and Node spread syntax errors over several). */
function oneLine(e: unknown): string {
  const msg = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  return msg.split('\n').map((l) => l.trim()).filter(Boolean).slice(0, 2).join(' ').slice(0, 300);
}

const API_KEY = 'tcp-listen-model/cli-api';
let shared = false;

/** Makes the bare name 'tcp-listen-model' resolve to this process's own library namespace. */
function shareLibrary(): void {
  if (shared) return;
  shared = true;
  (globalThis as Record<symbol, unknown>)[Symbol.for(API_KEY)] = api;
  const shim = [
    `const api = globalThis[Symbol.for(${JSON.stringify(API_KEY)})];`,
    ...Object.keys(api).map((n) => `export const ${n} = api.${n};`),
  ].join('\n');
  const shimUrl = `data:text/javascript,${encodeURIComponent(shim)}`;
  const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === 'tcp-listen-model') return { url: ${JSON.stringify(shimUrl)}, format: 'module', shortCircuit: true };
  return next(specifier, context);
}`;
  register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}
