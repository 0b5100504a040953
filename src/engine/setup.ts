// A scenario whose setup a variant cannot run: whose fault is it? When the variant's own kernel
// runs the same setup, the scenario is good and the variant is wrong (a mutant or a user's patch
// that takes a lifecycle move the statechart forbids, or blocks, before the threads start): a
// finding, reported and counted like a violation (exit 1). When the kernel cannot run it either,
// the scenario is bad input (exit 2), as before.

import type { Scenario } from '../../model/scenario.ts';
import { compileSystem } from '../../model/system.ts';
import type { Variant } from '../../model/variant.ts';
import { baseOf, KERNELS } from '../../model/registry.ts';
import { SetupRefused } from '../errors.ts';

/** The reference kernel a variant derives from, or undefined for a kernel of its own. */
function referenceOf(v: Variant): Variant | undefined {
  const base = baseOf(v);
  if (base !== v) return base;
  return KERNELS.find((k) => k.kernel === v.kernel && k.id !== v.id);
}

/** The finding, when `e` is a setup the variant refuses and its kernel runs; else undefined. */
export function setupFinding(e: unknown): string | undefined {
  if (!(e instanceof SetupRefused)) return undefined;
  const scenario = e.scenario as Scenario, variant = e.variant as Variant;
  const ref = referenceOf(variant);
  if (ref === undefined) return undefined;
  try {
    compileSystem(scenario, ref);
  } catch {
    return undefined;
  }
  const broken = /cannot finish/.test(e.message) ? 'no-deadlock' : 'lifecycle-legal';
  return `${variant.id} cannot run the setup of scenario ${scenario.name}, which ${ref.id} runs: ${e.message.replace(/^scenario [^:]+: (setup: )?/, '')} (${broken} broken before the threads start)`;
}

/** Splits scenarios into those the variant can set up and the findings for those it cannot (bad input still throws). */
export function splitSetupFindings(variant: Variant, scenarios: readonly Scenario[]): { runnable: Scenario[]; findings: string[] } {
  const runnable: Scenario[] = [], findings: string[] = [];
  for (const s of scenarios) {
    try {
      compileSystem(s, variant);
      runnable.push(s);
    } catch (e) {
      const finding = setupFinding(e);
      if (finding === undefined) throw e;
      findings.push(finding);
    }
  }
  return { runnable, findings };
}
