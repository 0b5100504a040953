// The SYN lookup walked node by node under RCU (issue 9 item 3): chain order and the kept next
// pointer of an unhashed node, the walks of both kernels between a listen() and a close(), the
// outcome property "a SYN is never refused while some listener covers its address" and what
// syn-finds-validated-listener means now.

import { describe, expect, it } from 'vitest';
import type { Scenario } from '../../model/scenario.ts';
import { compileSystem, transition, type System } from '../../model/system.ts';
import { Kernel } from '../../model/kernel-view.ts';
import { RES_ECONNREFUSED, RES_SYN_TO } from '../../model/kernel.ts';
import { SK, skOff } from '../../model/state.ts';
import type { Variant } from '../../model/variant.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { linux618 } from '../../model/variants/linux-6.18/index.ts';
import { runSchedule } from '../../src/engine/run.ts';
import { explore } from '../../src/explore/explore.ts';
import { builtinScenario } from '../../src/scenarios/builtin.ts';
import { findProperty, PROPERTIES } from '../../properties/registry.ts';

const COVERED = findProperty('syn-not-refused-while-covered')!;
const FOUND = findProperty('syn-finds-validated-listener')!;
const T0 = 0, T1 = 1;

/** A fresh kernel view on a system's initial state. */
const start = (sys: System) => new Kernel(sys.L, sys.socks, sys.ephemeral, sys.init.slice());
/** Runs thread t one step at a time (no merging) `n` times, or until it cannot move. */
function steps(sys: System, k: Kernel, t: number, n = Infinity): string[] {
  const ran: string[] = [];
  for (let i = 0; i < n; i++) {
    if (transition(sys, k, t, false, (step) => { ran.push(step.id); return true; }) === 0) break;
  }
  return ran;
}
/** Runs thread t until its next step is `id` (not running it). */
function until(sys: System, k: Kernel, t: number, id: string): void {
  for (;;) {
    const plan = sys.threads[t], op = k.opIndex(t);
    if (op >= plan.ops.length) throw new Error(`thread ${t} finished before ${id}`);
    if (plan.programs[op].steps[k.pc(t)].id === id) return;
    steps(sys, k, t, 1);
  }
}
const sk = (sys: System, name: string) => sys.names.sockets.indexOf(name);

describe('listening chains in RCU order', () => {
  // Three listeners on one 4.3 chain: A first, then B, then C; C is at the head.
  const three: Scenario = {
    name: 'three-on-a-chain',
    sockets: [{ name: 'A', reuseport: true }, { name: 'B', reuseport: true }, { name: 'C', reuseport: true }],
    setup: ['A', 'B', 'C'].flatMap((s) => [{ op: 'bind' as const, sk: s, addr: '127.0.0.1' as const, port: 8080 }, { op: 'listen' as const, sk: s }]),
    threads: [[{ op: 'close', sk: 'B' }, { op: 'close', sk: 'A' }], [{ op: 'syn', addr: '127.0.0.1', port: 8080 }]],
  };

  it('puts the newest listener at the head and links the chain newest first', () => {
    const sys = compileSystem(three, linux43), k = start(sys);
    const [a, b, c] = ['A', 'B', 'C'].map((n) => sk(sys, n));
    expect(k.chainHead(k.lhash(a))).toBe(c);
    expect([k.chainNext(c), k.chainNext(b), k.chainNext(a)]).toEqual([b, a, -1]);
  });

  it('keeps an unhashed node\'s next, so a walker standing on it goes on past nodes unhashed after it', () => {
    const sys = compileSystem(three, linux43), k = start(sys);
    const [a, b, c] = ['A', 'B', 'C'].map((n) => sk(sys, n));
    k.setLhash(b, -1); // B leaves while a walker may stand on it: its next is still A
    expect(k.chainNext(c)).toBe(a);
    expect(k.chainNext(b)).toBe(a);
    k.setLhash(a, -1); // A leaves after B: B's kept next still leads to A, A's to the end
    expect(k.chainNext(b)).toBe(a);
    expect(k.chainNext(a)).toBe(-1);
    expect(k.chainNext(c)).toBe(-1);
  });

  it('stamps nothing and keeps no next in a scenario without a SYN: the fields stay 0 and cost no state', () => {
    const sys = compileSystem({ ...three, threads: [[{ op: 'close', sk: 'B' }]] }, linux43), k = start(sys);
    expect(sys.L.chainOrder).toBe(false);
    steps(sys, k, T0);
    for (let i = 0; i < sys.L.sockets; i++) {
      expect(k.s[skOff(sys.L, i, SK.lhashSeq)]).toBe(0);
      expect(k.s[skOff(sys.L, i, SK.lhashNext)]).toBe(0);
    }
  });
});

