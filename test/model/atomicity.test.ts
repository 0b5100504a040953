// Lipton's rule on every step of both kernels and every mutant (issue 9 item 2).
import { describe, expect, it } from 'vitest';
import { allVariants, KERNELS } from '../../model/registry.ts';
import { MUTANTS } from '../../model/mutants/index.ts';
import { atomicity, nonAtomicSteps } from '../../model/atomicity.ts';
import { fp } from '../../model/footprint.ts';

const offenders = (ids: readonly string[]) => allVariants().filter((v) => ids.includes(v.id))
  .flatMap((v) => nonAtomicSteps(Object.values(v.programs)).map((o) => `${v.id} ${o.step}`));

describe('atomicity (Lipton)', () => {
  it('passes every step of both kernels, the SYN lookup walked node by node included', () => {
    expect(offenders(KERNELS.map((k) => k.id))).toEqual([]);
  });

  it('fails exactly the mutant steps that drop a lock, and the mutant lookup made one step again', () => {
    const bad = offenders(MUTANTS.map((m) => m.id));
    expect([...bad].sort()).toEqual([
      // close-skips-unhash keeps the unhash step's lock declaration for a step that no longer runs under it.
      'linux-4.3/close-skips-unhash close/unhash',
      'linux-6.18/close-skips-unhash close/unhash',
      'linux-4.3/get-port-without-head-lock bind/get-port-scan',
      'linux-4.3/get-port-without-head-lock bind/get-port',
      'linux-4.3/get-port-without-head-lock listen/get-port-scan',
      'linux-4.3/get-port-without-head-lock listen/get-port',
      'linux-4.3/rollback-after-release-sock listen/rollback',
      'linux-4.3/lhash-insert-without-lock listen/hash',
      'linux-6.18/get-port-without-head-lock bind/get-port-scan',
      'linux-6.18/get-port-without-head-lock bind/get-port',
      'linux-6.18/get-port-without-head-lock listen/get-port-scan',
      'linux-6.18/get-port-without-head-lock listen/get-port',
      'linux-6.18/rollback-after-release-sock listen/rollback',
      'linux-6.18/lhash-insert-without-lock listen/hash',
      // lookup-trusts-sk-state scans the bind bucket's owners in one step: several unprotected reads.
      'linux-4.3/lookup-trusts-sk-state syn/lookup',
      'linux-6.18/lookup-trusts-sk-state syn/lookup',
    ].sort());
  });

  it('counts an access no other step can conflict with as a mover, and one kernel word spread over fields as one access', () => {
    const walk = { locks: { rcu_read_lock: 'held' as const }, footprint: fp('socket.num r plain any', 'socket.saddr r plain hashed') };
    // Strict (anything may conflict): two unprotected loads.
    expect(atomicity(walk).ok).toBe(false);
    // Only bind() writes the address, of a socket in no hash table: the load of a hashed one moves.
    const others = fp('socket.num w head->lock', 'socket.saddr w lock_sock unhashed');
    expect(atomicity(walk, others)).toEqual({ ok: true });
    // A writer of hashed sockets' addresses makes it a second non-mover again.
    expect(atomicity(walk, [...others, ...fp('socket.saddr w plain any')]).ok).toBe(false);
    const next = fp('socket.lhash r rcu any', 'socket.lhashNext r rcu any');
    expect(atomicity({ locks: {}, footprint: next }).ok).toBe(false);
    expect(atomicity({ locks: {}, footprint: next.map((a) => ({ ...a, unit: 'node->next' })) })).toEqual({ ok: true });
  });

  it('fails a deliberately coarse step: another socket\'s sk_state read plainly, the hash written without a lock', () => {
    const coarse = { locks: {}, footprint: fp('socket.state r plain hashed', 'socket.lhash w plain', 'global.prot_inuse rw plain') };
    const r = atomicity(coarse);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.rule).toMatch(/^4 unprotected shared accesses \(socket\.state r plain hashed; socket\.lhash w plain; global\.prot_inuse rw plain\)/);
  });

  it('allows one unprotected access between acquires and releases, not beside a critical section taken within', () => {
    expect(atomicity({ locks: { lock_sock: 'acquire' }, footprint: fp('socket.state r once') })).toEqual({ ok: true });
    expect(atomicity({ locks: { 'head->lock': 'within' }, footprint: fp('socket.state r plain', 'tb.exists w head->lock') }).ok).toBe(false);
    expect(atomicity({ locks: {}, footprint: fp('tb.exists w head->lock') })).toEqual({ ok: false, rule: 'declares tb.exists w head->lock but does not hold head->lock' });
  });
});
