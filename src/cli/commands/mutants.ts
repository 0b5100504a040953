// `mutants`: the kill table. Each mutant, the property that breaks it, how fast the random
// checker finds a first counterexample (median over seeds, uniform and PCT schedules), and the
// explorer's shortest counterexample. Every mutant must be killed by both; the kernel itself
// must not be. Timing columns depend on the machine; --no-timing leaves them out.

import { firstCounterexample } from '../../engine/kill.ts';
import { exploreKill } from '../../explore/kill.ts';
import { MUTANTS } from '../../../model/mutants/index.ts';
import { KERNELS } from '../../../model/registry.ts';
import type { Variant } from '../../../model/variant.ts';
import { flagsOnly, intOption } from '../options.ts';
import { BUILTIN_SCENARIOS } from '../../scenarios/builtin.ts';
import { UsageError } from '../errors.ts';
import type { Command } from '../command.ts';
import { OUT_OPTIONS, checkOutDir, writeOut } from '../out.ts';
import type { CounterexampleOutput } from '../../trace/files.ts';

interface KillRow {
  id: string;
  catalogue: string;
  change: string;
  random: { killed: boolean; property: string; medianRuns: number; medianMs: number; killedSeeds: number };
  pct: { killed: boolean; property: string; medianRuns: number; medianMs: number; killedSeeds: number };
  explorer: { killed: boolean; property: string; scenario: string; states: number; length: number };
  /** The counterexamples behind the row (seed 1's for the random checker), for --out. */
  files: CounterexampleOutput[];
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.floor((s.length - 1) / 2)] : 0; };
const mostCommon = (xs: string[]) => [...new Set(xs)].sort((a, b) => xs.filter((x) => x === b).length - xs.filter((x) => x === a).length)[0] ?? '-';

function killRow(v: Variant, seeds: number, depth = 2): KillRow {
  const files: CounterexampleOutput[] = [];
  const sched = (scheduler: 'random' | 'pct') => {
    const rs = Array.from({ length: seeds }, (_, i) => firstCounterexample(v, { seed: i + 1, scheduler, depth, maxRuns: 20_000 }));
    const hits = rs.filter((r) => r.found);
    const cx = rs[0].counterexample;
    if (cx) files.push({ ...cx, name: `${v.id}.${scheduler}.${cx.propertyId}.${cx.scenario.name}`, found: { by: `mutants (${scheduler})`, seed: cx.seed, path: cx.path } });
    return { killed: hits.length === seeds, property: mostCommon(hits.map((r) => r.propertyId!)), medianRuns: median(rs.map((r) => r.runs)), medianMs: median(rs.map((r) => r.ms)), killedSeeds: hits.length };
  };
  const e = exploreKill(v);
  if (e.counterexample) {
    const scenario = BUILTIN_SCENARIOS.find((s) => s.name === e.scenario)!;
    files.push({ name: `${v.id}.explore.${e.propertyId}.${e.scenario}`, scenario, variant: v.id, schedule: e.counterexample.schedule, run: e.counterexample.run, found: { by: 'mutants (explore)', command: `npx tcp-listen-model explore --variant ${v.id} --scenario ${e.scenario}` } });
  }
  return {
    files,
    id: v.id, catalogue: v.mutant?.catalogue ?? '', change: v.mutant?.change ?? v.title,
    random: sched('random'), pct: sched('pct'),
    explorer: { killed: e.killed, property: e.propertyId ?? '-', scenario: e.scenario ?? '-', states: e.states, length: e.length },
  };
}

export const mutantsCommand: Command = {
  summary: 'the mutant kill table: random checker (uniform and PCT) and explorer against every mutant',
  usage: '[--base linux-4.3|linux-6.18] [--seeds N] [--no-timing] [--out DIR [--force]] [--json]',
  run(argv) {
    const values = flagsOnly(argv, { base: { type: 'string' }, seeds: { type: 'string' }, 'no-timing': { type: 'boolean' }, json: { type: 'boolean' }, ...OUT_OPTIONS });
    const seeds = intOption(values.seeds, 'seeds', 10, 1, 1000);
    const base = values.base as string | undefined;
    if (base !== undefined && !KERNELS.some((k) => k.id === base)) throw new UsageError(`unknown base "${base}" (kernels: ${KERNELS.map((k) => k.id).join(', ')})`);
    checkOutDir(values);
    const kernels = KERNELS.filter((k) => base === undefined || k.id === base);
    const rows = kernels.flatMap((k) => [...MUTANTS.filter((m) => m.mutant!.base === k.id), k]).map((v) => killRow(v, seeds));
    const timing = !values['no-timing'];
    const written = writeOut(values, rows.flatMap((r) => r.files));
    if (written.length) process.stderr.write(`wrote ${written.length} files to ${values.out}\n`);
    const isKernel = (r: KillRow) => KERNELS.some((k) => k.id === r.id);
    const ok = rows.every((r) => (isKernel(r) ? !r.random.killedSeeds && !r.pct.killedSeeds && !r.explorer.killed : r.random.killed && r.pct.killed && r.explorer.killed));
    if (values.json) {
      process.stdout.write(JSON.stringify({ seeds, rows: rows.map(({ files: _f, ...r }) => (timing ? r : { ...r, random: { ...r.random, medianMs: undefined }, pct: { ...r.pct, medianMs: undefined } })) }, null, 2) + '\n');
      return ok ? 0 : 1;
    }
    const w = Math.max(...rows.map((r) => r.id.length));
    const cell = (x: KillRow['random']) => x.killed ? `${x.property} ${x.medianRuns} runs${timing ? ` ${x.medianMs} ms` : ''}` : x.killedSeeds ? `${x.killedSeeds}/${seeds} seeds` : 'not killed';
    const out = [`mutant kill table: random checker median over ${seeds} seeds (runs and ms to the first counterexample, all properties checked), PCT depth 2, explorer breadth-first over the built-in scenarios`, ''];
    out.push(`${'variant'.padEnd(w)}  cat.  random (uniform)${' '.repeat(30)}random (PCT)${' '.repeat(34)}explorer`);
    for (const r of rows) {
      const ex = r.explorer.killed ? `${r.explorer.property} in ${r.explorer.scenario}: ${r.explorer.states} states, length ${r.explorer.length}` : 'not killed';
      out.push(`${r.id.padEnd(w)}  ${r.catalogue.padEnd(4)}  ${cell(r.random).padEnd(46)}  ${cell(r.pct).padEnd(46)}  ${ex}`);
    }
    const mutants = rows.filter((r) => !isKernel(r));
    out.push('', `${mutants.length} mutants: ${mutants.filter((r) => r.random.killed).length} killed by the random checker, ${mutants.filter((r) => r.pct.killed).length} by PCT, ${mutants.filter((r) => r.explorer.killed).length} by the explorer; kernels killed: ${rows.filter((r) => isKernel(r) && (r.random.killedSeeds || r.explorer.killed)).map((r) => r.id).join(', ') || 'none'}`);
    if (timing) out.push(`median time to the first counterexample: uniform ${median(mutants.map((r) => r.random.medianMs))} ms, PCT ${median(mutants.map((r) => r.pct.medianMs))} ms; slowest mutant (uniform) ${Math.max(...mutants.map((r) => r.random.medianMs))} ms`);
    process.stdout.write(out.join('\n') + '\n');
    return ok ? 0 : 1;
  },
};
