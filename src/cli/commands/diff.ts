// `diff --from V1 --to V2`: what changing the kernel (or applying a patch, a mutant) does to the
// outcomes and verdicts of one scenario, the built-in ones, or N generated ones.
//
// Exit status: 0 when both sides were searched completely and nothing differs; 1 when something
// differs, or when a side hit a bound (then the diff is incomplete: an outcome not reached within
// the bound is not claimed unreachable, and "nothing differs" cannot be claimed either); 2 on bad
// input.

import { existsSync, readdirSync, statSync } from 'node:fs';
import fc from 'fast-check';
import { splitSetupFindings } from '../../engine/setup.ts';
import { diffVariants, type DiffResult, type OutcomeDifference, type ScenarioDiff } from '../../diff/diff.ts';
import { generatedScenario } from '../../engine/generate.ts';
import { runSchedule, type Segment } from '../../engine/run.ts';
import { BUILTIN_SCENARIOS } from '../../scenarios/builtin.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { formatTraceText } from '../../trace/text.ts';
import type { CounterexampleOutput } from '../../trace/files.ts';
import { compileSystem } from '../../../model/system.ts';
import type { Scenario } from '../../../model/scenario.ts';
import type { Variant } from '../../../model/variant.ts';
import { PROPERTIES } from '../../../properties/registry.ts';
import { flagsOnly, intOption, propertiesOption, variantOption } from '../options.ts';
import { OUT_OPTIONS, writeOut } from '../out.ts';
import { UsageError } from '../errors.ts';
import type { Command } from '../command.ts';
import { variantArg } from '../variant-file.ts';

const OPTIONS = {
  from: { type: 'string' }, to: { type: 'string' }, scenario: { type: 'string' },
  generated: { type: 'string' }, seed: { type: 'string' }, property: { type: 'string', multiple: true },
  'max-states': { type: 'string' }, 'max-seconds': { type: 'string' }, 'max-memory': { type: 'string' },
  'no-merge': { type: 'boolean' }, json: { type: 'boolean' }, ...OUT_OPTIONS,
} as const;

/** N scenarios fast-check generates from `seed`, named generated-1 ... generated-N. */
function generatedScenarios(n: number, seed: number): Scenario[] {
  return fc.sample(generatedScenario(), { numRuns: n, seed }).map((s, i) => ({ ...s, name: `generated-${i + 1}` }));
}

function scenariosOption(values: Record<string, unknown>): { scenarios: Scenario[]; source: string } {
  if (values.generated !== undefined && values.scenario !== undefined) throw new UsageError('give --scenario or --generated N, not both');
  if (values.seed !== undefined && values.generated === undefined) throw new UsageError('--seed only makes sense with --generated N');
  if (values.generated !== undefined) {
    const n = intOption(values.generated, 'generated', 10, 1, 100_000);
    const seed = intOption(values.seed, 'seed', 1, -(2 ** 31), 2 ** 31 - 1);
    return { scenarios: generatedScenarios(n, seed), source: `--generated ${n} --seed ${seed}` };
  }
  if (values.scenario !== undefined) {
    const s = loadScenario(String(values.scenario));
    return { scenarios: [s], source: `--scenario ${values.scenario}` };
  }
  return { scenarios: [...BUILTIN_SCENARIOS], source: '' };
}

/** --out DIR must be new or empty unless --force: file names depend on what the search finds. */
function checkOutDir(values: Record<string, unknown>): void {
  if (values.force && values.out === undefined) throw new UsageError('--force only makes sense with --out DIR');
  if (values.out === undefined || values.force) return;
  const dir = String(values.out);
  if (!existsSync(dir)) return;
  if (!statSync(dir).isDirectory()) throw new UsageError(`--out ${dir} is not a folder`);
  if (readdirSync(dir).length) throw new UsageError(`--out ${dir} is not empty; refusing to write into it (use --force to replace files there)`);
}

