// `explore` and `outcomes`: the exhaustive search on one scenario. The figures that depend on
// the machine's speed (seconds, states per second, memory) go to stderr, so stdout is the same
// for the same options, byte for byte.

import { explore, type ExploreResult } from '../../explore/explore.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { formatTraceText } from '../../trace/text.ts';
import { choiceOption, intOption, noPositionals, parse, propertiesOption, variantOption } from '../options.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import type { Segment } from '../../engine/run.ts';
import { runSchedule, type RunResult } from '../../engine/run.ts';
import { compileSystem } from '../../../model/system.ts';
import { PROPERTIES } from '../../../properties/registry.ts';
import { OUT_OPTIONS, writeOut } from '../out.ts';

const COMMON = {
  variant: { type: 'string' }, scenario: { type: 'string' }, strategy: { type: 'string' },
  'max-states': { type: 'string' }, 'max-seconds': { type: 'string' }, 'max-memory': { type: 'string' },
  'no-symmetry': { type: 'boolean' }, 'no-merge': { type: 'boolean' }, json: { type: 'boolean' },
  ...OUT_OPTIONS,
} as const;

function options(values: Record<string, unknown>) {
  return {
    variant: variantOption(values.variant),
    scenario: loadScenario(values.scenario === undefined ? 'listen-race-2' : String(values.scenario)),
    strategy: choiceOption(values.strategy, 'strategy', ['bfs', 'dfs'] as const, 'bfs'),
    maxStates: intOption(values['max-states'], 'max-states', 50_000_000, 1),
    maxSeconds: intOption(values['max-seconds'], 'max-seconds', 600, 1),
    maxBytes: intOption(values['max-memory'], 'max-memory', 16_384, 32, 1 << 20) * 2 ** 20,
    merge: !values['no-merge'],
  };
}

/** A progress line on stderr, only for a terminal and only after the first second. */
function progress() {
  if (!process.stderr.isTTY) return undefined;
  return (s: { states: number; transitions: number; seconds: number; statesPerSecond: number }) => {
    if (s.seconds < 1) return;
    process.stderr.write(`\r${s.states} states, ${s.transitions} transitions, ${s.seconds.toFixed(1)} s, ${s.statesPerSecond} states/s   `);
  };
}

function timing(r: ExploreResult): void {
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  const s = r.stats;
  process.stderr.write(`timing: ${s.seconds} s, ${s.statesPerSecond} states/s, ${s.bytesPerState} bytes per stored state, peak ${(s.peakBytes / 2 ** 20).toFixed(1)} MiB of search structures\n`);
}

const showSchedule = (sch: Segment[]) => sch.length === 0 ? 'no context switch: each thread runs to completion in order' : `${sch.map((s) => `T${s.thread} x${s.steps}`).join(', ')}, then each thread to completion in order`;

export const exploreCommand: Command = {
  summary: 'visit every interleaving of a scenario: a proof within the bound, or a shortest counterexample',
  usage: '[--variant V] [--scenario NAME|FILE.json] [--property ID] [--strategy bfs|dfs] [--max-states N] [--max-seconds S] [--max-memory MiB] [--no-symmetry] [--no-merge] [--out DIR [--force]] [--json]',
  run(argv) {
    const { values, positionals } = parse(argv, { ...COMMON, property: { type: 'string', multiple: true } });
    noPositionals(positionals);
    const o = options(values);
    if (values.force && values.out === undefined) throw new UsageError('--force only makes sense with --out DIR');
    const r = explore({ ...o, properties: propertiesOption(values.property), symmetry: !values['no-symmetry'], progress: progress() });
    timing(r);
    const written = writeOut(values, r.properties.flatMap((p) => p.counterexample ? [{
      scenario: o.scenario, variant: r.variant, schedule: p.counterexample.schedule, run: p.counterexample.run, merge: r.merge,
      found: { by: 'explore', command: `npx tcp-listen-model explore --variant ${r.variant} --scenario ${o.scenario.name} --property ${p.id}` },
    }] : []));
    if (written.length) process.stderr.write(`wrote ${written.length} files to ${values.out}\n`);
    const bad = r.properties.filter((p) => p.verdict === 'violated');
    if (values.json) {
      const { seconds: _s, statesPerSecond: _r, peakBytes: _p, bytesPerState: _b, ...stable } = r.stats;
      process.stdout.write(JSON.stringify({
        ...r, stats: stable,
        properties: r.properties.map((p) => ({ ...p, ...(p.counterexample ? { counterexample: { ...p.counterexample, run: { results: p.counterexample.run.results, trace: p.counterexample.run.trace } } } : {}) })),
      }, null, 2) + '\n');
      return bad.length ? 1 : 0;
    }
    const out = [
      `explore ${r.scenario} on ${r.variant}: ${r.strategy === 'bfs' ? 'breadth-first' : 'depth-first'}, symmetry ${r.symmetry ? `on (orbits: ${r.orbits.map((o) => o.join('=')).join('; ')})` : 'off'}, invisible steps ${r.merge ? 'merged' : 'not merged'}`,
      r.truncated ? `result: NOT PROVEN (bound reached: ${r.bound}); the figures below cover the part searched` : `result: complete, every reachable state visited`,
      '',
    ];
    const w = Math.max(...r.properties.map((p) => p.id.length));
    for (const p of r.properties) out.push(`${p.id.padEnd(w)}  ${p.verdict}${p.counterexample ? ` (shortest: ${p.counterexample.depth} transitions)` : ''}`);
    out.push('', `states ${r.stats.states}, transitions ${r.stats.transitions}, max depth ${r.stats.maxDepth}, fingerprint collision chance ${r.stats.collisionProbability.toExponential(1)}`);
    out.push(`model steps never run: ${r.coverage.stepsNeverRun.join(', ') || 'none'}`);
    out.push(`lifecycle moves never taken: ${r.coverage.lifecycleMovesNeverTaken.join('; ') || 'none'}`);
    for (const p of r.properties) {
      if (!p.counterexample) continue;
      out.push('', `--- ${p.id}: ${p.verdict}`, `    schedule: ${showSchedule(p.counterexample.schedule)}`, '');
      out.push(indent(formatTraceText(p.counterexample.run.trace)), '', `    ${p.counterexample.message}`);
    }
    process.stdout.write(out.join('\n') + '\n');
    return bad.length ? 1 : 0;
  },
};

