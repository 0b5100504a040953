// `docs`: writes docs/INVARIANTS.md from the registries; `docs --check` only compares and exits 1
// when the file on disk differs from what would be written (so CI catches a stale page).

import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { checkOutFile, writing } from '../out.ts';
import { dirname, relative } from 'node:path';
import { generateInvariantsDoc } from '../../docs/invariants.ts';
import { INVARIANTS_PATH, WITNESS_PATH, invariantsDocOptions } from '../../docs/defaults.ts';
import { flagsOnly } from '../options.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import { semanticsStale } from './semantics.ts';
import { docsStale } from '../../docs/stale.ts';

export const docsCommand: Command = {
  summary: 'generate docs/INVARIANTS.md (--check: exit 1 if the file is stale)',
  usage: '[--check] [--out FILE [--force]] [--witness FILE]',
  run(argv) {
    const values = flagsOnly(argv, { check: { type: 'boolean' }, out: { type: 'string' }, witness: { type: 'string' }, force: { type: 'boolean' } });
    const path = values.out === undefined ? INVARIANTS_PATH : String(values.out);
    if (values.force && (values.out === undefined || values.check)) throw new UsageError('--force only makes sense with --out FILE (and without --check)');
    // The default page is generated, and regenerating it is what `docs` is for; a file the user
    // named is theirs, and is replaced only with --force. --check only reads it.
    if (values.out !== undefined && !values.check) checkOutFile(path, '--out', !!values.force);
    if (values.check && values.out !== undefined && existsSync(path) && !statSync(path).isFile()) throw new UsageError(`--out ${path} is not a regular file`);
    // A witness file named on the command line must exist (the default one may be absent: "not measured yet").
    if (values.witness !== undefined && !existsSync(String(values.witness))) throw new UsageError(`cannot read witness file ${values.witness}: ENOENT`);
    let options;
    try {
      options = invariantsDocOptions(values.witness === undefined ? WITNESS_PATH : String(values.witness));
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const text = generateInvariantsDoc(options);
    const shown = relative(process.cwd(), path) || path;
    if (values.check) {
      // Without --out, docs/SEMANTICS.md is checked too (`semantics` regenerates it).
      const semantics = values.out === undefined ? semanticsStale() : null;
      if (semantics) { process.stderr.write(`${semantics}\n`); return 1; }
      const stale = docsStale(path, text);
      if (stale) {
        process.stderr.write(`${stale.replace(path, shown)}; run "npx tcp-listen-model docs" to regenerate it\n`);
        return 1;
      }
      process.stdout.write(`${shown} is up to date\n`);
      return 0;
    }
    writing(path, () => {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    });
    process.stdout.write(`wrote ${shown} (${Buffer.byteLength(text)} bytes)\n`);
    return 0;
  },
};