const showSchedule = (sch: Segment[]) => sch.length === 0 ? 'no context switch: each thread runs to completion in order' : `${sch.map((s) => `T${s.thread} x${s.steps}`).join(', ')}, then each thread to completion in order`;
const showOutcome = (x: OutcomeDifference['outcome']) => `${Object.entries(x.returns).map(([t, v]) => `${t} ${v.join(' ')}`).join(', ')}; listening: ${x.listening.join(', ') || 'none'}`;
const indent = (s: string, n: number) => s.split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');

/** The files of every witness and counterexample, each replayable on the side that reaches it. */
function outputs(r: DiffResult, variants: Record<'from' | 'to', Variant>, command: string, merge: boolean): CounterexampleOutput[] {
  return r.scenarios.flatMap((d) => {
    const counts = { from: 0, to: 0 };
    const witnesses = d.only.map((x): CounterexampleOutput => {
      // Saved witnesses carry every property's verdict, as `replay` checks them all.
      const run = runSchedule(compileSystem(d.scenario, variants[x.side]), x.outcome.witness, { properties: PROPERTIES, merge, trace: true });
      return {
        name: `only-on-${x.variant}-${++counts[x.side]}.${d.scenario.name}`, scenario: d.scenario, variant: x.variant,
        schedule: x.outcome.witness, run, merge, found: { by: 'diff', command },
      };
    });
    const cxs = d.verdictChanges.flatMap((c) => c.counterexamples.map((e): CounterexampleOutput => ({
      scenario: d.scenario, variant: e.variant, schedule: e.counterexample.schedule, run: e.counterexample.run, merge, found: { by: 'diff', command },
    })));
    return [...witnesses, ...cxs];
  });
}

function formatScenario(d: ScenarioDiff, r: DiffResult): string[] {
  const side = (s: ScenarioDiff['from']) => `${s.outcomes} outcome${s.outcomes === 1 ? '' : 's'}${s.complete ? '' : ` so far, NOT PROVEN (bound reached: ${s.bound})`}`;
  const state = d.differs ? 'DIFFERS' : d.complete ? 'same' : 'INCOMPLETE';
  const out = [`== ${d.scenario.name}: ${state} (${r.from}: ${side(d.from)}; ${r.to}: ${side(d.to)})`];
  if (!d.differs && !d.only.length && !d.undecided.length) return out;
  for (const x of d.only) {
    const other = x.side === 'from' ? r.to : r.from;
    out.push('', `   only on ${x.variant}: ${showOutcome(x.outcome)}`,
      `   ${x.provenUnreachableOnOtherSide ? `unreachable on ${other}` : `not reached on ${other} within its bound (incomplete: may still be reachable)`}`,
      `   witness on ${x.variant}: ${showSchedule(x.outcome.witness)}`, '', indent(formatTraceText(x.outcome.run.trace), 6));
  }
  for (const c of d.verdictChanges) {
    out.push('', `   verdict of ${c.id} (${c.kind}): ${c.from} on ${r.from} -> ${c.to} on ${r.to}`);
    for (const e of c.counterexamples) {
      out.push(`   counterexample on ${e.variant} (${e.counterexample.depth} transitions): ${e.counterexample.message}`,
        `   schedule: ${showSchedule(e.counterexample.schedule)}`, '', indent(formatTraceText(e.counterexample.run.trace), 6));
    }
  }
  for (const u of d.undecided) out.push('', `   verdict of ${u.id}: ${u.from} on ${r.from}, ${u.to} on ${r.to} (a bound was reached: incomplete)`);
  out.push('');
  return out;
}

function toJson(r: DiffResult, written: string[] | undefined) {
  return {
    from: r.from, to: r.to, differs: r.differs, complete: r.complete,
    scenarios: r.scenarios.map((d) => ({
      scenario: d.scenario.name, differs: d.differs, complete: d.complete, from: d.from, to: d.to,
      only: d.only.map((x) => ({
        side: x.side, variant: x.variant, returns: x.outcome.returns, listening: x.outcome.listening,
        unreachableOnOtherSide: x.provenUnreachableOnOtherSide, schedule: x.outcome.witness,
        witness: x.outcome.run.trace.map((s) => `${s.thread} ${s.where} ${s.stepId}${s.returned !== undefined ? ` => ${s.returned}` : ''}`),
      })),
      verdictChanges: d.verdictChanges.map((c) => ({
        id: c.id, kind: c.kind, from: c.from, to: c.to,
        counterexamples: c.counterexamples.map((e) => ({ side: e.side, variant: e.variant, message: e.counterexample.message, depth: e.counterexample.depth, schedule: e.counterexample.schedule })),
      })),
      undecided: d.undecided,
      ...(d.scenario.name.startsWith('generated-') ? { definition: d.scenario } : {}),
    })),
    ...(written ? { written } : {}),
  };
}

