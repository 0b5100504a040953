// The linux-6.18 variant against shared/kernel-listen-path.md §5 (decision tables, the §5.4
// three-socket case), §3.5/§3.9 (reuseport groups, the SYN lookup), §3.8 (close), and the
// property suite over the built-in scenarios.
import { describe, expect, it } from 'vitest';
import { test, fc } from '@fast-check/vitest';
import type { Op, Scenario, ScenarioSocket } from '../../model/scenario.ts';
import { compileSystem, type System } from '../../model/system.ts';
import { Kernel } from '../../model/kernel-view.ts';
import { TCP_CLOSE, TCP_LISTEN, RES_ENOMEM } from '../../model/kernel.ts';
import { LIFE } from '../../model/lifecycle/table.ts';
import { SK, skOff } from '../../model/state.ts';
import { linux618 } from '../../model/variants/linux-6.18/index.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { findVariant, DEFAULT_VARIANT } from '../../model/registry.ts';
import { FASTREUSEPORT_STRICT } from '../../model/variants/linux-6.18/get-port.ts';
import { groupSize } from '../../model/variants/linux-6.18/hashtables.ts';
import type { Variant } from '../../model/variant.ts';
import { runSchedule } from '../../src/engine/run.ts';
import { checkProperties } from '../../src/engine/check.ts';
import { BUILTIN_SCENARIOS } from '../../src/scenarios/builtin.ts';
import { PROPERTIES } from '../../properties/registry.ts';

type Flags = { reuseaddr: boolean; reuseport: boolean };
type Addr = '0.0.0.0' | '127.0.0.1' | '127.0.0.2';
const P = 8080;
const ANY: Addr = '0.0.0.0', LO: Addr = '127.0.0.1', LO2: Addr = '127.0.0.2';

/** §5 address pairs (A's address, B's address). */
const PAIRS: Record<string, [Addr, Addr]> = { '1': [ANY, ANY], '2a': [ANY, LO], '2b': [LO, ANY], '3': [LO, LO], '4': [LO, LO2] };
const OVERLAPPING = ['1', '2a', '2b', '3'];

const F = (s: string): Flags => ({ reuseaddr: s.includes('RA'), reuseport: s.includes('RP') });
const E = 'EADDRINUSE';
/**
 * §5.2, one row per flag pair: A flags, B flags, bind(B) with A bound, bind(B) with A listening,
 * listen(B) with A bound, listen(B) with A listening ('n/a': B cannot be bound beside A).
 */
const TABLE: readonly [string, string, string, string, string, string][] = [
  ['-', '-', E, E, 'n/a', 'n/a'],
  ['-', 'RA', E, E, 'n/a', 'n/a'],
  ['-', 'RP', E, E, 'n/a', 'n/a'],
  ['-', 'RA+RP', E, E, 'n/a', 'n/a'],
  ['RA', '-', E, E, 'n/a', 'n/a'],
  ['RA', 'RA', '0', E, '0', E],
  ['RA', 'RP', E, E, 'n/a', 'n/a'],
  ['RA', 'RA+RP', '0', E, '0', E],
  ['RP', '-', E, E, 'n/a', 'n/a'],
  ['RP', 'RA', E, E, 'n/a', 'n/a'],
  ['RP', 'RP', '0', '0', '0', '0'],
  ['RP', 'RA+RP', '0', '0', '0', '0'],
  ['RA+RP', '-', E, E, 'n/a', 'n/a'],
  ['RA+RP', 'RA', '0', E, '0', E],
  ['RA+RP', 'RP', '0', '0', '0', '0'],
  ['RA+RP', 'RA+RP', '0', '0', '0', '0'],
];

function scenario(sockets: ScenarioSocket[], setup: Op[], ops: Op[]): Scenario {
  return { name: 't', sockets, setup, threads: [ops] };
}

