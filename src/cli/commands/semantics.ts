// `semantics`: writes docs/SEMANTICS.md, the SO_REUSEADDR / SO_REUSEPORT table of the model's
// kernels; `--verify` runs the 6.18 cells on this kernel and fills the "this kernel" columns (exit
// 1 on any disagreement, each named). The default page is regenerated in place, as `docs` does
// for docs/INVARIANTS.md; any other --out FILE is never replaced without --force.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { KERNELS } from '../../../model/registry.ts';
import { REPO_ROOT } from '../../docs/defaults.ts';
import { semanticsData, semanticsJson, semanticsMarkdown, VERIFIED_KERNEL } from '../../semantics/page.ts';
import { combinations } from '../../semantics/table.ts';
import { readKernelRecord, verifyOnKernel, type KernelRecord } from '../../semantics/verify.ts';
import { flagsOnly } from '../options.ts';
import { UsageError } from '../errors.ts';
import type { Command } from '../command.ts';
import { docsStale } from '../../docs/stale.ts';
import { kernelGuard } from './kernel.ts';

export const SEMANTICS_PATH = join(REPO_ROOT, 'docs', 'SEMANTICS.md');
export const SEMANTICS_RECORD_PATH = join(REPO_ROOT, 'docs', 'semantics-kernel.json');

function committedRecord(): KernelRecord | null {
  try {
    return readKernelRecord(SEMANTICS_RECORD_PATH);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** The page as `semantics` would write it now, from the committed kernel record. */
export function expectedSemanticsPage(): string {
  return semanticsMarkdown(semanticsData(KERNELS, committedRecord()));
}

/** For `docs --check`: null when docs/SEMANTICS.md is what `semantics` would write, else why not. */
export function semanticsStale(): string | null {
  const stale = docsStale(SEMANTICS_PATH, expectedSemanticsPage());
  return stale && `${stale.replace(SEMANTICS_PATH, relative(process.cwd(), SEMANTICS_PATH) || SEMANTICS_PATH)}; run "npx tcp-listen-model semantics" to regenerate it`;
}

function verify(): KernelRecord {
  // The three-socket cases of the verified kernel are run too: the page says whether they hold.
  const three = semanticsData(KERNELS, null).three.cases.filter((c) => c.kernel === VERIFIED_KERNEL);
  return kernelGuard(() => verifyOnKernel(combinations(), three));
}

export const semanticsCommand: Command = {
  summary: 'the SO_REUSEADDR / SO_REUSEPORT table of every kernel of the model (docs/SEMANTICS.md); --verify checks the 6.18 cells on this kernel',
  usage: '[--verify] [--out FILE [--force] | --json]',
  run(argv) {
    const values = flagsOnly(argv, { verify: { type: 'boolean' }, json: { type: 'boolean' }, out: { type: 'string' }, force: { type: 'boolean' } });
    if (values.force && values.out === undefined) throw new UsageError('--force only makes sense with --out FILE');
    if (values.json && values.out !== undefined) throw new UsageError('--json prints the table to stdout and --out FILE writes the page: give one of them');
    const path = values.out === undefined ? SEMANTICS_PATH : resolve(String(values.out));
    const isDefault = path === SEMANTICS_PATH;
    // Refused before any work: a user's file is never replaced without --force.
    if (!values.json && !isDefault && existsSync(path) && !values.force) throw new UsageError(`${values.out} already exists; refusing to overwrite it (use --force to replace)`);
    const record = values.verify ? verify() : committedRecord();
    const d = semanticsData(KERNELS, record);
    for (const x of d.disagreements) process.stderr.write(`disagreement: ${x.cell}: model ${x.model}, this kernel ${x.kernel}\n`);
    const status = d.disagreements.length ? 1 : 0;
    if (values.json) {
      process.stdout.write(JSON.stringify(semanticsJson(d), null, 2) + '\n');
      return status;
    }
    const text = semanticsMarkdown(d);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    const shown = (p: string) => relative(process.cwd(), p) || p;
    if (values.verify && isDefault) writeFileSync(SEMANTICS_RECORD_PATH, JSON.stringify(record, null, 2) + '\n');
    process.stdout.write(`wrote ${shown(path)}: ${d.cellCount} cells, ${d.three.cases.length} three-socket cases${values.verify && isDefault ? ` (and ${shown(SEMANTICS_RECORD_PATH)})` : ''}\n`);
    if (values.verify) process.stdout.write(`this kernel (${record!.kernel}): ${d.disagreements.length} disagreements, ${d.notRun} cells not run (needs root)\n`);
    return status;
  },
};