export const diffCommand: Command = {
  summary: 'what changes between two variants: outcomes only one side reaches (with a shortest witness) and verdicts that change',
  usage: '--from V1 --to V2 [--scenario NAME|FILE.json | --generated N [--seed S]] [--property ID] [--max-states N] [--max-seconds S] [--max-memory MiB] [--no-merge] [--out DIR [--force]] [--json]   (exit 0 nothing differs, 1 something differs or a bound was reached, 2 bad input)',
  run(argv) {
    const values = flagsOnly(argv, OPTIONS);
    if (values.from === undefined || values.to === undefined) throw new UsageError('diff needs --from V1 and --to V2');
    const fromV = variantOption(values.from);
    const toV = variantOption(values.to);
    const { scenarios: asked, source } = scenariosOption(values);
    // Compiled once here so that a scenario the model cannot run is bad input before any search;
    // one whose setup a side cannot run although its kernel can is a difference (a finding).
    const fromSplit = splitSetupFindings(fromV, asked), toSplit = splitSetupFindings(toV, asked);
    const scenarios = asked.filter((s) => fromSplit.runnable.includes(s) && toSplit.runnable.includes(s));
    const setupFindings = [...fromSplit.findings, ...toSplit.findings];
    checkOutDir(values);
    const merge = !values['no-merge'];
    const r = diffVariants({
      from: fromV, to: toV, scenarios, properties: propertiesOption(values.property), merge,
      maxStates: intOption(values['max-states'], 'max-states', 50_000_000, 1),
      maxSeconds: intOption(values['max-seconds'], 'max-seconds', 600, 1),
      maxBytes: intOption(values['max-memory'], 'max-memory', 16_384, 32, 1 << 20) * 2 ** 20,
    });
    const command = ['npx tcp-listen-model diff', `--from ${variantArg(fromV)} --to ${variantArg(toV)}`, source, merge ? '' : '--no-merge'].filter(Boolean).join(' ');
    const written = values.out === undefined ? undefined : writeOut(values, outputs(r, { from: fromV, to: toV }, command, merge));
    if (written?.length) process.stderr.write(`wrote ${written.length} files to ${values.out}\n`);
    const status = r.differs || !r.complete || setupFindings.length > 0 ? 1 : 0;
    if (values.json) {
      process.stdout.write(JSON.stringify({ ...toJson(r, written), ...(setupFindings.length ? { differs: true, setupFindings } : {}) }, null, 2) + '\n');
      return status;
    }
    const n = (f: (d: ScenarioDiff) => boolean) => r.scenarios.filter(f).length;
    const out = [`diff ${r.from} -> ${r.to}: ${r.scenarios.length} scenario(s)${source ? ` (${source})` : ' (built-in)'}; every interleaving of each, on each side`, ''];
    for (const f of setupFindings) out.push(`setup finding: ${f}`, '');
    for (const d of r.scenarios) out.push(...formatScenario(d, r));
    out.push('', `${r.scenarios.length} scenario(s): ${n((d) => d.differs)} differ, ${n((d) => !d.differs && d.complete)} the same, ${n((d) => !d.complete)} incomplete (a bound was reached)`);
    out.push(r.differs || setupFindings.length ? `result: ${r.from} and ${r.to} differ${r.complete ? '' : ' (and the diff is incomplete)'}` : r.complete ? `result: no difference` : `result: INCOMPLETE: no difference found within the bounds, not proven`);
    process.stdout.write(out.join('\n') + '\n');
    return status;
  },
};
