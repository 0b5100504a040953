// `lines`: checks every kernel line the model cites against a kernel tree (src/lines/check.ts
// states the rule). Without --variant the tree's top Makefile names the kernel; a tree without one
// (such as ../shared/linux/<version>) is checked against each kernel and the one with fewest
// mismatches is taken, or --variant is required when two tie.

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AF_INET_C, ICSK_C, IH_C, REUSEPORT_C, TCP_C, TCP_IPV4_C } from '../../../model/kernel.ts';
import { KERNELS } from '../../../model/registry.ts';
import { MUTANTS, MUTATED_STEPS } from '../../../model/mutants/index.ts';
import type { Variant } from '../../../model/variant.ts';
import { PROPERTIES } from '../../../properties/registry.ts';
import { checkVariant, formatMismatch, type FileReader, type LinesContext } from '../../lines/check.ts';
import { UsageError } from '../../errors.ts';
import { flagsOnly, variantOption } from '../options.ts';
import type { Command } from '../command.ts';

const PATHS = [AF_INET_C, ICSK_C, IH_C, TCP_C, TCP_IPV4_C, REUSEPORT_C];

export const LINES_CONTEXT: LinesContext = { mutants: MUTANTS, mutatedSteps: MUTATED_STEPS, properties: PROPERTIES, paths: PATHS };

/** Reads files of a tree; a missing or unreadable file is undefined. */
export function treeReader(tree: string): FileReader {
  return (path) => {
    try { return readFileSync(join(tree, path), 'utf8'); } catch { return undefined; }
  };
}

/** The kernel of a tree: by its top Makefile's VERSION and PATCHLEVEL, else by trying each one. */
function kernelOfTree(tree: string, read: FileReader): Variant {
  const makefile = read('Makefile');
  if (makefile !== undefined) {
    const version = /^VERSION = (\d+)$/m.exec(makefile)?.[1];
    const patch = /^PATCHLEVEL = (\d+)$/m.exec(makefile)?.[1];
    const k = KERNELS.find((v) => v.kernel === `${version}.${patch}`);
    if (!k) throw new UsageError(`${tree}/Makefile is Linux ${version}.${patch}, which no variant models; pass --variant`);
    return k;
  }
  const tried = KERNELS.map((v) => ({ v, n: checkVariant(v, read, { ...LINES_CONTEXT, mutants: [] }).mismatches.length }))
    .sort((a, b) => a.n - b.n);
  if (tried.length > 1 && tried[0].n === tried[1].n) {
    throw new UsageError(`cannot tell which kernel ${tree} holds (no Makefile, ${tried.map((t) => `${t.v.id}: ${t.n} mismatches`).join(', ')}); pass --variant`);
  }
  return tried[0].v;
}

export const linesCommand: Command = {
  summary: 'check that every cited kernel line holds the C its step quotes (and where a moved line is now)',
  usage: '--tree DIR [--variant V]',
  run(argv) {
    const values = flagsOnly(argv, { tree: { type: 'string' }, variant: { type: 'string' } });
    if (values.tree === undefined) throw new UsageError('--tree DIR is required (a kernel tree, e.g. ../shared/linux/4.3)');
    const tree = String(values.tree);
    if (!existsSync(tree) || !statSync(tree).isDirectory()) throw new UsageError(`--tree ${tree}: no such directory`);
    const read = treeReader(tree);
    if (!PATHS.some((p) => read(p) !== undefined)) throw new UsageError(`--tree ${tree}: holds none of ${PATHS.join(', ')}`);
    const variant = values.variant === undefined ? kernelOfTree(tree, read) : variantOption(values.variant);
    const { checked, mismatches } = checkVariant(variant, read, LINES_CONTEXT);
    for (const m of mismatches) process.stdout.write(formatMismatch(m) + '\n');
    const scope = variant.mutant ? variant.id : `${variant.id}, its mutants and the properties`;
    process.stdout.write(`${mismatches.length} mismatch${mismatches.length === 1 ? '' : 'es'} in ${checked} citations (${scope}) against ${tree}\n`);
    return mismatches.length === 0 ? 0 : 1;
  },
};
