// The linux-6.18 mutants (model/mutants/linux-6.18.ts), in the style of mutants.test.ts: each is
// killed by randomKill, by the property the table names, with a mutated step in the trace; the
// base kernel is not killed.
import { describe, expect, it } from 'vitest';
import { MUTANTS as ALL_MUTANTS } from '../../model/mutants/index.ts';
import { findVariant } from '../../model/registry.ts';
import { linux618 } from '../../model/variants/linux-6.18/index.ts';
import { CONFLICT_RULES_6_18, inetBindConflict } from '../../model/variants/linux-6.18/bind-conflict.ts';
import { Kernel } from '../../model/kernel-view.ts';
import { TCP_CLOSE, TCP_LISTEN } from '../../model/kernel.ts';
import { compileSystem } from '../../model/system.ts';
import { findProperty } from '../../properties/registry.ts';
import { checkProperties } from '../../src/engine/check.ts';
import { randomKill } from '../../src/engine/kill.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/builtin.ts';
import { derivationTest, killTests, suffix, type Kills } from './mutant-kills.ts';

const MUTANTS = ALL_MUTANTS.filter((m) => m.mutant?.base === 'linux-6.18');

// Modest runs: every kill below is found well within them (seed 1, deterministic; all still
// pass at 40). The base kernel's own run takes more, as `check` does: its documented
// violations must show, and no other.
const OPTS = { seed: 1, runs: 100, scheduler: 'random' as const, depth: 2 };
const BASE_OPTS = { ...OPTS, runs: 300 };

/** Mutant id -> the first property (registry order) that kills it, and a step its counterexample must run. */
const KILLS: Kills = {
  'publish-after-get-port': { by: 'no-conflicting-listeners', step: 'publish-listen' },
  'conflict-ignores-listen': { by: 'no-conflicting-listeners', step: 'get-port' },
  'no-rollback': { by: 'failure-restores-close', step: 'rollback' },
  'listen-returns-0-on-failure': { by: 'listen-success-is-listening', step: 'get-port' },
  'hash-before-get-port': { by: 'hashed-implies-validated', step: 'hash' },
  'hash-even-on-failure': { by: 'hashed-implies-validated', step: 'hash' },
  'reuseport-ignores-uid': { by: 'no-conflicting-listeners', step: 'get-port' },
  'wildcard-no-overlap': { by: 'no-conflicting-listeners', step: 'get-port' },
  'close-state-before-unhash': { by: 'hashed-implies-validated', step: 'state-close' },
  'close-put-port-before-unhash': { by: 'hashed-implies-validated', step: 'put-port-autobound' },
  'get-port-without-head-lock': { by: 'no-conflicting-listeners', step: 'get-port-scan' },
  'strict-cache-wildcard-both-ways': { by: 'no-conflicting-listeners', step: 'get-port' },
  'rollback-after-release-sock': { by: 'listen-success-is-listening', step: 'release-before-rollback' },
  'lhash-insert-without-lock': { by: 'inuse-counts-hashed', step: 'hash-read-inuse' },
  'lookup-trusts-sk-state': { by: 'syn-finds-validated-listener', step: 'lookup' },
  'put-port-keeps-empty-bucket': { by: 'owners-match-inet-num', step: 'destroy-put-port' },
  'destroy-skips-put-port': { by: 'state-matches-lifecycle', step: 'destroy-put-port', semantic: 'close-releases' },
  'listen-error-skips-release-sock': { by: 'no-lock-held-on-return', step: 'return-err' },
  'get-port-locks-owners': { by: 'no-deadlock', step: 'get-port-lock-head' },
  'close-skips-unhash': { by: 'hashed-implies-validated', step: 'unhash', semantic: 'lifecycle-legal' },
  'bind-misreads-get-port': { by: 'two-socket-rule', step: 'get-port', semantic: 'bind-success-owns-port' },
  'put-port-marks-connect-only': { by: 'type-ok', step: 'destroy-put-port' },
};


