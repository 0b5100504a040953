// --out DIR for every command that reports counterexamples: one JSON trace and one Markdown page
// each, through the one writer in src/trace/files.ts.
//
// Every output path is checked before any work (`checkOutDir`, `checkOutFile`): a search of
// minutes must not end in a refusal. Refused, each with one line: an empty name, a path under
// /proc, /sys or /dev, a path through something that is not a folder, a name longer than the
// file system takes, a folder this user cannot write, and anything that would replace what the
// user has without --force (a folder that is not empty; a named file that exists).

import { accessSync, constants, existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { FileExistsError, writeCounterexamples, type CounterexampleOutput } from '../trace/files.ts';
import { UsageError } from './errors.ts';

export const OUT_OPTIONS = { out: { type: 'string' }, force: { type: 'boolean' } } as const;

/** Pseudo file systems: writing there either fails late or never returns (/proc/x). */
const FORBIDDEN = ['/proc', '/sys', '/dev'];
/** NAME_MAX of every Linux file system in use. */
const NAME_MAX = 255;

/** The deepest part of `abs` that exists, and the parts below it that do not. */
function existingAncestor(abs: string): string {
  let p = abs;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  return p;
}

/** Checks what every output path needs, whether it names a folder or a file. Returns it absolute. */
function checkPath(path: string, option: string): string {
  if (path === '') throw new UsageError(`${option} needs a path, got an empty string`);
  const abs = resolve(path);
  const long = abs.split(sep).find((part) => Buffer.byteLength(part) > NAME_MAX);
  if (long !== undefined) throw new UsageError(`${option} ${path}: a name in it is longer than ${NAME_MAX} bytes`);
  const base = existingAncestor(abs);
  let real: string;
  try {
    real = realpathSync(base);
  } catch (e) {
    throw new UsageError(`${option} ${path}: cannot resolve ${base}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const inside = (root: string, p: string) => p === root || p.startsWith(root + '/');
  const pseudo = FORBIDDEN.find((root) => inside(root, real) || inside(root, abs));
  if (pseudo !== undefined) throw new UsageError(`${option} ${path} is under ${pseudo}; write to an ordinary folder`);
  if (base !== abs && !statSync(base).isDirectory()) throw new UsageError(`${option} ${path}: ${base} is not a folder`);
  if (base !== abs) {
    try {
      accessSync(base, constants.W_OK | constants.X_OK);
    } catch {
      throw new UsageError(`${option} ${path}: cannot create it, ${base} is not writable`);
    }
  }
  return abs;
}

/**
 * Refuses, before any work, an --out folder the command could not write or would overwrite in.
 * `names`: the files the command will write when known in advance (report.html); without them
 * a folder that is not empty is refused, since what the search will name its files is not known.
 */
export function checkOutDir(values: Record<string, unknown>, names?: readonly string[]): void {
  if (values.force && values.out === undefined) throw new UsageError('--force only makes sense with --out DIR');
  if (values.out === undefined) return;
  const path = String(values.out);
  const abs = checkPath(path, '--out');
  if (!existsSync(abs)) return;
  if (!statSync(abs).isDirectory()) throw new UsageError(`--out ${path} is not a folder`);
  try {
    accessSync(abs, constants.W_OK | constants.X_OK);
  } catch {
    throw new UsageError(`--out ${path}: the folder is not writable`);
  }
  if (values.force) return;
  if (names) {
    const taken = names.map((n) => join(path, n)).find((p) => existsSync(p));
    if (taken !== undefined) throw new UsageError(`${taken} already exists; refusing to overwrite it (use --force to replace)`);
    return;
  }
  if (readdirSync(abs).length > 0) throw new UsageError(`--out ${path} already exists and is not empty; refusing to write into it (use --force to replace files in it)`);
}

/** The same for an output file (docs --out, witness --save): refuses a folder, and an existing file without --force. */
export function checkOutFile(path: string, option: string, force: boolean): void {
  const abs = checkPath(path, option);
  if (!existsSync(abs)) {
    if (!existsSync(dirname(abs))) throw new UsageError(`${option} ${path}: the folder ${dirname(abs)} does not exist`);
    return;
  }
  if (statSync(abs).isDirectory()) throw new UsageError(`${option} ${path} is a folder; give a file name`);
  if (!statSync(abs).isFile()) throw new UsageError(`${option} ${path} is not a regular file`);
  if (!force) throw new UsageError(`${path} already exists; refusing to overwrite it (use --force to replace)`);
}

/** Runs a write; a failure the checks could not foresee (disk full, a race) is one line too. */
export function writing<T>(what: string, write: () => T): T {
  try {
    return write();
  } catch (e) {
    if (e instanceof FileExistsError || e instanceof UsageError) throw new UsageError(e.message);
    const err = e as NodeJS.ErrnoException;
    if (typeof err.code === 'string') throw new UsageError(`cannot write ${what}: ${err.code}${err.path ? ` (${err.path})` : ''}`);
    throw e;
  }
}

export function writeOut(values: Record<string, unknown>, cxs: CounterexampleOutput[]): string[] {
  if (values.out === undefined) return [];
  const dir = String(values.out);
  return writing(dir, () => writeCounterexamples(dir, cxs, { force: !!values.force }));
}
