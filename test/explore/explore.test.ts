import { describe, expect, it } from 'vitest';
import { explore } from '../../src/explore/explore.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { listenRace, builtinScenario } from '../../src/scenarios/builtin.ts';
import { PROPERTIES } from '../../properties/registry.ts';
import { compileSystem } from '../../model/system.ts';
import { runSchedule } from '../../src/engine/run.ts';
import { patchStep, RETURN } from '../../model/program.ts';
import type { Variant } from '../../model/variant.ts';

const run = (n: number, o: Partial<Parameters<typeof explore>[0]> = {}) =>
  explore({ variant: linux43, scenario: listenRace(n), properties: PROPERTIES, ...o });

describe('outcomes of listen-race-N on linux-4.3', () => {
  it('two listeners: A wins, B wins, or both get EADDRINUSE; never both 0', () => {
    const r = run(2, { outcomes: true, properties: [] });
    expect(r.truncated).toBe(false);
    const seen = r.outcomes!.map((o) => `${o.returns.T0[0]}/${o.returns.T1[0]}:${o.listening.join(',')}`).sort();
    expect(seen).toEqual(['0/EADDRINUSE:A', 'EADDRINUSE/0:B', 'EADDRINUSE/EADDRINUSE:']);
  });

  it('each witness replays to its outcome', () => {
    const r = run(2, { outcomes: true, properties: [] });
    const sys = compileSystem(listenRace(2), linux43);
    for (const o of r.outcomes!) expect(runSchedule(sys, o.witness, { properties: [] }).results).toEqual(o.returns);
  });

  it.each([3, 4])('N=%i sockets have N+1 outcomes: one listener or none', (n) => {
    const r = run(n, { outcomes: true, properties: [] });
    expect(r.outcomes).toHaveLength(n + 1);
    for (const o of r.outcomes!) {
      const ok = Object.values(o.returns).filter((v) => v[0] === '0').length;
      expect(ok).toBe(o.listening.length);
      expect(ok).toBeLessThanOrEqual(1);
    }
  });
});

describe('the explorer', () => {
  it('proves every property on listen-race-3 except the documented both-fail outcome', () => {
    const r = run(3);
    const verdicts = Object.fromEntries(r.properties.map((p) => [p.id, p.verdict]));
    expect(verdicts['some-concurrent-listener-succeeds']).toBe('violated as expected');
    expect(verdicts['hashed-implies-validated']).toBe('holds');
    expect(r.properties.filter((p) => p.verdict === 'violated')).toEqual([]);
  });

  it('finds the shortest both-fail run breadth-first: every transition of both listens, 8 in all', () => {
    const cx = run(2).properties.find((p) => p.id === 'some-concurrent-listener-succeeds')!.counterexample!;
    expect(cx.depth).toBe(8);
    expect(cx.run.results).toEqual({ T0: ['EADDRINUSE'], T1: ['EADDRINUSE'] });
    expect(cx.schedule.length).toBeLessThanOrEqual(3);
  });

  it('symmetry reduction stores fewer states and changes no verdict', () => {
    const plain = run(4, { symmetry: false });
    const sym = run(4, { symmetry: true });
    expect(sym.orbits).toEqual([['A', 'B', 'C', 'D']]);
    expect(sym.stats.states).toBeLessThan(plain.stats.states / 4);
    expect(sym.properties.map((p) => p.verdict)).toEqual(plain.properties.map((p) => p.verdict));
    const cx = sym.properties.find((p) => p.id === 'some-concurrent-listener-succeeds')!.counterexample!;
    expect(cx.run.violation?.propertyId).toBe('some-concurrent-listener-succeeds');
  });

  it('merging invisible steps stores fewer states and changes no verdict', () => {
    const merged = run(3, { merge: true });
    const plain = run(3, { merge: false });
    expect(merged.stats.states).toBeLessThan(plain.stats.states);
    expect(merged.properties.map((p) => p.verdict)).toEqual(plain.properties.map((p) => p.verdict));
  });

  it('depth-first visits the same states and finds the same violations', () => {
    const bfs = run(3), dfs = run(3, { strategy: 'dfs' });
    expect(dfs.stats.states).toBe(bfs.stats.states);
    expect(dfs.properties.map((p) => p.verdict)).toEqual(bfs.properties.map((p) => p.verdict));
  });

  it('ends at a bound with "not proven", never a silent pass', () => {
    const r = run(5, { maxStates: 200 });
    expect(r.truncated).toBe(true);
    expect(r.bound).toBe('states');
    expect(r.stats.states).toBeLessThanOrEqual(201);
    expect(r.properties.find((p) => p.id === 'hashed-implies-validated')!.verdict).toBe('not proven');
  });

  it('stays under a memory bound and says so', () => {
    const limit = 40 * 2 ** 20;
    const r = run(8, { maxBytes: limit, properties: [] });
    expect(r.truncated).toBe(true);
    expect(r.bound).toBe('memory');
    expect(r.stats.peakBytes).toBeLessThanOrEqual(limit);
    expect(r.stats.states).toBeGreaterThan(10_000);
  });

  it('reports a deadlock: a listen that never releases lock_sock blocks a second listen on the socket', () => {
    const leaky: Variant = {
      ...linux43, id: 'test/leaky-release',
      programs: { ...linux43.programs, listen: patchStep(linux43.programs.listen, 'release_sock', { run: () => RETURN }) },
    };
    const scenario = {
      name: 'same-socket', sockets: [{ name: 'A' }],
      setup: [{ op: 'bind' as const, sk: 'A', addr: '127.0.0.1' as const, port: 80 }],
      threads: [[{ op: 'listen' as const, sk: 'A' }], [{ op: 'listen' as const, sk: 'A' }]],
    };
    const r = explore({ variant: leaky, scenario, properties: PROPERTIES });
    const v = Object.fromEntries(r.properties.map((p) => [p.id, p]));
    expect(v['no-deadlock'].verdict).toBe('violated');
    expect(v['no-deadlock'].counterexample!.message).toMatch(/T1 still waiting/);
    expect(v['no-lock-held-on-return'].verdict).toBe('violated');
  });

  it('reports coverage: the steps and lifecycle moves a scenario never exercised', () => {
    const race = run(2);
    expect(race.coverage.lifecycleMovesNeverTaken).toContain('listening --UNHASH--> unhashed');
    const close = explore({ variant: linux43, scenario: builtinScenario('listen-vs-close')!, properties: PROPERTIES });
    expect(close.coverage.lifecycleMovesNeverTaken).not.toContain('listening --UNHASH--> unhashed');
    expect(close.properties.filter((p) => p.verdict === 'violated')).toEqual([]);
  });
});
