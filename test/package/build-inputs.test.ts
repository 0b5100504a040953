// `npm test` after `npm ci` does not build dist/ again: the build is skipped only when every input
// is byte for byte what the build in dist/ was made from. These try to make it skip wrongly.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { builtFrom, inputsHash, stampPath } from '../../scripts/build-inputs.mjs';

/** A checkout with a source, a schema and a config, and a dist/ built from them. */
function checkout(): string {
  const root = mkdtempSync(join(tmpdir(), 'tlm-inputs-'));
  const put = (rel: string, text: string) => { mkdirSync(dirname(join(root, rel)), { recursive: true }); writeFileSync(join(root, rel), text); };
  put('src/a.ts', 'export const a = 1;\n');
  put('model/deep/b.ts', 'export const b = 2;\n');
  put('schemas/s.json', '{}\n');
  put('package.json', '{}\n');
  for (const f of ['cli.js', 'index.js', 'vitest.js', 'explore-worker.js', 'types/src/index.d.ts']) put(`dist/${f}`, '');
  writeFileSync(stampPath(root), inputsHash(root));
  return root;
}

describe('the build stamp', () => {
  it('matches when nothing changed, and not after an edit, an added file, a rename or a config change', () => {
    const edits: [string, (root: string) => void][] = [
      ['an edited source', (r) => writeFileSync(join(r, 'model/deep/b.ts'), 'export const b = 3;\n')],
      ['an added source', (r) => writeFileSync(join(r, 'src/c.ts'), '')],
      ['a renamed source', (r) => renameSync(join(r, 'src/a.ts'), join(r, 'src/a2.ts'))],
      ['an edited config', (r) => writeFileSync(join(r, 'package.json'), '{ }\n')],
      ['a new lockfile', (r) => writeFileSync(join(r, 'package-lock.json'), '{}\n')],
    ];
    for (const [what, edit] of edits) {
      const root = checkout();
      expect(builtFrom(root, inputsHash(root)), `before ${what}`).toBe(true);
      edit(root);
      expect(builtFrom(root, inputsHash(root)), what).toBe(false);
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('does not match when dist/ lost an entry point or its stamp', () => {
    for (const f of ['dist/cli.js', 'dist/types/src/index.d.ts', 'dist/.inputs-sha256']) {
      const root = checkout();
      rmSync(join(root, f));
      expect(builtFrom(root, inputsHash(root)), f).toBe(false);
      rmSync(root, { recursive: true, force: true });
    }
  });
});