function run(s: Scenario, v: Variant = linux618): { results: string[]; k: Kernel; sys: System } {
  const sys = compileSystem(s, v);
  const r = runSchedule(sys, [], { properties: PROPERTIES.filter((p) => p.kind !== 'outcome') });
  expect(r.violation).toBeNull();
  return { results: r.results.T0, k: new Kernel(sys.L, sys.socks, sys.ephemeral, r.final), sys };
}

const bind = (sk: string, addr: Addr, port = P): Op => ({ op: 'bind', sk, addr, port });
const listen = (sk: string): Op => ({ op: 'listen', sk });
const close = (sk: string): Op => ({ op: 'close', sk });
const syn = (addr: Addr, port = P): Op => ({ op: 'syn', addr, port });

/** The four §5.2 columns as the model answers them: B's result in each. */
function columns(fa: Flags, fb: Flags, [aa, ab]: [Addr, Addr], uidB = 0) {
  const socks = [{ name: 'A', ...fa }, { name: 'B', ...fb, uid: uidB }];
  const c1 = run(scenario(socks, [bind('A', aa)], [bind('B', ab)])).results;
  const c2 = run(scenario(socks, [bind('A', aa), listen('A')], [bind('B', ab)])).results;
  const c3 = run(scenario(socks, [bind('A', aa)], [bind('B', ab), listen('B')])).results;
  // "A listening" for listen(B), both orders: B bound before A listened, or after.
  const c4before = run(scenario(socks, [bind('A', aa)], [bind('B', ab), listen('A'), listen('B')])).results;
  const c4after = run(scenario(socks, [bind('A', aa), listen('A')], [bind('B', ab), listen('B')])).results;
  return { c1, c2, c3, c4before, c4after };
}

/** §5.1, the closed-form rule: sharing with a bound socket needs both RA or both RP (same uid); with a listener, both RP. */
function rule(fa: Flags, fb: Flags, aListening: boolean, overlap: boolean, sameUid = true): string {
  if (!overlap) return '0';
  const rp = fa.reuseport && fb.reuseport && sameUid;
  const ra = fa.reuseaddr && fb.reuseaddr && !aListening;
  return rp || ra ? '0' : E;
}

describe('linux-6.18 is registered', () => {
  it('is a kernel variant beside 4.3, which stays the default', () => {
    expect(findVariant('linux-6.18')).toBe(linux618);
    expect(DEFAULT_VARIANT).toBe('linux-4.3');
  });
});