describe('the linux-6.18 mutant catalogue', () => {
  it('follows the linux-4.3 mutants, with unique ids of the form linux-6.18/<id>, each in the kill table', () => {
    const bases = ALL_MUTANTS.map((m) => m.mutant?.base);
    expect(bases.indexOf('linux-6.18')).toBe(bases.lastIndexOf('linux-4.3') + 1);
    expect(new Set(ALL_MUTANTS.map((m) => m.id)).size).toBe(ALL_MUTANTS.length);
    for (const m of MUTANTS) {
      expect(m.id).toMatch(/^linux-6\.18\/[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(m.kernel).toBe('6.18');
      expect(m.listenBucket).toBe(linux618.listenBucket);
      expect(m.mutant!.id).toBe(suffix(m.id));
      expect(m.mutant!.base).toBe('linux-6.18');
      expect(m.mutant!.change.length).toBeGreaterThan(20);
      expect(m.mutant!.effect.length).toBeGreaterThan(20);
      if (m.mutant!.catalogue !== undefined) expect(m.mutant!.catalogue).toMatch(/^M\d+$/);
      expect(findVariant(m.id)).toBe(m);
    }
    expect(Object.keys(KILLS).sort()).toEqual(MUTANTS.map((m) => suffix(m.id)).sort());
  });

  it('covers the §7.3 entries that are not equivalent on 6.18 (M3, M4, M7, M9, M12 are: see linux-6.18.ts)', () => {
    const catalogued = [...new Set(MUTANTS.map((m) => m.mutant!.catalogue).filter((c) => c !== undefined))];
    expect(catalogued).toEqual(['M1', 'M2', 'M5', 'M6', 'M8', 'M10', 'M11', 'M13', 'M14', 'M15']);
  });

  derivationTest(linux618, MUTANTS);

  it('turns one check of inet_bind_conflict off per knob: each knob only ever lets more pairs share, and some pair it lets', () => {
    const sockets = [false, true].flatMap((reuse) => [false, true].flatMap((reuseport) => [0, 1].map((uid) => ({ reuse, reuseport, uid }))));
    const sys = compileSystem({ name: 'pairs', sockets: sockets.map((s, i) => ({ name: `S${i}`, reuseaddr: s.reuse, reuseport: s.reuseport, uid: s.uid })), threads: [[]] }, linux618);
    const k = new Kernel(sys.L, sys.socks, sys.ephemeral, sys.init.slice());
    for (const knob of ['caseRSeesListen', 'escapeChecksUid', 'checksConflicts'] as const) {
      const turned = { ...CONFLICT_RULES_6_18, [knob]: false };
      let freed = 0;
      for (const state of [TCP_CLOSE, TCP_LISTEN]) {
        for (let sk2 = 0; sk2 < sockets.length; sk2++) k.set_sk_state(sk2, state);
        for (let sk = 0; sk < sockets.length; sk++) {
          for (let sk2 = 0; sk2 < sockets.length; sk2++) {
            for (const [relax, reuseportOk] of [[false, false], [true, true], [true, false]] as const) {
              for (const cbOk of [false, true]) {
                const base = inetBindConflict(k, sk, sk2, relax, cbOk, reuseportOk);
                const now = inetBindConflict(k, sk, sk2, relax, cbOk, reuseportOk, turned);
                expect(now && !base, `${knob} ${sk} ${sk2}`).toBe(false);
                if (base && !now) freed++;
              }
            }
          }
        }
      }
      expect(freed, knob).toBeGreaterThan(0);
    }
  });

  killTests('linux-6.18', MUTANTS, KILLS, OPTS);

  it('does not kill linux-6.18 itself: only its documented both-fail race shows, as expected', () => {
    const r = randomKill(linux618, BASE_OPTS);
    expect(r.killed).toBe(false);
    expect(r.runs).toBeGreaterThan(0);
    const [v] = checkProperties({ ...BASE_OPTS, variant: linux618, scenarios: BUILTIN_SCENARIOS, generated: false, properties: [findProperty('some-concurrent-listener-succeeds')!], merge: true });
    expect(v.verdict).toBe('violated as expected');
  });

});
