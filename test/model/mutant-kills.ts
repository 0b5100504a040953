// The tests every mutant catalogue gets: its setups compile, and the random checker kills each
// mutant with the expected property, through a step the mutant changed.
import { afterAll, expect, it } from 'vitest';
import { MUTATED_STEPS } from '../../model/mutants/index.ts';
import type { Variant } from '../../model/variant.ts';
import { findProperty } from '../../properties/registry.ts';
import { checkProperties } from '../../src/engine/check.ts';
import { randomKill, type KillOptions } from '../../src/engine/kill.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/builtin.ts';
import { compileSystem } from '../../model/system.ts';

/**
 * Mutant id suffix -> the first property (registry order) that kills it, and a step its
 * counterexample must run. `semantic` names a property about the kernel's behaviour that also
 * kills it, where the first kill is one of the lifecycle's own properties.
 */
export type Kills = Record<string, { by: string; step: string; semantic?: string }>;

export const suffix = (id: string) => id.slice(id.indexOf('/') + 1);

/** Each mutant is its base with one edit: unchanged programs are the base's own objects. */
export function derivationTest(base: Variant, mutants: readonly Variant[]): void {
  it(`derives every mutant from ${base.id}: an unchanged program is the base object, a changed one holds a mutated step`, () => {
    for (const m of mutants) {
      const mutated = MUTATED_STEPS[m.id];
      expect(mutated.length, m.id).toBeGreaterThan(0);
      let changed = 0;
      for (const name of ['bind', 'listen', 'close', 'syn'] as const) {
        const p = m.programs[name];
        if (p === base.programs[name]) continue;
        changed++;
        const ids = p.steps.map((s) => s.id);
        expect(mutated.some((id) => ids.includes(id)), `${m.id} ${name}`).toBe(true);
        // Steps the mutant does not list keep the base's kernel line and text.
        for (const s of p.steps) {
          if (mutated.includes(s.id)) continue;
          const b = base.programs[name].steps.find((x) => x.id === s.id);
          expect(b, `${m.id} ${name} ${s.id}`).toBeDefined();
          expect([s.file, s.line, s.text, s.scope], `${m.id} ${name} ${s.id}`).toEqual([b!.file, b!.line, b!.text, b!.scope]);
        }
      }
      expect(changed, m.id).toBeGreaterThan(0);
    }
  });
}

export function killTests(kernel: string, mutants: readonly Variant[], kills: Kills, opts: KillOptions): void {
  const timings: string[] = [];

  it('compiles every built-in scenario on every mutant: their setups stay lifecycle-legal', () => {
    // compileSystem runs each setup alone and throws when the statechart refuses a move or the setup cannot finish.
    for (const m of mutants) for (const s of BUILTIN_SCENARIOS) expect(() => compileSystem(s, m), `${m.id} ${s.name}`).not.toThrow();
  });

  for (const m of mutants) {
    const want = kills[suffix(m.id)];
    it(`kills ${m.id} with ${want?.by}`, () => {
      const r = randomKill(m, opts);
      timings.push(`${suffix(m.id).padEnd(32)} ${String(r.propertyId).padEnd(30)} ${String(r.runs).padStart(6)} runs ${String(r.ms).padStart(5)} ms  ${r.scenario}`);
      expect(r.killed).toBe(true);
      expect(r.propertyId).toBe(want.by);
      expect(r.counterexample!.run.trace.map((s) => s.stepId)).toContain(want.step);
      expect(MUTATED_STEPS[m.id]).toContain(want.step);
      expect(r.counterexample!.variant).toBe(m.id);
      if (want.semantic) {
        const [v] = checkProperties({ ...opts, variant: m, scenarios: BUILTIN_SCENARIOS, generated: true, properties: [findProperty(want.semantic)!], merge: true });
        expect(v.verdict).toBe('violated');
        expect(v.counterexample!.run.trace.map((s) => s.stepId)).toContain(want.step);
      }
    });
  }

  afterAll(() => {
    if (timings.length) console.log(`first kill per ${kernel} mutant (seed ${opts.seed}, ${opts.runs} runs per property and scenario):\n${timings.join('\n')}`);
  });
}
