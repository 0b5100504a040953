// `check`: the property suite on a variant, over the built-in scenarios (or one) and generated
// ones. Prints the verdict table and a trace for each violation; exit 0 when every verdict is as
// expected. With --out DIR, also writes each counterexample as a JSON trace and a Markdown page.

import { basename } from 'node:path';
import { checkProperties, type CheckOptions, type PropertyVerdict, type Verdict } from '../../engine/check.ts';
import { isFinding } from '../../engine/verdict.ts';
import { splitSetupFindings } from '../../engine/setup.ts';
import { BUILTIN_SCENARIOS } from '../../scenarios/builtin.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { formatTraceText } from '../../trace/text.ts';
import { writeCounterexamples } from '../../trace/files.ts';
import { checkOutDir, writing } from '../out.ts';
import { choiceOption, flagsOnly, intOption, pathOption, propertiesOption, variantOption } from '../options.ts';
import type { Command } from '../command.ts';
import { UsageError } from '../errors.ts';
import { variantArg } from '../variant-file.ts';

const DEFAULT_RUNS = 1000;
const DEFAULT_SEED = 1;

/** Threads in the scenarios `check --scenario generated` draws, at most. */
const GENERATED_MAX_THREADS = 3;

/**
 * PCT's default bug depth: a race between n threads needs up to n - 1 ordering constraints
 * (each of the other threads preempted at the right point), and PCT with depth d finds a bug of
 * depth d with probability >= 1/(n k^(d-1)); so d = n + 1 covers every race the scenarios can
 * hold with one more change point to spare. (Depth 2 missed listen-race-2's expected both-fail
 * outcome in 1000 runs; depth 3 found it in 409.) Capped at 10, as --depth is.
 */
function defaultPctDepth(scenarios: readonly { threads: readonly unknown[] }[], generated: boolean): number {
  const n = Math.max(generated ? GENERATED_MAX_THREADS : 1, ...scenarios.map((s) => s.threads.length));
  return Math.min(10, n + 1);
}

/** Exit status of a check: 0 when every verdict is as expected, 1 otherwise. */
/** 1 when some verdict is a finding or some scenario's setup the variant cannot run (its kernel can); else 0. */
export const checkStatus = (verdicts: readonly PropertyVerdict[], setupFindings: readonly string[] = []) =>
  (setupFindings.length > 0 || verdicts.some((v) => isFinding(v.verdict)) ? 1 : 0);

/** The options `check` and `report` share: what to check and how. */
export const CHECK_OPTIONS = {
  variant: { type: 'string' }, scenario: { type: 'string' }, property: { type: 'string', multiple: true },
  runs: { type: 'string' }, seed: { type: 'string' }, path: { type: 'string' },
  scheduler: { type: 'string' }, depth: { type: 'string' }, 'no-merge': { type: 'boolean' },
} as const;
export const CHECK_USAGE = '[--variant V] [--scenario NAME|FILE.json|generated] [--property ID[,ID]] [--runs N] [--seed S] [--path P] [--scheduler random|pct] [--depth D] [--no-merge]';

/** A check run: its options, its verdicts, and how to say it on one line or replay a verdict. */
interface CheckRun {
  options: CheckOptions;
  verdicts: PropertyVerdict[];
  /** Scenarios the variant cannot set up although its kernel can, each a finding (src/engine/setup.ts). */
  setupFindings: string[];
  header: string;
  /** The command line that finds a verdict's counterexample again. */
  replay(v: PropertyVerdict): string;
}

/** Reads the shared check options and runs the suite. */
export function runCheck(values: Record<string, unknown>): CheckRun {
  const variant = variantOption(values.variant);
  const properties = propertiesOption(values.property);
  const runs = intOption(values.runs, 'runs', DEFAULT_RUNS, 1, 10_000_000);
  const seed = intOption(values.seed, 'seed', DEFAULT_SEED, -(2 ** 31), 2 ** 31 - 1);
  const scheduler = choiceOption(values.scheduler, 'scheduler', ['random', 'pct'] as const, 'random');
  if (values.depth !== undefined && scheduler !== 'pct') throw new UsageError('--depth only makes sense with --scheduler pct');
  const path = pathOption(values.path, runs);
  const name = values.scenario as string | undefined;
  const asked = name === undefined ? BUILTIN_SCENARIOS : name === 'generated' ? [] : [loadScenario(name)];
  const { runnable: scenarios, findings: setupFindings } = splitSetupFindings(variant, asked);
  const generated = name === undefined || name === 'generated';
  const depth = intOption(values.depth, 'depth', defaultPctDepth(scenarios, generated), 1, 10);
  const merge = !values['no-merge'];
  const options: CheckOptions = {
    variant, scenarios, generated, properties, runs, seed, scheduler, depth, merge, ...(path ? { path } : {}),
  };
  let verdicts: PropertyVerdict[];
  try {
    verdicts = checkProperties(options);
  } catch (e) {
    // fast-check cannot follow a path that the seed, runs and scenario do not lead to.
    if (path && /Unable to replay/i.test((e as Error).message)) throw new UsageError(`--path ${path} leads to no counterexample with these options (give the --path check printed, with the same --seed, --runs, --scenario and --property)`);
    throw e;
  }
  const replayBase = [
    'npx tcp-listen-model check', `--variant ${variantArg(variant)}`,
    ...(scheduler === 'pct' ? [`--scheduler pct --depth ${depth}`] : []), ...(merge ? [] : ['--no-merge']),
  ].join(' ');
  const replay = (v: PropertyVerdict) => {
    const cx = v.counterexample!;
    const sc = cx.scenario.name === 'generated' ? 'generated' : (name ?? cx.scenario.name);
    return `${replayBase} --scenario ${sc} --property ${v.id} --runs ${runs} --seed ${cx.seed} --path ${cx.path}`;
  };
  const header = `check ${variant.id}: ${scenarios.length} scenario(s)${generated ? ' + generated' : ''}, ${runs} runs each, seed ${seed}, ${scheduler === 'pct' ? `pct scheduler (depth ${depth})` : 'random scheduler'}`;
  return { options, verdicts, setupFindings, header, replay };
}

