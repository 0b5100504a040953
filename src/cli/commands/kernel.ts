// `conform` and `witness`: the model against the running kernel. Both refuse, with one line and
// exit 2, to run anywhere but Linux.

import { existsSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { conform, formatComparison } from '../../conform/conform.ts';
import { runWitness } from '../../kernel/witness.ts';
import { HarnessUnavailable } from '../../kernel/libc.ts';
import { ScenarioError as HarnessScenarioError } from '../../kernel/validate.ts';
import { explore } from '../../explore/explore.ts';
import { loadScenario } from '../../scenarios/load.ts';
import { intOption, noPositionals, parse, variantOption } from '../options.ts';
import { UsageError } from '../errors.ts';
import type { Command } from '../command.ts';

export function kernelGuard<T>(f: () => T): T {
  if (process.platform !== 'linux') throw new UsageError(`the kernel harness runs only on Linux (this is ${process.platform})`);
  try {
    return f();
  } catch (e) {
    if (e instanceof HarnessUnavailable || e instanceof HarnessScenarioError) throw new UsageError(e.message);
    throw e;
  }
}

export const conformCommand: Command = {
  summary: 'differential conformance: generated sequential scenarios on the model and on this kernel, op by op',
  usage: '[--variant linux-6.18] [--runs N] [--seed S] [--path P] [--json]',
  run(argv) {
    const { values, positionals } = parse(argv, { variant: { type: 'string' }, runs: { type: 'string' }, seed: { type: 'string' }, path: { type: 'string' }, json: { type: 'boolean' } });
    noPositionals(positionals);
    const variant = variantOption(values.variant ?? 'linux-6.18');
    const runs = intOption(values.runs, 'runs', 300, 1, 10_000_000);
    const seed = intOption(values.seed, 'seed', 1, -(2 ** 31), 2 ** 31 - 1);
    const r = kernelGuard(() => conform(variant, { runs, seed, ...(values.path ? { path: String(values.path) } : {}) }));
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

export const witnessCommand: Command = {
  summary: "run a concurrent scenario on this kernel many times and hold its outcomes against the model's outcome set",
  usage: '[--scenario NAME|FILE.json] [--variant linux-6.18] [--seconds S | --trials N] [--save FILE [--force]] [--json]',
  async run(argv) {
    const { values, positionals } = parse(argv, { scenario: { type: 'string' }, variant: { type: 'string' }, seconds: { type: 'string' }, trials: { type: 'string' }, save: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } });
    if (values.save !== undefined && existsSync(String(values.save)) && !values.force) throw new UsageError(`${values.save} exists; refusing to overwrite it (add --force to replace it)`);
    noPositionals(positionals);
    const scenario = loadScenario(values.scenario === undefined ? 'listen-race-2' : String(values.scenario));
    const variant = variantOption(values.variant ?? 'linux-6.18');
    const seconds = values.seconds === undefined ? undefined : intOption(values.seconds, 'seconds', 10, 1, 86_400);
    const trials = values.trials === undefined ? undefined : intOption(values.trials, 'trials', 10_000, 1, 1e9);
    if (process.platform !== 'linux') throw new UsageError(`the kernel harness runs only on Linux (this is ${process.platform})`);
    const model = explore({ variant, scenario, properties: [], outcomes: true, symmetry: false });
    // The model's outcome, keyed as the harness keys a trial: "<thread>" or "<thread>.<op>".
    const key = (returns: Record<string, string[]>) => JSON.stringify(Object.fromEntries(
      Object.entries(returns).flatMap(([t, rs]) => rs.map((r, i) => [rs.length === 1 ? t.slice(1) : `${t.slice(1)}.${i}`, r]))));
    const predicted = new Map((model.outcomes ?? []).map((o) => [key(o.returns), o]));
    let w;
    try {
      w = await runWitness(scenario, { ...(seconds !== undefined ? { seconds } : {}), ...(trials !== undefined ? { trials } : { ...(seconds === undefined ? { seconds: 10 } : {}) }) });
    } catch (e) {
      if (e instanceof HarnessUnavailable || e instanceof HarnessScenarioError) throw new UsageError(e.message);
      throw e;
    }
    const rows = w.outcomes.map((o) => ({ outcome: o.outcome, count: o.count, predicted: predicted.has(JSON.stringify(o.outcome)) }));
    const seen = new Set(rows.map((r) => JSON.stringify(r.outcome)));
    const unseen = [...predicted.keys()].filter((k) => !seen.has(k));
    const unpredicted = rows.filter((r) => !r.predicted);
    if (values.save !== undefined) {
      // The figures docs/INVARIANTS.md cites: no date, outcomes keyed by thread name as the model keys them.
      const record = {
        scenario: scenario.name, kernel: release(), trials: w.trials,
        outcomes: Object.fromEntries(rows.map((r) => [JSON.stringify(Object.fromEntries(Object.entries(r.outcome).map(([t, v]) => [`T${t}`, v]))), r.count])),
      };
      writeFileSync(String(values.save), JSON.stringify(record, null, 2) + '\n');
    }
    if (values.json) {
      process.stdout.write(JSON.stringify({
        scenario: scenario.name, variant: variant.id, trials: w.trials, seconds: w.seconds, trialsPerSecond: w.trialsPerSecond,
        privateNetns: w.privateNetns, kernel: rows, modelNotSeen: unseen.map((k) => JSON.parse(k)), modelComplete: !model.truncated,
      }, null, 2) + '\n');
      return unpredicted.length ? 1 : 0;
    }
    const show = (o: Record<string, string>) => Object.entries(o).map(([t, r]) => `T${t} ${r}`).join(', ');
    const out = [`witness ${scenario.name} on this kernel (${w.privateNetns ? 'private network namespace' : `host loopback${w.netnsNote ? `: ${w.netnsNote}` : ''}`}): ${w.trials.toLocaleString('en-US')} trials in ${w.seconds.toFixed(1)} s, ${Math.round(w.trialsPerSecond).toLocaleString('en-US')}/s; model ${variant.id}: ${predicted.size} outcomes${model.truncated ? ' (incomplete)' : ''}`, ''];
    for (const r of rows) out.push(`  ${String(r.count).padStart(10)}  ${show(r.outcome).padEnd(40)}  ${r.predicted ? 'predicted' : 'UNPREDICTED'}`);
    for (const k of unseen) out.push(`  ${'0'.padStart(10)}  ${show(JSON.parse(k)).padEnd(40)}  predicted, not yet seen`);
    out.push('', unpredicted.length ? `${unpredicted.length} outcome(s) the model does not predict: the model is wrong until shown otherwise` : 'every kernel outcome is one the model predicts');
    process.stdout.write(out.join('\n') + '\n');
    return unpredicted.length ? 1 : 0;
  },
};
