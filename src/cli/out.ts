// --out DIR for every command that reports counterexamples: one JSON trace and one Markdown page
// each, through the one writer in src/trace/files.ts. A name already taken is a one-line error.

import { FileExistsError, writeCounterexamples, type CounterexampleOutput } from '../trace/files.ts';
import { UsageError } from './errors.ts';

export const OUT_OPTIONS = { out: { type: 'string' }, force: { type: 'boolean' } } as const;

export function writeOut(values: Record<string, unknown>, cxs: CounterexampleOutput[]): string[] {
  if (values.force && values.out === undefined) throw new UsageError('--force only makes sense with --out DIR');
  if (values.out === undefined) return [];
  try {
    return writeCounterexamples(String(values.out), cxs, { force: !!values.force });
  } catch (e) {
    if (e instanceof FileExistsError) throw new UsageError(e.message);
    throw e;
  }
}