describe('syn-two-walks and syn-chain-ahead: a SYN reset although a listener existed throughout', () => {
  for (const [variant, name] of [[linux618, 'syn-two-walks'], [linux43, 'syn-two-walks'], [linux43, 'syn-chain-ahead'], [linux618, 'syn-chain-ahead']] as [Variant, string][]) {
    it(`${variant.id} ${name}: the outcome set has the reset, and the property is violated as expected with a replaying counterexample`, () => {
      const scenario = builtinScenario(name)!;
      const r = explore({ variant, scenario, properties: PROPERTIES, outcomes: true });
      expect(r.truncated).toBe(false);
      const outcomes = r.outcomes!.map((o) => `${o.returns.T0.join(' ')} | ${o.returns.T1.join(' ')} | ${o.listening.join(',')}`);
      expect(outcomes).toContain(`0 0 | ECONNREFUSED | ${name === 'syn-chain-ahead' ? 'X,S' : 'S'}`);
      // The reset is named as such; the other outcomes (the SYN reaches S or W) break nothing.
      for (const o of r.outcomes!) expect(o.violates.map((x) => x.id)).toEqual(o.returns.T1[0] === 'ECONNREFUSED' ? [COVERED.id] : []);
      const v = r.properties.find((p) => p.id === COVERED.id)!;
      expect(v.verdict).toBe('violated as expected');
      const cx = v.counterexample!;
      // The counterexample replays and ends with the SYN refused and the ghost set.
      const again = runSchedule(compileSystem(scenario, variant), cx.schedule, { properties: [COVERED], trace: true });
      expect(again.violation?.propertyId).toBe(COVERED.id);
      expect(again.results.T1).toEqual(['ECONNREFUSED']);
      expect(again.trace.at(-1)).toMatchObject({ thread: 'T1', returned: 'ECONNREFUSED' });
      // Every other property keeps its verdict: nothing else is violated on these scenarios.
      expect(r.properties.filter((p) => p.verdict !== 'holds' && p.verdict !== 'not applicable').map((p) => p.id)).toEqual([COVERED.id]);
    });
  }

  it('6.18: the SYN misses S in the first walk and W in the second', () => {
    const sys = compileSystem(builtinScenario('syn-two-walks')!, linux618), k = start(sys);
    expect(steps(sys, k, T1, 1)).toEqual(['lookup-begin']); // lhash2[127.0.0.1:8080] is empty: S not hashed yet
    steps(sys, k, T0); // S listens, W closes
    expect(steps(sys, k, T1)).toEqual(['lookup-any', 'lookup-done']); // lhash2[0.0.0.0:8080] is empty now
    expect(k.result(T1, 0)).toBe(RES_ECONNREFUSED);
    expect(k.refusedCovered(T1)).toBe(true);
  });

  it('4.3 with X ahead of W: the walker stands on X, and once W is unhashed X\'s next is the chain\'s end', () => {
    const sys = compileSystem(builtinScenario('syn-chain-ahead')!, linux43), k = start(sys);
    expect(steps(sys, k, T1, 1)).toEqual(['lookup-begin']);
    expect(k.walkNode(T1)).toBe(sk(sys, 'X'));
    steps(sys, k, T0);
    // One visit (X scores -1 for 127.0.0.1), no node after it: W is never scored, S never seen.
    expect(steps(sys, k, T1)).toEqual(['lookup-score', 'lookup-next', 'lookup-done']);
    expect(k.result(T1, 0)).toBe(RES_ECONNREFUSED);
    expect(k.refusedCovered(T1)).toBe(true);
  });

  it('4.3: a best socket freed by close() before the refcount is taken gives NULL, with no second walk', () => {
    const sys = compileSystem(builtinScenario('syn-two-walks')!, linux43), k = start(sys);
    steps(sys, k, T1, 3); // reads W from the head, scores it (the best so far), finds the chain's end
    expect(k.walkBest(T1)).toBe(sk(sys, 'W'));
    steps(sys, k, T0); // S listens, W closes to the last sock_put
    expect(steps(sys, k, T1)).toEqual(['lookup-hold', 'lookup-done']);
    expect(k.result(T1, 0)).toBe(RES_ECONNREFUSED);
  });

  it('4.3: a best socket whose port close() released, not yet freed, scores lower: the walk starts again from the head, where only S is left', () => {
    const sys = compileSystem(builtinScenario('syn-two-walks')!, linux43), k = start(sys);
    steps(sys, k, T1, 4); // scores W, reaches the chain's end, takes W's refcount
    until(sys, k, T0, 'sock-put'); // S listens; W's close releases the port but has not put its last reference
    expect(steps(sys, k, T1)).toEqual(['lookup-rescore', 'lookup-restart', 'lookup-score', 'lookup-next', 'lookup-hold', 'lookup-rescore', 'lookup-done']);
    expect(k.result(T1, 0)).toBe(RES_SYN_TO + sk(sys, 'S'));
  });
});

describe('syn-finds-validated-listener, now', () => {
  it('6.18: a listener unhashed after the walker reached it can be the SYN\'s result, and the property holds', () => {
    const scenario = builtinScenario('syn-two-walks')!;
    const sys = compileSystem(scenario, linux618), k = start(sys);
    steps(sys, k, T1, 1); // first pass: nothing
    steps(sys, k, T1, 1); // lookup-any: reads W from lhash2[0.0.0.0:8080]
    expect(k.walkNode(T1)).toBe(sk(sys, 'W'));
    until(sys, k, T0, 'unhash');
    steps(sys, k, T0, 1); // W unhashed and out of its reuseport group, its port still held
    expect(steps(sys, k, T1)).toEqual(['lookup-score', 'lookup-reuseport', 'lookup-next', 'lookup-done']);
    expect(k.result(T1, 0)).toBe(RES_SYN_TO + sk(sys, 'W'));
    expect(k.isHashed(sk(sys, 'W'))).toBe(false);
    const op = scenario.threads[1][0];
    if (FOUND.kind !== 'postcondition') throw new Error('syn-finds-validated-listener is a postcondition');
    expect(FOUND.check(k, sys, op, sys.threads[T1].ctx[0], k.result(T1, 0))).toBeNull();
  });

  it('still refuses a socket that was never in the listening hash', () => {
    const sys = compileSystem(builtinScenario('syn-two-walks')!, linux618), k = start(sys);
    const s = sk(sys, 'S'); // bound, never listened
    if (FOUND.kind !== 'postcondition') throw new Error('syn-finds-validated-listener is a postcondition');
    expect(FOUND.check(k, sys, { op: 'syn', addr: '127.0.0.1', port: 8080 }, sys.threads[T1].ctx[0], RES_SYN_TO + s)).toMatch(/was never in the listening hash/);
  });
});
