// Where the project's own files are. The code runs from the sources (tests) or from the bundles in
// dist/, so paths are found from the package root, never from a module's own location.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).name === 'tcp-listen-model') return dir;
    if (dirname(dir) === dir) throw new Error('cannot find the tcp-listen-model package root');
  }
}

/** The checkout's root folder (where package.json is). */
export const ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

export const rootPath = (...parts: string[]) => join(ROOT, ...parts);
