// Whether a generated page on disk is what the generator makes now: `docs --check` and
// `semantics` share it.

import { existsSync } from 'node:fs';
import { readInputFile } from '../read-json.ts';

/** null when the file at `path` is `expected`, else one line naming the first difference. */
export function docsStale(path: string, expected: string): string | null {
  if (!existsSync(path)) return `${path} does not exist`;
  const have = readInputFile(path, 'page');
  if (have === expected) return null;
  const a = have.split('\n'), b = expected.split('\n');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return `${path} is stale (first difference at line ${i + 1})`;
}
