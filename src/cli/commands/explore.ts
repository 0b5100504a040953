// `explore` and `outcomes`: the exhaustive search on one scenario. The figures that depend on
// the machine's speed (seconds, states per second, memory) go to stderr, so stdout is the same
// for the same options, byte for byte.

import type { ExploredCounterexample } from '../../engine/counterexample.ts';
import { explore, type ExploreResult } from '../../explore/explore.ts';
import type { BitstateStats } from '../../explore/search.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { formatTraceText } from '../../trace/text.ts';
import { choiceOption, flagsOnly, intOption, propertiesOption, variantOption } from '../options.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import type { Segment } from '../../engine/run.ts';
import { runSchedule, type RunResult } from '../../engine/run.ts';
import { compileSystem } from '../../../model/system.ts';
import { PROPERTIES } from '../../../properties/registry.ts';
import { findProperty } from '../../../properties/registry.ts';
import { expectedOn } from '../../engine/check.ts';
import { OUT_OPTIONS, checkOutDir, writeOut } from '../out.ts';
import { INTERRUPTED_EXIT, interrupted, runInterruptible, stderrIsTty } from '../interrupt.ts';
import type { Scenario } from '../../../model/scenario.ts';
import type { Variant } from '../../../model/variant.ts';
import { variantArg } from '../variant-file.ts';
import { maxWorkers, parallelRefusal } from '../../explore/parallel.ts';

const COMMON = {
  variant: { type: 'string' }, scenario: { type: 'string' }, strategy: { type: 'string' },
  'max-states': { type: 'string' }, 'max-seconds': { type: 'string' }, 'max-memory': { type: 'string' },
  'no-symmetry': { type: 'boolean' }, 'no-merge': { type: 'boolean' }, 'no-por': { type: 'boolean' }, exact: { type: 'boolean' }, json: { type: 'boolean' },
  workers: { type: 'string' },
  ...OUT_OPTIONS,
} as const;

function options(values: Record<string, unknown>) {
  return {
    variant: variantOption(values.variant),
    scenario: loadScenario(values.scenario === undefined ? 'listen-race-2' : String(values.scenario)),
    strategy: choiceOption(values.strategy, 'strategy', ['bfs', 'dfs'] as const, 'bfs'),
    maxStates: intOption(values['max-states'], 'max-states', 50_000_000, 1),
    maxSeconds: intOption(values['max-seconds'], 'max-seconds', 600, 1),
    // Bounds the search structures (visited set, queue, parent links), not the whole process:
    // Node and the CLI itself take about 76 MiB more. 32 is the least the structures start with.
    maxBytes: intOption(values['max-memory'], 'max-memory', 16_384, 32, 1 << 20) * 2 ** 20,
    merge: !values['no-merge'],
    // Partial-order reduction (src/explore/persistent-set.ts): on unless --no-por; --races turns it off.
    por: !values['no-por'],
    exact: !!values.exact,
    workers: workersOption(values.workers),
    // States the main thread stores alone before the workers start (src/explore/parallel.ts); the tests set 0.
    ...(process.env.TLM_WORKERS_FROM ? { workersFrom: intOption(process.env.TLM_WORKERS_FROM, 'TLM_WORKERS_FROM', 0) } : {}),
  };
}

/**
 * --workers N: from 1 (the sequential search, the default) to the cores there are. One stays the
 * default although the workers now dedupe into a shared visited set and the main thread's merge
 * is a key check per new state: on this 2-core machine two workers gain 5-9 % on mixed4 and about
 * a third on mixed5, and lose on searches too small to pay for their start (README, "Both cores"
 * and "Figures").
 */
function workersOption(v: unknown): number {
  const cores = maxWorkers();
  if (v === undefined) return 1;
  const s = String(v);
  if (!/^-?\d+$/.test(s)) throw new UsageError(`--workers must be a whole number of threads, got "${s}"`);
  const n = Number(s);
  if (n < 1) throw new UsageError(`--workers must be at least 1 (1 is the sequential search), got ${n}`);
  if (n > cores) throw new UsageError(`--workers ${n} is more than the ${cores} cores here: give at most ${cores}`);
  return n;
}

/** A search that runs on one thread although --workers asked for more: say so (stderr), once. */
function oneThreadNote(values: Record<string, unknown>, o: Parameters<typeof parallelRefusal>[0] & { workers: number }): void {
  const why = o.workers > 1 ? parallelRefusal(o) : null;
  if (why !== null && values.workers !== undefined) process.stderr.write(`--workers ${o.workers}: ${why}; running on one thread\n`);
}