describe('linux-6.18 against the §5.2 decision table', () => {
  it('gives every row of the table, for every overlapping address pair', () => {
    for (const [a, b, bindBound, bindListening, listenBound, listenListening] of TABLE) {
      for (const pair of OVERLAPPING) {
        const at = `row ${a}/${b}, pair (${pair})`;
        const { c1, c2, c3, c4before, c4after } = columns(F(a), F(b), PAIRS[pair]);
        expect(c1, at).toEqual([bindBound]);
        expect(c2, at).toEqual([bindListening]);
        if (listenBound !== 'n/a') {
          expect(c3, at).toEqual(['0', listenBound]);
          expect(c4before, at).toEqual(['0', '0', listenListening]);
        }
        // B bound after A listens: only with both SO_REUSEPORT; then B listens beside A.
        if (bindListening === '0') expect(c4after, at).toEqual(['0', listenListening]);
        else expect(c4after, at).toEqual([E, '0']); // listen() autobinds B to an ephemeral port
      }
    }
  });

  const flags = fc.record({ reuseaddr: fc.boolean(), reuseport: fc.boolean() });
  const pair = fc.constantFrom(...Object.keys(PAIRS));

  test.prop([flags, flags, pair, fc.constantFrom(0, 1)])('follows the closed-form rule of §5.1 (uids too)', (fa, fb, p, uidB) => {
    const overlap = OVERLAPPING.includes(p);
    const same = uidB === 0;
    const { c1, c2, c3, c4before, c4after } = columns(fa, fb, PAIRS[p], uidB);
    const bindBound = rule(fa, fb, false, overlap, same);
    expect(c1).toEqual([bindBound]);
    expect(c2).toEqual([rule(fa, fb, true, overlap, same)]);
    // B bound beside A (not listening) may always listen; if it could not bind, listen() autobinds.
    expect(c3).toEqual([bindBound, '0']);
    expect(c4before).toEqual(bindBound === '0' ? ['0', '0', rule(fa, fb, true, overlap, same)] : [E, '0', '0']);
    const bindAfter = rule(fa, fb, true, overlap, same);
    expect(c4after).toEqual([bindAfter, '0']);
  });

  test.prop([flags, flags])('pair (4), 127.0.0.1 beside 127.0.0.2, never conflicts', (fa, fb) => {
    const { c1, c2, c3, c4before, c4after } = columns(fa, fb, PAIRS['4']);
    expect([c1, c2, c3, c4before, c4after]).toEqual([['0'], ['0'], ['0', '0'], ['0', '0', '0'], ['0', '0']]);
  });

  it('EINVAL cases: a second bind, bind of a listener; listen of a listener only sets the backlog', () => {
    const { results, k } = run(scenario([{ name: 'A' }], [], [
      bind('A', LO), bind('A', LO, 8081), { op: 'listen', sk: 'A', backlog: 5 }, { op: 'listen', sk: 'A', backlog: 9 }, bind('A', LO, 8081), syn(LO),
    ]));
    expect(results).toEqual(['0', 'EINVAL', '0', '0', 'EINVAL', 'A']);
    expect(k.s[skOff(k.L, 0, SK.maxBacklog)]).toBe(9);
  });
});

describe('the §5.4 three-socket case', () => {
  const socks = [{ name: 'A', reuseaddr: true }, { name: 'B', reuseaddr: true, reuseport: true }, { name: 'C', reuseport: true }];

  it('lets C (SO_REUSEPORT only) bind beside A (SO_REUSEADDR only) through the STRICT cache B left', () => {
    for (const cAddr of [ANY, LO]) {
      const { results, k } = run(scenario(socks, [], [bind('A', ANY), bind('B', ANY), bind('C', cAddr)]));
      expect(results).toEqual(['0', '0', '0']);
      expect(k.fastreuseport(0)).toBe(FASTREUSEPORT_STRICT);
      expect(k.fastAddr(0)).toBe(0); // B's 0.0.0.0
    }
    // 4.3 has no STRICT mode and refuses C.
    expect(run(scenario(socks, [], [bind('A', ANY), bind('B', ANY), bind('C', ANY)]), linux43).results).toEqual(['0', '0', E]);
  });

  it('follows the 6.18 source, not the reference, for the cache: the "first owner" branch is dead', () => {
    // A's success runs inet_csk_update_fastreuse after its tb2 is already in tb->bhash2, so
    // fastreuse stays 0 (the reference says 1); B passes by the full check (case R), not the fast path.
    const afterA = run(scenario(socks, [], [bind('A', ANY)])).k;
    expect([afterA.fastreuse(0), afterA.fastreuseport(0)]).toEqual([0, 0]);
    const afterB = run(scenario(socks, [], [bind('A', ANY), bind('B', ANY)])).k;
    expect([afterB.fastreuse(0), afterB.fastreuseport(0)]).toEqual([0, FASTREUSEPORT_STRICT]);
    // A first SO_REUSEPORT owner gets STRICT with its own address (the reference says ANY).
    const rp = run(scenario([{ name: 'A', reuseport: true }], [], [bind('A', LO)])).k;
    expect([rp.fastreuseport(0), rp.fastAddr(0)]).toEqual([FASTREUSEPORT_STRICT, 1]);
  });

  it('still keeps listeners to the pairwise rule: A cannot listen beside C', () => {
    const { results } = run(scenario(socks, [bind('A', ANY), bind('B', ANY), bind('C', ANY)], [listen('C'), listen('A'), listen('B')]));
    expect(results).toEqual(['0', E, '0']);
  });
});

