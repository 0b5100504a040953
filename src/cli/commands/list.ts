// `variants`, `scenarios`, `properties`: what exists, one line each (or --json).

import { allVariants } from '../../../model/registry.ts';
import { BUILTIN_SCENARIOS } from '../../scenarios/builtin.ts';
import { PROPERTIES } from '../../../properties/registry.ts';
import { flagsOnly } from '../options.ts';
import type { Command } from '../command.ts';

const json = { json: { type: 'boolean' } } as const;

/** A listing command: its entries as JSON with --json, else one padded line each. */
function listCommand(summary: string, asJson: () => unknown, lines: () => string[]): Command {
  return {
    summary,
    usage: '[--json]',
    run(argv) {
      const values = flagsOnly(argv, json);
      process.stdout.write((values.json ? JSON.stringify(asJson(), null, 2) : lines().join('\n')) + '\n');
      return 0;
    },
  };
}

export const variantsCommand = listCommand(
  'list the kernels and mutants',
  () => allVariants().map((v) => ({ id: v.id, kernel: v.kernel, title: v.title, mutant: v.mutant ?? null })),
  () => {
    const vs = allVariants();
    const w = Math.max(...vs.map((v) => v.id.length));
    return vs.map((v) => `${v.id.padEnd(w)}  ${v.mutant ? `mutant: ${v.mutant.change}` : v.title}`);
  },
);

export const scenariosCommand = listCommand(
  'list the built-in scenarios',
  () => BUILTIN_SCENARIOS,
  () => {
    const w = Math.max(...BUILTIN_SCENARIOS.map((s) => s.name.length), 'listen-race-N'.length);
    return [
      ...BUILTIN_SCENARIOS.map((s) => `${s.name.padEnd(w)}  ${s.description ?? ''}`),
      `${'listen-race-N'.padEnd(w)}  N sockets (1-12) bound with SO_REUSEADDR call listen() at once`,
    ];
  },
);

export const propertiesCommand = listCommand(
  'list the properties with their kind and sentence',
  () => PROPERTIES.map((p) => ({ id: p.id, kind: p.kind, sentence: p.sentence, why: p.why, kernel: p.kernel, expectedViolation: p.expectedViolation ?? null })),
  () => {
    const w = Math.max(...PROPERTIES.map((p) => p.id.length));
    return PROPERTIES.map((p) => `${p.id.padEnd(w)}  ${p.kind.padEnd(13)}  ${p.sentence}`);
  },
);