/** Called about every 100 ms: a progress line on stderr (a terminal only, after the first second), and 'stop' on Ctrl-C. */
export function progress() {
  const tty = stderrIsTty();
  return (s: { states: number; transitions: number; seconds: number; statesPerSecond: number }): 'stop' | undefined => {
    if (interrupted()) return 'stop';
    if (tty && s.seconds >= 1) process.stderr.write(`\r${s.states} states, ${s.transitions} transitions, ${s.seconds.toFixed(1)} s, ${s.statesPerSecond} states/s   `);
    return undefined;
  };
}

/** A bound that depends on the machine's speed (or the user's hand): what was reached under it does too. */
const speedBound = (r: ExploreResult) => r.bound === 'seconds' || r.bound === 'memory' || r.bound === 'interrupted';

function timing(r: ExploreResult): void {
  if (stderrIsTty()) process.stderr.write('\r\x1b[K');
  const s = r.stats;
  const reached = speedBound(r) ? `${s.states} states, ${s.transitions} transitions, max depth ${s.maxDepth} before the ${r.bound === 'interrupted' ? 'interrupt' : `${r.bound} bound`}; ` : '';
  process.stderr.write(`timing: ${reached}${s.seconds} s, ${s.statesPerSecond} states/s, ${s.bytesPerState} bytes per stored state, peak ${(s.peakBytes / 2 ** 20).toFixed(1)} MiB of search structures\n`);
}

/** The flag that sets each bound: a run that stopped at one says which flag goes further. */
const BOUND_FLAG: Record<string, string> = { states: '--max-states', seconds: '--max-seconds', memory: '--max-memory' };

/** "; a larger --max-states searches further", or nothing for a bound no flag sets. */
const further = (bound = '') => (BOUND_FLAG[bound] ? `; a larger ${BOUND_FLAG[bound]} searches further` : '');

/** The result line: complete, or which bound ended it (an interrupt says so), and how to go further. */
const resultLine = (r: ExploreResult) => !r.truncated ? 'result: complete, every reachable state visited'
  : r.bound === 'interrupted' ? 'result: INTERRUPTED, NOT PROVEN; the figures below cover the part searched'
    : `result: NOT PROVEN (bound reached: ${r.bound}); the figures below cover the part searched${further(r.bound)}`;

/** What the search did past the memory bound (see src/explore/bitstate.ts for the estimate). */
const bitstateLine = (b: BitstateStats) =>
  `memory bound reached after ${b.fromState} states: went on with a bitstate table of ${(b.tableBytes / 2 ** 20).toFixed(1)} MiB; estimated share of states omitted ${(b.omittedFraction * 100).toPrecision(2)}% (--exact stops at the bound instead)`;

/**
 * Properties whose violation is expected on this variant in this scenario but was not found:
 * not as expected, exit 1, whether the search completed or a bound ended it first.
 */
function expectedMissed(r: ExploreResult, scenario: Scenario, variant: Variant): string[] {
  return r.properties.filter((p) => {
    const prop = findProperty(p.id);
    return (p.verdict === 'holds' || p.verdict === 'not proven') && prop !== undefined && expectedOn(prop, variant) && prop.expectedViolation!.seenIn.includes(scenario.name);
  }).map((p) => p.id);
}

/** Exit status: 130 when interrupted; else 0 when every verdict is as expected, 1 otherwise. */
const exploreStatus = (r: ExploreResult, bad: number, missed: number) => (r.bound === 'interrupted' ? INTERRUPTED_EXIT : bad || missed ? 1 : 0);

const showSchedule = (sch: Segment[]) => sch.length === 0 ? 'no context switch: each thread runs to completion in order' : `${sch.map((s) => `T${s.thread} x${s.steps}`).join(', ')}, then each thread to completion in order`;

/** A counterexample in explore's JSON: its scenario and variant are the result's own, the run is its results and trace. */
function counterexampleJson({ scenario: _s, variant: _v, run, ...cx }: ExploredCounterexample) {
  return { ...cx, run: { results: run.results, trace: run.trace } };
}

