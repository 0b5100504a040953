// Every property has teeth (issue 9, item 8): some catalogued mutant violates it, or, for a
// property the kernels themselves violate on purpose on every kernel, the checker finds that
// documented violation. A *holds* for a property nothing can break would prove little.
import { describe, expect, it } from 'vitest';
import { MUTANTS } from '../../model/mutants/index.ts';
import { KERNELS } from '../../model/registry.ts';
import { PROPERTIES } from '../../properties/registry.ts';
import { mutantTable, mutantsViolating } from '../../src/docs/mutants.ts';
import { DOCS_MUTANT_MAX_STATES } from '../../src/docs/defaults.ts';
import { explore } from '../../src/explore/explore.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/builtin.ts';

describe('every property has teeth', () => {
  const table = mutantTable(MUTANTS, { scenarios: BUILTIN_SCENARIOS, properties: PROPERTIES, maxStates: DOCS_MUTANT_MAX_STATES });
  /** Violated as expected on every kernel: no mutant can violate it unexpectedly; the kernels are its witness. */
  const kernelsViolate = PROPERTIES.filter((p) => KERNELS.every((k) => p.expectedViolation?.kernels.includes(k.kernel)));

  it('is violated by some mutant, each property the kernels do not break on purpose', () => {
    const toothless = PROPERTIES.filter((p) => !kernelsViolate.includes(p) && mutantsViolating(p.id, table).length === 0).map((p) => p.id);
    expect(toothless).toEqual([]);
    expect(table.survivors.map((m) => m.id)).toEqual([]);
  });

  it('is shown violated as expected on every kernel, each property the kernels break on purpose', () => {
    expect(kernelsViolate.map((p) => p.id).sort()).toEqual(['some-concurrent-listener-succeeds', 'syn-not-refused-while-covered']);
    for (const p of kernelsViolate) {
      for (const k of KERNELS) {
        // Each kernel shows it in one of the scenarios named (4.3's single chain needs a node ahead of W).
        const verdicts = p.expectedViolation!.seenIn.map((name) => BUILTIN_SCENARIOS.find((s) => s.name === name)!)
          .map((scenario) => explore({ variant: k, scenario, properties: [p], symmetry: true }).properties[0].verdict);
        expect(verdicts, `${p.id} on ${k.id}`).toContain('violated as expected');
        expect(verdicts, `${p.id} on ${k.id}`).not.toContain('violated');
      }
    }
  });

  it('lists every violation a mutant has, not only its first: a mutant of several violations is under each', () => {
    const skipsUnhash = PROPERTIES.filter((p) => mutantsViolating(p.id, table).some((v) => v.mutant.id === 'linux-4.3/close-skips-unhash')).map((p) => p.id);
    expect(skipsUnhash).toEqual(expect.arrayContaining(['hashed-implies-validated', 'lifecycle-legal', 'close-releases']));
    expect(table.firstKill.get('linux-4.3/close-skips-unhash')).toBe('hashed-implies-validated');
  });
});