export const outcomesCommand: Command = {
  summary: 'the set of reachable final outcomes of a scenario, each with a shortest witness',
  usage: '[--variant V] [--scenario NAME|FILE.json] [--strategy bfs|dfs] [--max-states N] [--max-seconds S] [--max-memory MiB] [--no-merge] [--out DIR [--force]] [--json]',
  run(argv) {
    const { values, positionals } = parse(argv, COMMON);
    noPositionals(positionals);
    const o = options(values);
    // Symmetry would fold outcomes that differ only by which socket won: keep it off here.
    if (values.force && values.out === undefined) throw new UsageError('--force only makes sense with --out DIR');
    const r = explore({ ...o, properties: [], symmetry: false, outcomes: true, progress: progress() });
    timing(r);
    const outcomes = r.outcomes ?? [];
    // Saved witnesses carry every property's verdict, as `replay` checks them all.
    const sys = values.out === undefined ? undefined : compileSystem(o.scenario, o.variant);
    const written = sys === undefined ? [] : writeOut(values, outcomes.map((x, i) => ({
      name: `outcome-${i + 1}.${o.scenario.name}.${r.variant}`, scenario: o.scenario, variant: r.variant, schedule: x.witness,
      run: runSchedule(sys, x.witness, { properties: PROPERTIES, merge: r.merge, trace: true }), merge: r.merge,
      found: { by: 'outcomes', command: `npx tcp-listen-model outcomes --variant ${r.variant} --scenario ${o.scenario.name}` },
    })));
    if (written.length) process.stderr.write(`wrote ${written.length} files to ${values.out}\n`);
    if (values.json) {
      process.stdout.write(JSON.stringify({
        scenario: r.scenario, variant: r.variant, complete: !r.truncated,
        outcomes: outcomes.map((x) => ({
          returns: Object.fromEntries(Object.entries(x.returns).map(([t, v]) => [t, v.length === 1 ? v[0] : v])),
          listening: x.listening,
          ...(x.violates.length ? { violates: x.violates } : {}),
          witness: witnessSteps(x.run),
          schedule: x.witness,
        })),
      }, null, 2) + '\n');
      return 0;
    }
    const out = [`outcomes of ${r.scenario} on ${r.variant}: ${outcomes.length}${r.truncated ? ` so far (NOT COMPLETE: bound reached: ${r.bound})` : ' (complete)'}`, ''];
    outcomes.forEach((x, i) => {
      out.push(`${i + 1}. ${Object.entries(x.returns).map(([t, v]) => `${t} ${v.join(' ')}`).join(', ')}; listening: ${x.listening.join(', ') || 'none'}`);
      for (const v of x.violates) out.push(`   violates ${v.id}: ${v.message}`);
      out.push(`   witness: ${showSchedule(x.witness)}`);
      out.push(indent(formatTraceText(x.run.trace), 6), '');
    });
    process.stdout.write(out.join('\n') + '\n');
    return 0;
  },
};

function witnessSteps(run: RunResult): string[] {
  return run.trace.map((s) => `${s.thread} ${s.where} ${s.stepId}${s.returned !== undefined ? ` => ${s.returned}` : ''}`);
}

const indent = (s: string, n = 4) => s.split('\n').map((l) => ' '.repeat(n) + l).join('\n');