export const exploreCommand: Command = {
  summary: 'visit every interleaving of a scenario: a proof within the bound, or a shortest counterexample.\n--workers N (1 to the cores here, default 1): the breadth-first search on N threads, same output byte for byte; --strategy dfs, --races and variant files run on one thread (a note on stderr says so)',
  usage: '[--variant V] [--scenario NAME|FILE.json] [--property ID] [--races] [--strategy bfs|dfs] [--max-states N] [--max-seconds S] [--max-memory MiB (search structures only) [--exact]] [--no-symmetry] [--no-merge] [--no-por] [--workers N] [--out DIR [--force]] [--json]',
  run(argv) {
    const values = flagsOnly(argv, { ...COMMON, property: { type: 'string', multiple: true }, races: { type: 'boolean' } });
    const o = options(values);
    const properties = propertiesOption(values.property);
    checkOutDir(values);
    const inWorker = runInterruptible('explore', argv);
    if (inWorker) return inWorker;
    oneThreadNote(values, { ...o, properties, races: !!values.races });
    const r = explore({ ...o, properties, symmetry: !values['no-symmetry'], progress: progress(), races: !!values.races });
    timing(r);
    const written = writeOut(values, r.properties.flatMap((p) => p.counterexample ? [{
      scenario: o.scenario, variant: r.variant, schedule: p.counterexample.schedule, run: p.counterexample.run, merge: r.merge,
      found: { by: 'explore', command: `npx tcp-listen-model explore --variant ${variantArg(o.variant)} --scenario ${o.scenario.name} --property ${p.id}` },
    }] : []));
    if (written.length) process.stderr.write(`wrote ${written.length} files to ${values.out}\n`);
    const bad = r.properties.filter((p) => p.verdict === 'violated');
    const missed = expectedMissed(r, o.scenario, o.variant);
    const status = exploreStatus(r, bad.length, missed.length);
    if (values.json) {
      const { seconds: _s, statesPerSecond: _r, peakBytes: _p, bytesPerState: _b, ...stable } = r.stats;
      // Counts reached under a time or memory bound depend on the machine: they went to stderr.
      const { states: _n, transitions: _t, maxDepth: _d, ...counts } = stable;
      process.stdout.write(JSON.stringify({
        ...r, stats: speedBound(r) ? counts : stable, expectedViolationsNotFound: missed,
        properties: r.properties.map((p) => ({ ...p, ...(p.counterexample ? { counterexample: counterexampleJson(p.counterexample) } : {}) })),
      }, null, 2) + '\n');
      return status;
    }
    const out = [
      `explore ${r.scenario} on ${r.variant}: ${r.strategy === 'bfs' ? 'breadth-first' : 'depth-first'}, symmetry ${r.symmetry ? `on (orbits: ${r.orbits.map((o) => o.join('=')).join('; ')})` : 'off'}, invisible steps ${r.merge ? 'merged' : 'not merged'}, partial-order reduction ${r.por ? 'on' : 'off'}`,
      resultLine(r),
      ...(r.stats.bitstate ? [bitstateLine(r.stats.bitstate)] : []),
      '',
    ];
    const w = Math.max(...r.properties.map((p) => p.id.length));
    // A holds rests on every step being atomic: say which ones Lipton's rule does not vouch for.
    for (const a of r.notAtomic) out.push(`warning: step ${a.step} (${a.where}) is not atomic by Lipton's reduction: ${a.rule}`);
    if (r.notAtomic.length) out.push('');
    const assuming = r.notAtomic.length ? `, assuming atomic: ${r.notAtomic.map((a) => a.step).join(', ')}` : '';
    for (const p of r.properties) out.push(`${p.id.padEnd(w)}  ${p.verdict}${p.verdict === 'holds' ? assuming : ''}${p.counterexample ? ` (shortest: ${p.counterexample.depth} transitions)` : ''}${missed.includes(p.id) ? ' (a violation is expected here: not as expected)' : ''}`);
    out.push('', `${speedBound(r) ? '' : `states ${r.stats.states}, transitions ${r.stats.transitions}, max depth ${r.stats.maxDepth}, `}fingerprint collision chance ${r.stats.collisionProbability.toExponential(1)}`);
    out.push(`model steps never run: ${r.coverage.stepsNeverRun.join(', ') || 'none'}`);
    out.push(`lifecycle moves never taken: ${r.coverage.lifecycleMovesNeverTaken.join('; ') || 'none'}`);
    if (r.races) out.push('', ...raceLines(r));
    for (const p of r.properties) {
      if (!p.counterexample) continue;
      out.push('', `--- ${p.id}: ${p.verdict}`, `    schedule: ${showSchedule(p.counterexample.schedule)}`, '');
      out.push(indent(formatTraceText(p.counterexample.run.trace)), '', `    ${p.counterexample.message}`);
    }
    process.stdout.write(out.join('\n') + '\n');
    return status;
  },
};

