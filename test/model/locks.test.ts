// Every step of every variant (kernels and mutants) declares the locks it takes, holds or drops,
// and the declaration agrees with its `blocked` guard: a step waits for exactly the locks it says
// it acquires or takes inside it.
import { describe, expect, it } from 'vitest';
import { Kernel } from '../../model/kernel-view.ts';
import type { LockName, Step } from '../../model/program.ts';
import { allVariants } from '../../model/registry.ts';
import { compileSystem } from '../../model/system.ts';
import { PROGRAM_NAMES, type Variant } from '../../model/variant.ts';

const takes = (s: Step, locks: readonly LockName[]) => locks.some((l) => s.locks[l] === 'acquire' || s.locks[l] === 'within');

/** A kernel in which socket 0 is bound to port 0 and hashed, and thread 1 holds the given locks everywhere. */
function kernelWith(v: Variant, held: 'none' | 'sock' | 'head' | 'listen'): Kernel {
  const sys = compileSystem({ name: 'locks', sockets: [{ name: 'A' }, { name: 'B' }], threads: [[], []] }, v);
  const k = new Kernel(sys.L, sys.socks, sys.ephemeral, sys.init.slice());
  k.set_inet_num(0, 0);
  k.setLhash(0, v.listenBucket(0, 0, k.L.addrs));
  if (held === 'sock') k.setLockOwner(0, 1);
  for (let p = 0; held === 'head' && p < k.L.ports; p++) k.setHeadLock(p, 1);
  for (let b = 0; held === 'listen' && b < k.L.ports * k.L.addrs; b++) k.setListenLock(b, 1);
  return k;
}

const CTX = { t: 0, sk: 0, addr: 0, port: 0, backlog: 1, portOf: -1 };

describe('the locks each step declares', () => {
  const variants = allVariants();

  it('are declared by every step of every variant, and a program that holds or drops lock_sock also takes it', () => {
    expect(variants.length).toBeGreaterThan(30);
    for (const v of variants) {
      for (const name of PROGRAM_NAMES) {
        const steps = v.programs[name].steps;
        for (const s of steps) expect(s.locks, `${v.id} ${name} ${s.id}`).toBeTypeOf('object');
        const usesSockLock = steps.some((s) => s.locks.lock_sock === 'held' || s.locks.lock_sock === 'release');
        if (usesSockLock) expect(steps.some((s) => s.locks.lock_sock === 'acquire'), `${v.id} ${name}`).toBe(true);
      }
    }
  });

  it('agree with each step\'s blocked guard: it waits for lock_sock, the head lock or a listening bucket lock exactly when it declares taking it', () => {
    const cases = [
      { held: 'sock', locks: ['lock_sock'] },
      { held: 'head', locks: ['head->lock'] },
      { held: 'listen', locks: ['ilb->lock', 'ilb2->lock'] },
    ] as const;
    let waits = 0;
    for (const v of variants) {
      const free = kernelWith(v, 'none');
      const busy = cases.map((c) => ({ ...c, k: kernelWith(v, c.held) }));
      for (const name of PROGRAM_NAMES) {
        for (const s of v.programs[name].steps) {
          const where = `${v.id} ${name} ${s.id}`;
          expect(s.blocked?.(free, CTX) ?? false, `${where} with no lock held`).toBe(false);
          for (const c of busy) {
            const blocked = s.blocked?.(c.k, CTX) ?? false;
            expect(blocked, `${where} while another thread holds ${c.held}`).toBe(takes(s, c.locks));
            if (blocked) waits++;
          }
        }
      }
    }
    expect(waits).toBeGreaterThan(100);
  });

  it('name the lock each kernel uses for its listening bucket: ilb on 4.3, ilb2 on 6.18', () => {
    for (const v of variants) {
      const hash = v.programs.listen.steps.find((s) => s.id === 'hash')!;
      if (hash.blocked === undefined) continue; // lhash-insert-without-lock
      expect(Object.keys(hash.locks), v.id).toContain(v.kernel === '4.3' ? 'ilb->lock' : 'ilb2->lock');
    }
  });
});
