// Differential conformance: the same sequential scenario on the model and on the running
// kernel, compared op by op. fast-check generates the scenarios and shrinks a disagreement to a
// minimal one. The kernel is the judge: a disagreement is a model bug until shown otherwise.

import fc from 'fast-check';
import type { Op, Scenario } from '../../model/scenario.ts';
import { Kernel } from '../../model/kernel-view.ts';
import { compileSystem, resultsOf, runThread, showOp } from '../../model/system.ts';
import type { Variant } from '../../model/variant.ts';
import { sequentialScenario, type GenerateOptions } from '../engine/generate.ts';
import { runOnKernel } from '../kernel/harness.ts';

/** One op as both sides ran it. */
interface OpPair {
  op: string;
  model: string;
  kernel: string;
  /** For a SYN: the model's answer stands for any member of this reuseport group. */
  modelAlternatives?: string[];
  agree: boolean;
}

interface Comparison {
  scenario: Scenario;
  ops: OpPair[];
  agree: boolean;
}

/**
 * What the model says a one-thread scenario returns, op by op. A SYN to a reuseport group is
 * answered by the lowest-numbered member; the kernel picks one by a hash, so every member of the
 * group is an acceptable answer.
 */
export function modelAnswers(scenario: Scenario, variant: Variant): { op: Op; result: string; alternatives?: string[] }[] {
  // As many ephemeral ports as sockets: the kernel's range is wide, the model's must not run out.
  const sys = compileSystem(scenario, variant, Math.max(2, scenario.sockets.length));
  const k = new Kernel(sys.L, sys.socks, sys.ephemeral, sys.init.slice());
  const out: { op: Op; result: string; alternatives?: string[] }[] = [];
  const ops = sys.threads[0].ops;
  for (let i = 0; i < ops.length; i++) {
    // Op i runs until it returns (or its thread cannot move).
    if (k.opIndex(0) === i) runThread(sys, k, 0, true, Infinity, () => k.opIndex(0) === i);
    const result = resultsOf(sys, k)[sys.threads[0].name][i];
    const sk = sys.names.sockets.indexOf(result);
    const alternatives = sk >= 0 && k.group(sk) >= 0
      ? sys.names.sockets.filter((_, j) => k.group(j) === k.group(sk) && k.isHashed(j))
      : undefined;
    out.push({ op: ops[i], result, ...(alternatives ? { alternatives } : {}) });
  }
  return out;
}

export function compare(scenario: Scenario, variant: Variant): Comparison {
  const model = modelAnswers(scenario, variant);
  const kernel = runOnKernel(scenario).results.filter((r) => r.thread === 0);
  const ops = model.map((m, i): OpPair => {
    const kr = kernel[i]?.result ?? '(not run)';
    const agree = kr === m.result || (m.alternatives?.includes(kr) ?? false);
    return { op: showOp(m.op), model: m.result, kernel: kr, ...(m.alternatives ? { modelAlternatives: m.alternatives } : {}), agree };
  });
  return { scenario, ops, agree: ops.every((o) => o.agree) };
}

interface ConformResult {
  runs: number;
  agreements: number;
  disagreement?: Comparison;
  /** The disagreement did not come back when its scenario ran again. */
  flaky?: boolean;
  seed: number;
  path?: string;
}

export function conform(variant: Variant, o: { runs: number; seed: number; path?: string; generate?: GenerateOptions }): ConformResult {
  let first: Comparison | undefined;
  // Owners of two uids too: the SO_REUSEPORT escape depends on them (the harness sets fsuid).
  const r = fc.check(fc.property(sequentialScenario({ uids: true, ...o.generate }), (scenario) => {
    const c = compare(scenario, variant);
    if (!c.agree) first ??= c;
    return c.agree;
  }), { numRuns: o.runs, seed: o.seed, ...(o.path ? { path: o.path } : {}) });
  if (!r.failed) return { runs: r.numRuns, agreements: r.numRuns, seed: r.seed };
  const minimal = compare(r.counterexample![0] as Scenario, variant);
  // A kernel answer that does not come back when the same scenario runs again is a flake of the
  // harness or the machine, not a finding: report the first failing run as it was.
  if (minimal.agree) return { runs: r.numRuns, agreements: r.numRuns - 1, disagreement: first!, flaky: true, seed: r.seed, path: r.counterexamplePath ?? undefined };
  return { runs: r.numRuns, agreements: r.numRuns - 1, disagreement: minimal, seed: r.seed, path: r.counterexamplePath ?? undefined };
}

/** A comparison as two columns, model and kernel, one row per op. */
export function formatComparison(c: Comparison): string {
  const w = Math.max(2, ...c.ops.map((o) => o.op.length));
  const lines = [`sockets: ${c.scenario.sockets.map((s) => `${s.name}${s.reuseaddr ? ' SO_REUSEADDR' : ''}${s.reuseport ? ' SO_REUSEPORT' : ''}${s.uid ? ` uid ${s.uid}` : ''}`).join('; ')}`, '', `${'op'.padEnd(w)}  ${'model'.padEnd(14)}  kernel`];
  for (const o of c.ops) lines.push(`${o.op.padEnd(w)}  ${(o.model + (o.modelAlternatives ? ` (or ${o.modelAlternatives.filter((x) => x !== o.model).join('/')})` : '')).padEnd(14)}  ${o.kernel}${o.agree ? '' : '   <-- differs'}`);
  return lines.join('\n');
}