export const outcomesCommand: Command = {
  summary: 'the set of reachable final outcomes of a scenario, each with a shortest witness',
  usage: '[--variant V] [--scenario NAME|FILE.json] [--strategy bfs|dfs] [--max-states N] [--max-seconds S] [--max-memory MiB (search structures only) [--exact]] [--no-merge] [--no-por] [--workers N] [--out DIR [--force]] [--json]',
  run(argv) {
    const values = flagsOnly(argv, COMMON);
    const o = options(values);
    if (values['no-symmetry']) throw new UsageError('--no-symmetry: outcomes never uses symmetry (it would fold outcomes that differ only by which socket won)');
    checkOutDir(values);
    const inWorker = runInterruptible('outcomes', argv);
    if (inWorker) return inWorker;
    oneThreadNote(values, { ...o, properties: [] });
    // Symmetry would fold outcomes that differ only by which socket won: keep it off here.
    const r = explore({ ...o, properties: [], symmetry: false, outcomes: true, progress: progress() });
    timing(r);
    const outcomes = r.outcomes ?? [];
    // No outcome is expected or unexpected: 0, or 130 when interrupted.
    const status = r.bound === 'interrupted' ? INTERRUPTED_EXIT : 0;
    // Saved witnesses carry every property's verdict, as `replay` checks them all.
    const sys = values.out === undefined ? undefined : compileSystem(o.scenario, o.variant);
    const written = sys === undefined ? [] : writeOut(values, outcomes.map((x, i) => ({
      name: `outcome-${i + 1}.${o.scenario.name}.${r.variant}`, scenario: o.scenario, variant: r.variant, schedule: x.witness,
      run: runSchedule(sys, x.witness, { properties: PROPERTIES, merge: r.merge, trace: true }), merge: r.merge,
      found: { by: 'outcomes', command: `npx tcp-listen-model outcomes --variant ${variantArg(o.variant)} --scenario ${o.scenario.name}` },
    })));
    if (written.length) process.stderr.write(`wrote ${written.length} files to ${values.out}\n`);
    if (values.json) {
      process.stdout.write(JSON.stringify({
        scenario: r.scenario, variant: r.variant, complete: !r.truncated, ...(r.bound === 'interrupted' ? { interrupted: true } : {}),
        outcomes: outcomes.map((x) => ({
          returns: Object.fromEntries(Object.entries(x.returns).map(([t, v]) => [t, v.length === 1 ? v[0] : v])),
          listening: x.listening,
          ...(x.violates.length ? { violates: x.violates } : {}),
          witness: witnessSteps(x.run),
          schedule: x.witness,
        })),
      }, null, 2) + '\n');
      return status;
    }
    const out = [`outcomes of ${r.scenario} on ${r.variant}: ${outcomes.length}${r.bound === 'interrupted' ? ' so far (INTERRUPTED, NOT COMPLETE)' : r.truncated ? ` so far (NOT COMPLETE: bound reached: ${r.bound})` : ' (complete)'}`, ''];
    outcomes.forEach((x, i) => {
      out.push(`${i + 1}. ${Object.entries(x.returns).map(([t, v]) => `${t} ${v.join(' ')}`).join(', ')}; listening: ${x.listening.join(', ') || 'none'}`);
      for (const v of x.violates) out.push(`   violates ${v.id}: ${v.message}`);
      out.push(`   witness: ${showSchedule(x.witness)}`);
      out.push(indent(formatTraceText(x.run.trace), 6), '');
    });
    process.stdout.write(out.join('\n') + '\n');
    return status;
  },
};

/**
 * The race section: each unordered conflicting pair not both marked, then the DRF-SC verdict. A
 * race-free scenario's SC outcomes are all its LKMM outcomes (DRF-SC), if its steps are atomic.
 */
function raceLines(r: ExploreResult): string[] {
  const all = r.races ?? [];
  const races = all.filter((x) => !x.marked);
  const side = (s: { step: string; where: string; access: string }) => `${s.step} (${s.where}) ${s.access}`;
  const partial = r.truncated ? ' (in the part searched)' : '';
  return [
    `data races${partial}: ${races.length}`,
    ...races.map((x) => `  race on ${x.at}: ${side(x.a)}  vs  ${side(x.b)}`),
    ...all.filter((x) => x.marked).map((x) => `  unordered but both marked (no data race) on ${x.at}: ${side(x.a)}  vs  ${side(x.b)}`),
    races.length === 0 && !r.truncated
      ? 'data-race-free: yes — the outcomes above are all the LKMM allows'
      : `data-race-free: no: ${races.length} race${races.length === 1 ? '' : 's'}${partial}, outcomes are SC outcomes only`,
  ];
}

function witnessSteps(run: RunResult): string[] {
  return run.trace.map((s) => `${s.thread} ${s.where} ${s.stepId}${s.returned !== undefined ? ` => ${s.returned}` : ''}`);
}

const indent = (s: string, n = 4) => s.split('\n').map((l) => ' '.repeat(n) + l).join('\n');
