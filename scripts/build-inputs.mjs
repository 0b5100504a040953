// What a build of dist/ is made from, as one SHA-256: scripts/build.mjs skips a build whose
// inputs are byte for byte those of the build already in dist/ (its stamp, dist/.inputs-sha256).
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Everything the build reads: the sources, the schemas, the build script, the configs and the lockfile. */
export const INPUTS = ['src', 'model', 'properties', 'schemas', 'scripts/build.mjs', 'scripts/build-inputs.mjs', 'scripts/build-inputs.d.mts', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];

/** The files of INPUTS under `root`, sorted, and their contents, hashed with their paths. */
export function inputsHash(root) {
  const hash = createHash('sha256');
  const files = INPUTS.map((rel) => join(root, rel)).filter(existsSync).flatMap((path) => statSync(path).isDirectory()
    ? readdirSync(path, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
    : [path]);
  for (const f of files.map((f) => relative(root, f)).sort()) hash.update(`${f}\0`).update(readFileSync(join(root, f))).update('\0');
  return hash.digest('hex');
}

export const stampPath = (root) => join(root, 'dist', '.inputs-sha256');

/** dist/ under `root` was built from exactly these inputs (and its entry points are there). */
export function builtFrom(root, inputs) {
  const stamp = stampPath(root);
  return existsSync(stamp) && readFileSync(stamp, 'utf8') === inputs
    && ['cli.js', 'index.js', 'vitest.js', 'explore-worker.js', 'types/src/index.d.ts'].every((f) => existsSync(join(root, 'dist', f)));
}
