// `variants`, `scenarios`, `properties`: what exists, one line each (or --json).

import { allVariants } from '../../../model/registry.ts';
import { BUILTIN_SCENARIOS } from '../../scenarios/builtin.ts';
import { PROPERTIES } from '../../../properties/registry.ts';
import { noPositionals, parse } from '../options.ts';
import type { Command } from '../command.ts';

const json = { json: { type: 'boolean' } } as const;

export const variantsCommand: Command = {
  summary: 'list the kernels and mutants',
  usage: '[--json]',
  run(argv) {
    const { values, positionals } = parse(argv, json);
    noPositionals(positionals);
    const vs = allVariants();
    if (values.json) {
      print(JSON.stringify(vs.map((v) => ({ id: v.id, kernel: v.kernel, title: v.title, mutant: v.mutant ?? null })), null, 2));
    } else {
      const w = Math.max(...vs.map((v) => v.id.length));
      for (const v of vs) print(`${v.id.padEnd(w)}  ${v.mutant ? `mutant: ${v.mutant.change}` : v.title}`);
    }
    return 0;
  },
};

export const scenariosCommand: Command = {
  summary: 'list the built-in scenarios',
  usage: '[--json]',
  run(argv) {
    const { values, positionals } = parse(argv, json);
    noPositionals(positionals);
    if (values.json) print(JSON.stringify(BUILTIN_SCENARIOS, null, 2));
    else {
      const w = Math.max(...BUILTIN_SCENARIOS.map((s) => s.name.length), 'listen-race-N'.length);
      for (const s of BUILTIN_SCENARIOS) print(`${s.name.padEnd(w)}  ${s.description ?? ''}`);
      print(`${'listen-race-N'.padEnd(w)}  N sockets (1-12) bound with SO_REUSEADDR call listen() at once`);
    }
    return 0;
  },
};

export const propertiesCommand: Command = {
  summary: 'list the properties with their kind and sentence',
  usage: '[--json]',
  run(argv) {
    const { values, positionals } = parse(argv, json);
    noPositionals(positionals);
    if (values.json) {
      print(JSON.stringify(PROPERTIES.map((p) => ({ id: p.id, kind: p.kind, sentence: p.sentence, why: p.why, kernel: p.kernel, expectedViolation: p.expectedViolation ?? null })), null, 2));
    } else {
      const w = Math.max(...PROPERTIES.map((p) => p.id.length));
      for (const p of PROPERTIES) print(`${p.id.padEnd(w)}  ${p.kind.padEnd(13)}  ${p.sentence}`);
    }
    return 0;
  },
};

function print(s: string) {
  process.stdout.write(s + '\n');
}
