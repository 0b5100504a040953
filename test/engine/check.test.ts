import { describe, expect, it } from 'vitest';
import { checkProperties } from '../../src/engine/check.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { BUILTIN_SCENARIOS, listenRace } from '../../src/scenarios/builtin.ts';
import { PROPERTIES, findProperty } from '../../properties/registry.ts';
import { compileSystem } from '../../model/system.ts';
import { runSchedule } from '../../src/engine/run.ts';

const base = { variant: linux43, properties: PROPERTIES, runs: 300, seed: 7, scheduler: 'random' as const, depth: 2, merge: true };

describe('check on linux-4.3', () => {
  const verdicts = checkProperties({ ...base, scenarios: BUILTIN_SCENARIOS, generated: true });
  const byId = Object.fromEntries(verdicts.map((v) => [v.id, v]));

  it('finds every property holding except the documented kernel behaviours', () => {
    const unexpected = verdicts.filter((v) => v.verdict !== 'holds' && v.verdict !== 'violated as expected');
    expect(unexpected.map((v) => `${v.id}: ${v.verdict} ${v.counterexample?.message ?? ''}`)).toEqual([]);
    expect(byId['some-concurrent-listener-succeeds'].verdict).toBe('violated as expected');
    expect(byId['hashed-implies-validated'].verdict).toBe('holds');
    expect(byId['hashed-implies-validated'].runs).toBeGreaterThan(300);
  });

  it('shrinks the both-fail race to its essence: both publish, then both get_port fail before either rollback', () => {
    const cx = byId['some-concurrent-listener-succeeds'].counterexample!;
    expect(cx.scenario.name).toBe('listen-race-2');
    expect(cx.run.results).toEqual({ T0: ['EADDRINUSE'], T1: ['EADDRINUSE'] });
    const order = cx.run.trace.filter((s) => ['publish-listen', 'get-port', 'rollback'].includes(s.stepId)).map((s) => `${s.thread}:${s.stepId}`);
    expect(order.slice(0, 2).every((s) => s.endsWith('publish-listen'))).toBe(true);
    expect(order.slice(2, 4).every((s) => s.endsWith('get-port'))).toBe(true);
    expect(order.slice(4).every((s) => s.endsWith('rollback'))).toBe(true);
    // During both get_ports, both sockets are in the race window.
    expect(cx.run.trace.filter((s) => s.stepId === 'get-port').every((s) => s.raceWindow.length === 2)).toBe(true);
    // Shrunk: at most five context switches.
    expect(cx.schedule.length).toBeLessThanOrEqual(5);
  });

  it('replays a counterexample from its seed and path', () => {
    const cx = byId['some-concurrent-listener-succeeds'].counterexample!;
    const again = checkProperties({ ...base, scenarios: [listenRace(2)], generated: false, properties: [findProperty('some-concurrent-listener-succeeds')!], seed: cx.seed, path: cx.path });
    expect(again[0].counterexample!.schedule).toEqual(cx.schedule);
    expect(again[0].counterexample!.run.trace).toEqual(cx.run.trace);
  });

  it('is deterministic for a seed', () => {
    const a = checkProperties({ ...base, scenarios: [listenRace(2)], generated: false, runs: 200 });
    const b = checkProperties({ ...base, scenarios: [listenRace(2)], generated: false, runs: 200 });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('never lets two SO_REUSEADDR listeners both succeed, in any schedule tried', () => {
    const sys = compileSystem(listenRace(3), linux43);
    for (let i = 0; i < 300; i++) {
      const schedule = Array.from({ length: 6 }, (_, j) => ({ thread: (i * 7 + j * 3) % 3, steps: 1 + ((i + j) % 3) }));
      const r = runSchedule(sys, schedule, { properties: PROPERTIES.filter((p) => p.id !== 'some-concurrent-listener-succeeds') });
      expect(r.violation).toBeNull();
      expect(Object.values(r.results).filter((x) => x[0] === '0').length).toBeLessThanOrEqual(1);
    }
  });
});
