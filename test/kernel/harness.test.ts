// The real-kernel harness against known Linux 6.18 facts (shared/kernel-listen-path.md §5).
// Runs only on Linux; each case is a short sequential scenario in a private network namespace.

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Address, Op, Scenario, ScenarioSocket } from '../../model/scenario.ts';
import { runOnKernel } from '../../src/kernel/harness.ts';
import { ensurePrivateNetns } from '../../src/kernel/netns.ts';
import { runWitness } from '../../src/kernel/witness.ts';

const onLinux = process.platform === 'linux';
if (!onLinux) console.warn(`kernel harness tests skipped: they need Linux (this is ${process.platform})`);

type Flags = Pick<ScenarioSocket, 'reuseaddr' | 'reuseport'>;
const FLAG_SETS: Array<[string, Flags]> = [
  ['-', {}],
  ['RA', { reuseaddr: true }],
  ['RP', { reuseport: true }],
  ['RA+RP', { reuseaddr: true, reuseport: true }],
];

const bind = (sk: string, addr: Address = '127.0.0.1', port = 8080): Op => ({ op: 'bind', sk, addr, port });
const listen = (sk: string): Op => ({ op: 'listen', sk });

/** Runs ops one after another on sockets A and B and returns their results. */
function results(a: Flags, b: Flags, ops: Op[], extra: ScenarioSocket[] = []): string[] {
  const scenario: Scenario = { name: 'fact', sockets: [{ name: 'A', ...a }, { name: 'B', ...b }, ...extra], threads: [ops] };
  return runOnKernel(scenario).results.map((r) => r.result);
}

/** §5.1 closed-form rule for overlapping addresses: may B share A's port? */
function shares(a: Flags, b: Flags, aListening: boolean): boolean {
  const bothRP = !!(a.reuseport && b.reuseport);
  return aListening ? bothRP : bothRP || !!(a.reuseaddr && b.reuseaddr);
}
const rc = (ok: boolean) => (ok ? '0' : 'EADDRINUSE');

