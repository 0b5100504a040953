// Adding a kernel version is one folder plus one registry entry: here a toy kernel "toy-1" (6.18
// with its listen() rollback store gone) is registered from inside the test, checked with the
// library's checkProperties, and given a mutant through the same declarative change the
// catalogue uses. Kernel versions come from the registry, so properties and docs see it too.
import { describe, expect, it } from 'vitest';
import { applyMutation } from '../../model/mutants/common.ts';
import { patchStep } from '../../model/program.ts';
import { allVariants, baseOf, findVariant, KERNELS, registeredKernelVersions, registerVariant } from '../../model/registry.ts';
import type { KernelVariant, Programs, Variant } from '../../model/variant.ts';
import type { GetPortRules618 } from '../../model/variants/linux-6.18/get-port.ts';
import { linux618 } from '../../model/variants/linux-6.18/index.ts';
import { kernelVersions, unknownKernelVersions } from '../../properties/kernel-lines.ts';
import { findProperty, PROPERTIES } from '../../properties/registry.ts';
import type { Property } from '../../properties/types.ts';
import { checkProperties } from '../../src/engine/check.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/builtin.ts';

const OPTS = { scenarios: BUILTIN_SCENARIOS, generated: true, runs: 300, seed: 1, scheduler: 'random' as const, depth: 2, merge: true };

/** linux-6.18 with one step changed: the failure path no longer stores TCP_CLOSE. */
const dropRollback = (p: Programs): Programs =>
  ({ ...p, listen: patchStep(p.listen, 'rollback', { text: '/* no TCP_CLOSE store */', run: () => {} }) });

const toy: KernelVariant<GetPortRules618> = {
  ...linux618,
  id: 'toy-1',
  kernel: 'toy-1',
  title: 'Toy kernel 1',
  description: 'Linux 6.18 whose failed listen() leaves the socket TCP_LISTEN.',
  programs: dropRollback(linux618.programs),
  build: (parts) => dropRollback(linux618.build(parts)),
};

const verdict = (v: Variant, id: string) => checkProperties({ ...OPTS, variant: v, properties: [findProperty(id)!] })[0];

describe('registering a kernel version from code', () => {
  it('knows the built-in kernels and the kernel versions the properties name, and flags an unknown one', () => {
    expect(registeredKernelVersions()).toEqual(['4.3', '6.18']);
    expect(kernelVersions(KERNELS)).toEqual(['4.3', '6.18']);
    expect(unknownKernelVersions(PROPERTIES, KERNELS)).toEqual([]);
    const typo: Property = { ...PROPERTIES[0], kernel: { ...PROPERTIES[0].kernel, '6.81': ['x.c 1'] } };
    expect(unknownKernelVersions([typo], KERNELS)).toEqual([`property ${typo.id}: no kernel version 6.81 in the registry`]);
  });

  it('adds toy-1 and checks it: the property the changed step breaks is violated there and holds on linux-6.18', () => {
    expect(findVariant('toy-1')).toBeUndefined();
    expect(registerVariant(toy)).toBe(toy);
    expect(findVariant('toy-1')).toBe(toy);
    expect(KERNELS.map((k) => k.id)).toEqual(['linux-4.3', 'linux-6.18', 'toy-1']);
    expect(registeredKernelVersions()).toEqual(['4.3', '6.18', 'toy-1']);

    const onToy = verdict(findVariant('toy-1')!, 'failure-restores-close');
    expect(onToy.verdict).toBe('violated');
    expect(onToy.counterexample!.variant).toBe('toy-1');
    expect(onToy.counterexample!.run.trace.map((s) => s.stepId)).toContain('rollback');
    expect(verdict(linux618, 'failure-restores-close').verdict).toBe('holds');

    // Its kernel lines can now be given; a property naming it is no longer unknown.
    const withLines: Property = { ...PROPERTIES[0], kernel: { ...PROPERTIES[0].kernel, 'toy-1': ['inet_connection_sock.c 1372'] } };
    expect(unknownKernelVersions([withLines], KERNELS)).toEqual([]);
  });

  it('gives toy-1 a mutant by a declarative change, registered as toy-1/<id> with toy-1 as its base', () => {
    const m = applyMutation(toy, {
      id: 'conflict-ignores-listen', change: 'The pairwise rule no longer looks at sk2\'s state.', effect: 'Two listeners share a port.',
      steps: ['get-port'], parts: { rules: { caseRSeesListen: false } },
    });
    expect(m.variant.programs.close).toBe(toy.programs.close);
    expect(m.variant.programs.listen).not.toBe(toy.programs.listen);
    expect(m.variant.programs.listen.steps.find((s) => s.id === 'rollback')!.text).toBe('/* no TCP_CLOSE store */'); // still toy-1's
    registerVariant(m.variant);
    expect(findVariant('toy-1/conflict-ignores-listen')).toBe(m.variant);
    expect(baseOf(m.variant)).toBe(toy);
    expect(m.variant.kernel).toBe('toy-1');
    expect(verdict(m.variant, 'no-conflicting-listeners').verdict).toBe('violated');
    expect(allVariants().filter((v) => v.id.startsWith('toy-1'))).toHaveLength(2);
  });

  it('refuses a variant it cannot use, naming the problem', () => {
    expect(() => registerVariant(toy)).toThrow('variant toy-1: an id already registered');
    expect(() => registerVariant({ ...toy, id: 'Toy 2' })).toThrow(/variant Toy 2: ids are lowercase/);
    expect(() => registerVariant({ ...toy, id: 'toy-2', kernel: '' })).toThrow('variant toy-2: no kernel version');
    expect(() => registerVariant({ ...toy, id: 'nowhere/x', mutant: { id: 'x', base: 'nowhere', change: 'c', effect: 'e' } }))
      .toThrow('variant nowhere/x: no kernel nowhere to be a mutant of');
    const twice = { ...toy.programs.bind, steps: [...toy.programs.bind.steps, toy.programs.bind.steps[0]] };
    expect(() => registerVariant({ ...toy, id: 'toy-3', programs: { ...toy.programs, bind: twice } }))
      .toThrow('variant toy-3: program bind: duplicate step id lock_sock');
    expect(findVariant('toy-2') ?? findVariant('toy-3')).toBeUndefined();
  });
});