describe('reuseport groups and the SYN lookup', () => {
  it('puts two SO_REUSEPORT listeners on exactly one address into one group', () => {
    const socks = [{ name: 'A', reuseport: true }, { name: 'B', reuseport: true }];
    const { results, k } = run(scenario(socks, [bind('A', LO), bind('B', LO)], [listen('A'), listen('B'), syn(LO)]));
    expect(results).toEqual(['0', '0', 'A']);
    expect(k.group(0)).toBe(0); // created by A
    expect(k.group(1)).toBe(0);
    expect(groupSize(k, 0)).toBe(2);
    expect(k.lhash(0)).toBe(k.lhash(1));
  });

  it('gives 0.0.0.0 and 127.0.0.1 separate groups, and a SYN to 127.0.0.1 goes to the specific one', () => {
    const socks = [{ name: 'A', reuseport: true }, { name: 'B', reuseport: true }];
    const { results, k } = run(scenario(socks, [bind('A', ANY), bind('B', LO)], [listen('A'), listen('B'), syn(LO), syn(LO2)]));
    expect(results).toEqual(['0', '0', 'B', 'A']);
    expect(k.group(0)).toBe(0);
    expect(k.group(1)).toBe(1);
    expect(k.lhash(0)).not.toBe(k.lhash(1));
  });

  it('does not group sockets of different users (they cannot both listen)', () => {
    const socks = [{ name: 'A', reuseport: true }, { name: 'B', reuseport: true, uid: 1 }];
    const { results, k } = run(scenario(socks, [bind('A', LO)], [listen('A'), bind('B', LO), syn(LO)]));
    expect(results).toEqual(['0', E, 'A']);
    expect(groupSize(k, 0)).toBe(1);
  });

  it('lets a closing member leave its group; the rest keep receiving SYNs', () => {
    const socks = [{ name: 'A', reuseport: true }, { name: 'B', reuseport: true }];
    const { results, k } = run(scenario(socks, [bind('A', LO), bind('B', LO), listen('A'), listen('B')], [close('A'), syn(LO)]));
    expect(results).toEqual(['0', 'B']);
    expect([k.group(0), k.group(1)]).toEqual([-1, 0]);
  });
});

describe('close releases the port', () => {
  it('explicitly bound: at tcp_v4_destroy_sock, so a plain bind() then gets the port', () => {
    const socks = [{ name: 'A' }, { name: 'B' }];
    const { results, k } = run(scenario(socks, [bind('A', LO), listen('A')], [bind('B', LO), close('A'), bind('B', LO)]));
    expect(results).toEqual([E, '0', '0']);
    expect(k.bindHash(0)).toBe(-1);
    expect(k.isHashed(0)).toBe(false);
  });

  it('autobound by listen(): at tcp_set_state, and tb and tb2 are freed', () => {
    const socks = [{ name: 'A' }];
    const { results, k, sys } = run(scenario(socks, [], [listen('A'), close('A')]));
    expect(results).toEqual(['0', '0']);
    for (let p = 0; p < sys.L.ports; p++) expect(k.tbExists(p)).toBe(false);
    for (let i = 0; i < sys.L.ports * sys.L.addrs; i++) expect(k.tb2Exists(i)).toBe(false);
    expect(k.inuse()).toBe(0);
  });

  it('autobinds a listen() on an unbound socket to the first free ephemeral port, and a SYN finds it', () => {
    const socks = [{ name: 'A' }, { name: 'B' }];
    const sys = compileSystem(scenario(socks, [], [listen('A'), listen('B'), { op: 'syn', addr: LO, portOf: 'B' }]), linux618);
    const r = runSchedule(sys, [], { properties: [] });
    const k = new Kernel(sys.L, sys.socks, sys.ephemeral, r.final);
    expect(r.results.T0).toEqual(['0', '0', 'B']);
    expect(sys.ephemeral[k.inet_num(0)]).toBe(true);
    expect(k.inet_num(1)).toBe(k.inet_num(0) + 1);
  });
});

