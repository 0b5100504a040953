import { describe, expect, it } from 'vitest';
import { MUTANTS as ALL_MUTANTS } from '../../model/mutants/index.ts';
import { findVariant } from '../../model/registry.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { findProperty } from '../../properties/registry.ts';
import { checkProperties } from '../../src/engine/check.ts';
import { randomKill } from '../../src/engine/kill.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/builtin.ts';
import { derivationTest, killTests, suffix, type Kills } from './mutant-kills.ts';

/** The linux-4.3 mutants; they come first in the catalogue (mutants-6.18.test.ts has the rest). */
const MUTANTS = ALL_MUTANTS.filter((m) => m.mutant?.base === 'linux-4.3');

// Modest runs: every kill below is found well within them (seed 1, deterministic; all still
// pass at 40). The base kernel's own run takes more, as `check` does: its documented
// violations must show, and no other.
const OPTS = { seed: 1, runs: 100, scheduler: 'random' as const, depth: 2 };
const BASE_OPTS = { ...OPTS, runs: 300 };

/**
 * Mutant id -> the first property (registry order) that kills it, and a step its counterexample
 * must run. `semantic` names a property about the kernel's behaviour that also kills it, where
 * the first kill is one of the lifecycle's own properties.
 */
const KILLS: Kills = {
  'publish-after-get-port': { by: 'no-conflicting-listeners', step: 'publish-listen' },
  'conflict-ignores-listen': { by: 'no-conflicting-listeners', step: 'get-port' },
  'reuse-ignores-own-state': { by: 'no-conflicting-listeners', step: 'get-port' },
  'fastreuse-update-ignores-listen': { by: 'get-port-respects-listeners', step: 'get-port' },
  'no-rollback': { by: 'failure-restores-close', step: 'rollback' },
  'listen-returns-0-on-failure': { by: 'listen-success-is-listening', step: 'queue-destroy' },
  'hash-before-get-port': { by: 'hashed-implies-validated', step: 'hash' },
  'hash-even-on-failure': { by: 'hashed-implies-validated', step: 'hash' },
  'reuseport-ignores-uid': { by: 'no-conflicting-listeners', step: 'get-port' },
  'wildcard-no-overlap': { by: 'no-conflicting-listeners', step: 'get-port' },
  'close-state-before-unhash': { by: 'hashed-implies-validated', step: 'state-close' },
  'close-put-port-before-unhash': { by: 'hashed-implies-validated', step: 'put-port-autobound' },
  'get-port-without-head-lock': { by: 'no-conflicting-listeners', step: 'get-port-scan' },
  'rollback-after-release-sock': { by: 'listen-success-is-listening', step: 'release-before-rollback' },
  'lhash-insert-without-lock': { by: 'inuse-counts-hashed', step: 'hash-read-inuse' },
  'lookup-trusts-sk-state': { by: 'syn-finds-validated-listener', step: 'lookup' },
  'put-port-keeps-empty-bucket': { by: 'owners-match-inet-num', step: 'put-port-autobound' },
  'destroy-skips-put-port': { by: 'state-matches-lifecycle', step: 'destroy-put-port', semantic: 'close-releases' },
  'listen-error-skips-release-sock': { by: 'no-lock-held-on-return', step: 'queue-destroy' },
  'get-port-locks-owners': { by: 'no-deadlock', step: 'get-port-lock-head' },
  'close-skips-unhash': { by: 'hashed-implies-validated', step: 'unhash', semantic: 'lifecycle-legal' },
  'bind-misreads-get-port': { by: 'bind-success-owns-port', step: 'get-port' },
};


describe('the linux-4.3 mutant catalogue', () => {
  it('has at least 12 mutants with unique ids of the form linux-4.3/<id>, each in the kill table', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(12);
    expect(new Set(MUTANTS.map((m) => m.id)).size).toBe(MUTANTS.length);
    for (const m of MUTANTS) {
      expect(m.id).toMatch(/^linux-4\.3\/[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(m.kernel).toBe('4.3');
      expect(m.mutant).toBeDefined();
      expect(m.mutant!.id).toBe(suffix(m.id));
      expect(m.mutant!.base).toBe('linux-4.3');
      expect(m.mutant!.change.length).toBeGreaterThan(20);
      expect(m.mutant!.effect.length).toBeGreaterThan(20);
      if (m.mutant!.catalogue !== undefined) expect(m.mutant!.catalogue).toMatch(/^M\d+$/);
      expect(findVariant(m.id)).toBe(m);
      expect(KILLS[suffix(m.id)], m.id).toBeDefined();
    }
    expect(Object.keys(KILLS).sort()).toEqual(MUTANTS.map((m) => suffix(m.id)).sort());
  });

  derivationTest(linux43, MUTANTS);

  killTests('linux-4.3', MUTANTS, KILLS, OPTS);

  it('does not kill linux-4.3 itself: only its documented violations show, as expected', () => {
    const r = randomKill(linux43, BASE_OPTS);
    expect(r.killed).toBe(false);
    expect(r.runs).toBeGreaterThan(0);
    const verdicts = checkProperties({ ...BASE_OPTS, variant: linux43, scenarios: BUILTIN_SCENARIOS, generated: true, properties: ['two-socket-rule', 'some-concurrent-listener-succeeds'].map((id) => findProperty(id)!), merge: true });
    expect(verdicts.map((v) => v.verdict)).toEqual(['violated as expected', 'violated as expected']);
  });

});