describe.skipIf(!onLinux)('kernel harness (Linux)', () => {
  it('runs in a private network namespace with lo up', () => {
    const ns = ensurePrivateNetns();
    expect(ns.private, ns.reason).toBe(true);
  });

  describe('§5.2 table, same address 127.0.0.1 and 0.0.0.0 vs 127.0.0.1', () => {
    for (const [an, a] of FLAG_SETS) {
      for (const [bn, b] of FLAG_SETS) {
        it(`A ${an}, B ${bn}`, () => {
          for (const [addrA, addrB] of [['127.0.0.1', '127.0.0.1'], ['0.0.0.0', '127.0.0.1']] as const) {
            // bind(B) while A is bound, then listen(A), then listen(B) if B got bound.
            const bound = results(a, b, [bind('A', addrA), bind('B', addrB), listen('A'), listen('B')]);
            expect(bound.slice(0, 3)).toEqual(['0', rc(shares(a, b, false)), '0']);
            expect(bound[3]).toBe(shares(a, b, false) ? rc(shares(a, b, true)) : '0'); // unbound B autobinds
            // bind(B) while A is listening.
            const listening = results(a, b, [bind('A', addrA), listen('A'), bind('B', addrB)]);
            expect(listening).toEqual(['0', '0', rc(shares(a, b, true))]);
          }
        });
      }
    }
  });

  it('127.0.0.1 and 127.0.0.2 never conflict, even with a listener and no flags', () => {
    expect(results({}, {}, [bind('A'), listen('A'), bind('B', '127.0.0.2'), listen('B')])).toEqual(['0', '0', '0', '0']);
  });

  it('a second bind() on a bound socket is EINVAL; listen() twice is 0', () => {
    expect(results({}, {}, [bind('A'), bind('A', '127.0.0.1', 9090), listen('A'), listen('A')])).toEqual(['0', 'EINVAL', '0', '0']);
  });

  it('listen() on an unbound socket autobinds an ephemeral port', () => {
    const run = runOnKernel({ name: 'autobind', sockets: [{ name: 'A' }], threads: [[listen('A')]] });
    expect(run.results[0]).toMatchObject({ result: '0', bound: { A: 'ephemeral' } });
  });

  it('different uids lose the SO_REUSEPORT escape', () => {
    const rp = { reuseport: true };
    const sockets: ScenarioSocket[] = [{ name: 'A', ...rp }, { name: 'B', ...rp, uid: 1000 }];
    const run = runOnKernel({ name: 'uids', sockets, threads: [[bind('A'), bind('B')]] });
    expect(run.results.map((r) => r.result)).toEqual(['0', 'EADDRINUSE']);
  });

  it('a syn reaches the listener and names it; the bound snapshot follows binds and closes', () => {
    const run = runOnKernel({
      name: 'syn',
      sockets: [{ name: 'A' }, { name: 'B' }],
      setup: [bind('A'), listen('A')],
      threads: [[{ op: 'syn', addr: '127.0.0.1', port: 8080 }, { op: 'syn', addr: '0.0.0.0', portOf: 'A' }, { op: 'close', sk: 'A' }]],
    });
    expect(run.results.map((r) => r.result)).toEqual(['0', '0', 'A', 'A', '0']);
    expect(run.results[1].bound).toEqual({ A: 8080 });
    expect(run.results[4].bound).toEqual({});
  });

  it('a syn to a port with no listener is ECONNREFUSED (bound but not listening too)', () => {
    const run = runOnKernel({
      name: 'refused',
      sockets: [{ name: 'A' }],
      setup: [bind('A')],
      threads: [[{ op: 'syn', addr: '127.0.0.1', port: 8080 }, { op: 'syn', addr: '127.0.0.1', port: 1 }]],
    });
    expect(run.results.map((r) => r.result)).toEqual(['0', 'ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('a syn for 127.0.0.2 goes to the wildcard listener, one for 127.0.0.1 to the exact one', () => {
    const rp = { reuseport: true };
    const run = runOnKernel({
      name: 'lookup',
      sockets: [{ name: 'W', ...rp }, { name: 'L', ...rp }],
      setup: [bind('W', '0.0.0.0'), bind('L', '127.0.0.1'), listen('W'), listen('L')],
      threads: [[{ op: 'syn', addr: '127.0.0.1', port: 8080 }, { op: 'syn', addr: '127.0.0.2', port: 8080 }]],
    });
    expect(run.results.map((r) => r.result)).toEqual(['0', '0', '0', '0', 'L', 'W']);
  });

  it('runs the threads in the given order', () => {
    const scenario: Scenario = {
      name: 'order',
      sockets: [{ name: 'A' }, { name: 'B' }],
      threads: [[bind('A')], [bind('B')]],
    };
    const first = runOnKernel(scenario, { order: [1] }).results;
    expect(first.map((r) => [r.thread, r.result])).toEqual([[1, '0'], [0, 'EADDRINUSE']]);
  });

  it('maps symbolic ports to port, port + 1, ... in ascending order when asked', () => {
    const run = runOnKernel(
      { name: 'ports', sockets: [{ name: 'A' }, { name: 'B' }], threads: [[bind('A', '127.0.0.1', 9), bind('B', '127.0.0.1', 3)]] },
      { port: 20000 },
    );
    expect(run.ports).toEqual({ 3: 20000, 9: 20001 });
    expect(run.results[1].bound).toEqual({ A: 9, B: 3 });
  });

  it('an op on a closed socket is EBADF', () => {
    expect(results({}, {}, [{ op: 'close', sk: 'A' }, listen('A'), { op: 'close', sk: 'A' }])).toEqual(['0', 'EBADF', 'EBADF']);
  });

  it('closes every descriptor it opened', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    results({ reuseport: true }, { reuseport: true }, [bind('A'), bind('B'), listen('A'), listen('B'), { op: 'syn', addr: '127.0.0.1', port: 8080 }]);
    expect(() => results({}, {}, [bind('A'), { op: 'bind', sk: 'nope', addr: '127.0.0.1', port: 1 }])).toThrow(/names socket "nope"/);
    expect(fds()).toBe(before);
    await runWitness(race, { trials: 50 });
    expect(fds()).toBe(before);
  });

  it('witness: two SO_REUSEADDR listen() calls racing never both succeed', async () => {
    const w = await runWitness(race, { trials: 2000 });
    expect(w.trials).toBe(2000);
    expect(w.leftoverSockets).toBe(0);
    const allowed = new Set(['0/EADDRINUSE', 'EADDRINUSE/0', 'EADDRINUSE/EADDRINUSE']);
    for (const { outcome } of w.outcomes) expect(allowed).toContain(`${outcome['0']}/${outcome['1']}`);
    expect(w.outcomes.reduce((n, o) => n + o.count, 0)).toBe(2000);
  });
});

const race: Scenario = {
  name: 'two-listeners',
  sockets: [{ name: 'A', reuseaddr: true }, { name: 'B', reuseaddr: true }],
  setup: [bind('A'), bind('B')],
  threads: [[listen('A')], [listen('B')]],
};