describe('the hash-failure path of listen()', () => {
  // inet_hash cannot fail with the model's ops (ENOMEM is not modelled, EBUSY is unreachable),
  // so the failure is injected: the program's rollback after a hash failure is the kernel's.
  const failing: Variant = { ...linux618, id: 'linux-6.18/hash-enomem', programs: { ...linux618.programs, listen: linux618.build({ ...linux618.parts, hash: () => RES_ENOMEM }).listen } };

  it('rolls back to TCP_CLOSE with the socket still bound, and returns the hash error', () => {
    const sys = compileSystem(scenario([{ name: 'A' }], [bind('A', LO)], [listen('A'), syn(LO)]), failing);
    const r = runSchedule(sys, [], { properties: PROPERTIES.filter((p) => p.kind !== 'outcome') });
    expect(r.violation).toBeNull();
    expect(r.results.T0).toEqual(['ENOMEM', 'ECONNREFUSED']);
    const k = new Kernel(sys.L, sys.socks, sys.ephemeral, r.final);
    expect(k.get_sk_state(0)).toBe(TCP_CLOSE);
    expect(k.inet_num(0)).toBe(0);
    expect(k.bindHash(0)).toBe(0);
    expect(k.isHashed(0)).toBe(false);
    expect(LIFE.states[k.lifeState(0)]).toBe('bound');
    const trace = runSchedule(sys, [], { properties: [], trace: true }).trace.map((s) => s.stepId);
    expect(trace.slice(trace.indexOf('hash'), trace.indexOf('hash') + 3)).toEqual(['hash', 'rollback', 'return-err']);
  });

  it('is not taken by the real inet_hash: two SO_REUSEPORT listeners both end up hashed', () => {
    const sys = compileSystem(scenario([{ name: 'A', reuseport: true }, { name: 'B', reuseport: true }], [bind('A', LO), bind('B', LO)], [listen('A'), listen('B')]), linux618);
    const k = new Kernel(sys.L, sys.socks, sys.ephemeral, runSchedule(sys, [], { properties: [] }).final);
    expect([k.get_sk_state(0), k.get_sk_state(1)]).toEqual([TCP_LISTEN, TCP_LISTEN]);
    expect([k.isHashed(0), k.isHashed(1)]).toEqual([true, true]);
  });
});

describe('check on linux-6.18', () => {
  const verdicts = checkProperties({
    variant: linux618, scenarios: BUILTIN_SCENARIOS, generated: true, properties: PROPERTIES,
    runs: 300, seed: 7, scheduler: 'random', depth: 2, merge: true,
  });
  const byId = Object.fromEntries(verdicts.map((v) => [v.id, v]));

  it('finds every property holding, or violated as documented', () => {
    const unexpected = verdicts.filter((v) => v.verdict !== 'holds' && v.verdict !== 'violated as expected');
    expect(unexpected.map((v) => `${v.id}: ${v.verdict} ${v.counterexample?.message ?? ''}`)).toEqual([]);
    expect(verdicts.map((v) => v.id)).toEqual(PROPERTIES.map((p) => p.id));
  });

  it('finds the both-fail race, and holds the two-socket rule and get_port against listeners', () => {
    expect(byId['some-concurrent-listener-succeeds'].verdict).toBe('violated as expected');
    expect(byId['some-concurrent-listener-succeeds'].counterexample!.run.results).toEqual({ T0: [E], T1: [E] });
    expect(byId['two-socket-rule'].verdict).toBe('holds');
    expect(byId['get-port-respects-listeners'].verdict).toBe('holds');
  });
});