/** Writes one JSON trace and one Markdown page per counterexample; a taken name is a UsageError. */
function writeCheckCounterexamples(dir: string, run: CheckRun, force: boolean): string[] {
  const cxs = run.verdicts.flatMap((v) => v.counterexample ? [{
    ...v.counterexample, merge: run.options.merge,
    found: { by: 'check', seed: v.counterexample.seed, path: v.counterexample.path, command: run.replay(v) },
  }] : []);
  return writing(dir, () => writeCounterexamples(dir, cxs, { force }));
}

export const checkCommand: Command = {
  summary: 'run the property suite on a variant (random interleavings, shrunk counterexamples)',
  usage: `${CHECK_USAGE} [--json] [--out DIR [--force]]`,
  run(argv) {
    const values = flagsOnly(argv, {
      ...CHECK_OPTIONS, json: { type: 'boolean' }, out: { type: 'string' }, force: { type: 'boolean' },
    });
    checkOutDir(values);
    const run = runCheck(values);
    const { verdicts, replay, options: o } = run;
    // Files first: a refused --out stops before anything is printed.
    const written = values.out !== undefined ? writeCheckCounterexamples(String(values.out), run, !!values.force) : [];
    if (values.json) {
      process.stdout.write(JSON.stringify({
        variant: o.variant.id, seed: o.seed, runs: o.runs, scheduler: o.scheduler, merge: o.merge,
        scenarios: [...o.scenarios.map((s) => s.name), ...(o.generated ? ['generated'] : [])],
        setupFindings: run.setupFindings,
        properties: verdicts.map((v) => ({
          id: v.id, kind: v.kind, verdict: v.verdict, runs: v.runs,
          ...(v.counterexample ? { counterexample: {
            message: v.counterexample.message, scenario: v.counterexample.scenario, schedule: v.counterexample.schedule,
            seed: v.counterexample.seed, path: v.counterexample.path, replay: replay(v),
            results: v.counterexample.run.results, trace: v.counterexample.run.trace,
          } } : {}),
        })),
        ...(values.out !== undefined ? { written } : {}),
      }, null, 2) + '\n');
    } else {
      const findings = run.setupFindings.map((f) => `setup finding: ${f}\n`).join('');
      process.stdout.write(formatVerdicts(verdicts, { header: run.header + (findings ? `\n${findings.trimEnd()}` : ''), replay }));
      if (written.length) process.stdout.write(`\nwrote ${written.length} files to ${values.out}: ${written.map((f) => basename(f)).join(', ')}\n`);
    }
    return checkStatus(verdicts, run.setupFindings);
  },
};

function formatVerdicts(verdicts: readonly PropertyVerdict[], o: { header: string; replay: (v: PropertyVerdict) => string }): string {
  const w = Math.max(8, ...verdicts.map((v) => v.id.length));
  const out = [o.header, '', `${'property'.padEnd(w)}  ${'kind'.padEnd(13)}  ${'runs'.padStart(7)}  verdict`];
  for (const v of verdicts) out.push(`${v.id.padEnd(w)}  ${v.kind.padEnd(13)}  ${String(v.runs).padStart(7)}  ${v.verdict}`);
  for (const v of verdicts) {
    const cx = v.counterexample;
    if (!cx) continue;
    const sched = cx.schedule.map((s) => `${cx.run.trace.length ? threadName(cx, s.thread) : `T${s.thread}`} x${s.steps}`).join(', ');
    out.push('', `--- ${v.id}: ${v.verdict}`, `    ${v.sentence}`,
      `    scenario ${cx.scenario.name} on ${cx.variant}; schedule: ${sched || '(none)'}, then each thread to completion in order`, '');
    out.push(formatTraceText(cx.run.trace, { violation: cx.run.violation }).split('\n').map((l) => (l ? '    ' + l : l)).join('\n'));
    out.push(`    results: ${Object.entries(cx.run.results).map(([t, r]) => `${t} ${r.join(' ')}`).join(', ')}`, `    replay: ${o.replay(v)}`);
  }
  const count = (verdict: Verdict) => verdicts.filter((v) => v.verdict === verdict).length;
  out.push('', `${verdicts.length} properties: ${count('holds')} hold, ${count('violated as expected')} violated as expected, ${count('violated')} violated, ${count('expected violation not found')} expected violation not found, ${count('not applicable')} not applicable`);
  return out.join('\n') + '\n';
}

function threadName(_cx: unknown, t: number): string {
  return `T${t}`;
}
