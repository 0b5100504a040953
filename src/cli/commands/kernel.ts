// `conform` and `witness`: the model against the running kernel. Both refuse, with one line and
// exit 2, to run anywhere but Linux.

import { writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { conform, formatComparison } from '../../conform/conform.ts';
import { runWitness } from '../../kernel/witness.ts';
import { modelReadings } from '../../kernel/witness-outcomes.ts';
import { HarnessUnavailable } from '../../kernel/libc.ts';
import { ScenarioError } from '../../errors.ts';
import { explore } from '../../explore/explore.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { flagsOnly, intOption, pathOption, variantOption } from '../options.ts';
import { UsageError } from '../errors.ts';
import { checkOutFile, writing } from '../out.ts';
import { INTERRUPTED_EXIT, interrupted, runInterruptible } from '../interrupt.ts';
import { progress } from './explore.ts';
import { compileSystem, type System } from '../../../model/system.ts';
import { TH } from '../../../model/state.ts';
import { RES_NONE, resultName } from '../../../model/kernel.ts';
import type { Command } from '../command.ts';

export function kernelGuard<T>(f: () => T): T {
  if (process.platform !== 'linux') throw new UsageError(`the kernel harness runs only on Linux (this is ${process.platform})`);
  try {
    return f();
  } catch (e) {
    if (e instanceof HarnessUnavailable || e instanceof ScenarioError) throw new UsageError(e.message);
    throw e;
  }
}

export const conformCommand: Command = {
  summary: 'differential conformance: generated sequential scenarios on the model and on this kernel, op by op',
  usage: '[--variant linux-6.18] [--runs N] [--seed S] [--path P] [--json]',
  run(argv) {
    const values = flagsOnly(argv, { variant: { type: 'string' }, runs: { type: 'string' }, seed: { type: 'string' }, path: { type: 'string' }, json: { type: 'boolean' } });
    const variant = variantOption(values.variant ?? 'linux-6.18');
    const runs = intOption(values.runs, 'runs', 300, 1, 10_000_000);
    const seed = intOption(values.seed, 'seed', 1, -(2 ** 31), 2 ** 31 - 1);
    const path = pathOption(values.path, runs);
    // A socket owned by a second user needs root (setfsuid): as another user, every socket is its own.
    const root = process.getuid?.() === 0;
    const r = kernelGuard(() => {
      try {
        return conform(variant, { runs, seed, ...(path ? { path } : {}), generate: { uids: root } });
      } catch (e) {
        if (path && /Unable to replay/i.test((e as Error).message)) throw new UsageError(`--path ${path} leads to no disagreement with --seed ${seed} and --runs ${runs} (give the --path conform printed)`);
        // Generated scenarios bind 0.0.0.0, which only a private network namespace allows.
        if (e instanceof ScenarioError && /binds 0\.0\.0\.0/.test(e.message)) throw new UsageError('conform binds 0.0.0.0, which needs a private network namespace, and this user cannot create one (run conform as root; witness runs as any user)');
        throw e;
      }
    });
    if (!root) process.stderr.write('conform: not root, so every socket belongs to this user; the rules that compare two owners (SO_REUSEPORT) were not exercised\n');
    if (values.json) {
      process.stdout.write(JSON.stringify({ variant: variant.id, ...r }, null, 2) + '\n');
      return r.disagreement ? 1 : 0;
    }
    const out = [`conform ${variant.id} against this kernel: ${r.runs} scenarios, ${r.agreements} agreements, ${r.disagreement ? 1 : 0} disagreements (seed ${seed})`];
    if (r.disagreement) {
      out.push('', r.flaky ? 'a disagreement that did NOT come back when its scenario ran again (a flake, shown as it happened):' : 'minimal disagreement (shrunk):', '', formatComparison(r.disagreement), '', `replay: npx tcp-listen-model conform --variant ${variant.id} --seed ${r.seed} --path ${r.path} --runs ${runs}`);
      out.push('', JSON.stringify(r.disagreement.scenario));
    }
    process.stdout.write(out.join('\n') + '\n');
    return r.disagreement ? 1 : 0;
  },
};

/** The model's exploration before the first trial: bounded, as an explore run is. */
const WITNESS_MODEL_MAX_STATES = 2_000_000;
const WITNESS_MODEL_MAX_SECONDS = 30;

export const witnessCommand: Command = {
  summary: "run a concurrent scenario on this kernel many times and hold its outcomes against the model's outcome set",
  usage: '[--scenario NAME|FILE.json] [--variant linux-6.18] [--seconds S | --trials N] [--save FILE [--force]] [--json]',
  async run(argv) {
    const values = flagsOnly(argv, { scenario: { type: 'string' }, variant: { type: 'string' }, seconds: { type: 'string' }, trials: { type: 'string' }, save: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } });
    if (values.force && values.save === undefined) throw new UsageError('--force only makes sense with --save FILE');
    if (values.save !== undefined) checkOutFile(String(values.save), '--save', !!values.force);
    if (values.seconds !== undefined && values.trials !== undefined) throw new UsageError('give --seconds or --trials, not both');
    const scenario = loadScenario(values.scenario === undefined ? 'listen-race-2' : String(values.scenario));
    const variant = variantOption(values.variant ?? 'linux-6.18');
    const seconds = values.seconds === undefined ? undefined : intOption(values.seconds, 'seconds', 10, 1, 86_400);
    const trials = values.trials === undefined ? undefined : intOption(values.trials, 'trials', 10_000, 1, 1e9);
    if (process.platform !== 'linux') throw new UsageError(`the kernel harness runs only on Linux (this is ${process.platform})`);
    const inWorker = runInterruptible('witness', argv);
    if (inWorker) return inWorker;
    // The model's outcome set first, bounded like an explore run (and by --seconds): a scenario
    // too big to explore is said so in one line, and the trials run against a partial set.
    const model = explore({
      variant, scenario, properties: [], outcomes: true, symmetry: false,
      maxStates: WITNESS_MODEL_MAX_STATES, maxSeconds: Math.min(WITNESS_MODEL_MAX_SECONDS, seconds ?? Infinity), progress: progress(),
    });
    if (model.bound === 'interrupted') {
      process.stdout.write(`witness ${scenario.name}: INTERRUPTED while exploring the model (${model.outcomes?.length ?? 0} outcomes so far), before any trial; NOT PROVEN\n`);
      return INTERRUPTED_EXIT;
    }
    if (model.truncated) process.stderr.write(`witness: the model of ${scenario.name} could not be explored within the bound (${model.bound}); its outcome set is INCOMPLETE, so an UNPREDICTED outcome below may be one the model has but did not reach\n`);
    const sys = compileSystem(scenario, variant);
    const predicted = new Map((model.outcomes ?? []).map((o) => [JSON.stringify(modelOutcome(sys, o.returns)), o]));
    let w;
    try {
      w = await runWitness(scenario, { ...(seconds !== undefined ? { seconds } : {}), ...(trials !== undefined ? { trials } : { ...(seconds === undefined ? { seconds: 10 } : {}) }), stop: interrupted });
    } catch (e) {
      if (e instanceof HarnessUnavailable || e instanceof ScenarioError) throw new UsageError(e.message);
      throw e;
    }
    // A kernel outcome is predicted when the model has it, or has what it stands for (a SYN reset by its listener's close).
    const rows = w.outcomes.map((o) => {
      const reading = modelReadings(o.outcome, scenario).find((m) => predicted.has(JSON.stringify(m.outcome)));
      return { outcome: o.outcome, count: o.count, predicted: reading !== undefined, ...(reading?.note ? { model: reading.outcome, note: reading.note } : {}) };
    });
    const seen = new Set(rows.map((r) => JSON.stringify(r.model ?? r.outcome)));
    const unseen = [...predicted.keys()].filter((k) => !seen.has(k));
    const unpredicted = rows.filter((r) => !r.predicted);
    if (values.save !== undefined) {
      // The figures docs/INVARIANTS.md cites: no date, outcomes keyed by thread name as the model keys them.
      const record = {
        scenario: scenario.name, kernel: release(), trials: w.trials,
        outcomes: Object.fromEntries(rows.map((r) => [JSON.stringify(Object.fromEntries(Object.entries(r.outcome).map(([t, v]) => [`T${t}`, v]))), r.count])),
      };
      const save = String(values.save);
      writing(save, () => writeFileSync(save, JSON.stringify(record, null, 2) + '\n', { flag: values.force ? 'w' : 'wx' }));
    }
    // How many trials ran in how long depends on the machine: stderr, as for explore.
    process.stderr.write(`timing: ${w.trials.toLocaleString('en-US')} trials in ${w.seconds.toFixed(1)} s, ${Math.round(w.trialsPerSecond).toLocaleString('en-US')}/s\n`);
    // Against an incomplete outcome set an outcome it lacks proves nothing: marked, not a finding.
    const status = w.interrupted ? INTERRUPTED_EXIT : unpredicted.length && !model.truncated ? 1 : 0;
    if (values.json) {
      process.stdout.write(JSON.stringify({
        scenario: scenario.name, variant: variant.id, trials: w.trials, ...(w.interrupted ? { interrupted: true } : {}),
        privateNetns: w.privateNetns, kernel: rows, modelNotSeen: unseen.map((k) => JSON.parse(k)), modelComplete: !model.truncated,
      }, null, 2) + '\n');
      return status;
    }
    // Threads in order ("T1" before "T0.0" as JS orders keys would not be), setup results last.
    const order = ([a]: [string, string], [b]: [string, string]) => Number(a.startsWith('setup')) - Number(b.startsWith('setup')) || a.localeCompare(b, 'en', { numeric: true });
    const show = (o: Record<string, string>) => Object.entries(o).sort(order).map(([t, r]) => `${/^\d/.test(t) ? 'T' : ''}${t} ${r}`).join(', ');
    const out = [`witness ${scenario.name} on this kernel (${w.privateNetns ? 'private network namespace' : `host loopback${w.netnsNote ? `: ${w.netnsNote}` : ''}`}): ${w.trials.toLocaleString('en-US')} trials${w.interrupted ? ' (INTERRUPTED)' : ''}; model ${variant.id}: ${predicted.size} outcomes${model.truncated ? ` (INCOMPLETE: bound reached: ${model.bound})` : ''}`, ''];
    const missing = model.truncated ? 'not in the partial model set (NOT PROVEN)' : 'UNPREDICTED';
    for (const r of rows) out.push(`  ${String(r.count).padStart(10)}  ${show(r.outcome).padEnd(40)}  ${r.predicted ? 'predicted' : missing}${r.note ? ` as ${show(r.model!)} (${r.note})` : ''}`);
    for (const k of unseen) out.push(`  ${'0'.padStart(10)}  ${show(JSON.parse(k)).padEnd(40)}  predicted, not yet seen`);
    out.push('', !unpredicted.length ? 'every kernel outcome is one the model predicts'
      : model.truncated ? `${unpredicted.length} outcome(s) not in the model's partial outcome set: NOT PROVEN either way (the model could not be explored within the bound)`
        : `${unpredicted.length} outcome(s) the model does not predict: the model is wrong until shown otherwise`);
    if (w.interrupted) out.push('INTERRUPTED: the counts above cover the trials run so far; NOT PROVEN');
    process.stdout.write(out.join('\n') + '\n');
    return status;
  },
};

/**
 * The model's outcome keyed as the harness keys a trial: "<thread>" or "<thread>.<op>", and
 * "setup.<i>" for a setup op that did not return 0 (the setup ran once, before every run).
 */
export function modelOutcome(sys: System, returns: Record<string, string[]>): Record<string, string> {
  const setup = Object.fromEntries(setupResults(sys).flatMap((r, i) => (r === '0' ? [] : [[`setup.${i}`, r]])));
  return { ...setup, ...Object.fromEntries(Object.entries(returns).flatMap(([t, rs]) => rs.map((r, i) => [rs.length === 1 ? t.slice(1) : `${t.slice(1)}.${i}`, r]))) };
}

/** What the setup ops returned in the model: the setup thread (after the concurrent ones) in the initial state. */
function setupResults(sys: System): string[] {
  const t = sys.concurrent;
  return sys.threads[t].ops.map((_, i) => {
    const r = sys.init[sys.L.thBase + t * sys.L.thSize + TH.results + i];
    return r === RES_NONE ? '-' : resultName(r, sys.names.sockets);
  });
}
