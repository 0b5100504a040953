// Mutants of the hash tables (inet_hashtables.c): the listening-hash insert, the SYN lookup and
// the bind bucket's release.

import { IH_C } from '../kernel.ts';
import type { Kernel } from '../kernel-view.ts';
import { findStep, patchStep, replaceStep, type Program, type Step } from '../program.ts';
import { synProgram, listenBucket43 } from '../variants/linux-4.3/programs.ts';
import { BASE, mutant43 } from './common.ts';

// Not in §7.3 — ih.c 436-440: __inet_hash links the socket and bumps the in-use counter as a
// read-then-write pair without ilb->lock. `hash-read-inuse` reads the counter into the thread's
// tmp local; `hash` links the socket and writes tmp + 1 back, so a concurrent hash is lost.
const hash = findStep(BASE.programs.listen, 'hash');
const readInuse: Step = {
  id: 'hash-read-inuse', fn: '__inet_hash', file: IH_C, line: '436-439',
  text: 'n = prot->inuse  /* spin_lock(&ilb->lock) dropped */', scope: 'shared',
  run: (k, c) => { k.setTmp(c.t, k.inuse()); },
};

export const lhashInsertWithoutLock = mutant43({
  id: 'lhash-insert-without-lock',
  change: '__inet_hash links the socket into its listening chain and updates the in-use counter without ilb->lock (ih.c 436-440), the counter as a read-then-write pair.',
  effect: 'Two listeners hashed at once lose one counter update: /proc/net/sockstat and memory accounting undercount listeners.',
  steps: ['hash-read-inuse', 'hash'],
  programs: {
    listen: replaceStep(BASE.programs.listen, 'hash', [readInuse, {
      ...hash, blocked: undefined,
      text: '__sk_nulls_add_node_rcu(sk, &ilb->head); prot->inuse = n + 1  /* no ilb->lock */',
      run: (k, c) => {
        const was = k.isHashed(c.sk);
        const to = hash.run(k, c);
        if (!was && k.isHashed(c.sk)) k.addInuse(k.tmp(c.t) + 1 - k.inuse()); // the stale write
        return to;
      },
    }]),
  },
});

// Not in §7.3 — ih.c 200-254: the SYN lookup takes any TCP_LISTEN owner of the port's bind bucket
// instead of walking the listening chain, so it trusts the published sk_state, which the race
// window makes visible before get_port validated the port (the kernel comment at icsk.c 808-811
// calls the window harmless only because SYNs go by the listening hash).
function lookupByState(k: Kernel, daddr: number, port: number, _bucket: number): number {
  let best = -1, hiscore = 0;
  for (let sk = 0; sk < k.L.sockets; sk++) {
    if (k.bindHash(sk) !== port || !k.isListen(sk)) continue; // M: was `k.lhash(sk) !== bucket`
    let score = 2;
    const saddr = k.rcv_saddr(sk);
    if (saddr !== 0) {
      if (saddr !== daddr) continue;
      score += 4;
    }
    if (score > hiscore) { hiscore = score; best = sk; }
  }
  return best;
}

export const lookupTrustsSkState = mutant43({
  id: 'lookup-trusts-sk-state',
  change: '__inet_lookup_listener finds listeners among the port\'s bind-bucket owners by sk_state == TCP_LISTEN instead of walking the listening hash (ih.c 200-254).',
  effect: 'A SYN reaches a socket in the race window, whose port get_port has not validated and may refuse.',
  steps: ['lookup'],
  programs: {
    syn: patchStep(synProgram(listenBucket43, lookupByState), 'lookup', {
      text: 'sk = __inet_lookup_listener(...)  /* M: owners of tb with sk_state == TCP_LISTEN, not the listening chain */',
    }),
  },
});

// Not in §7.3 — ih.c 103-119: __inet_put_port no longer frees a bind bucket whose last owner left
// (inet_bind_bucket_destroy is not called). Both put_port calls of close() change.
function keepEmptyBucket(p: Program, id: string): Program {
  const step = findStep(p, id);
  return patchStep(p, id, {
    text: `${step.text}  /* __inet_put_port without inet_bind_bucket_destroy */`,
    run: (k, c) => {
      const port = k.bindHash(c.sk);
      if (port < 0) return step.run(k, c);
      const tb = [k.fastreuse(port), k.fastreuseport(port), k.fastuid(port), k.fastAddr(port)];
      const to = step.run(k, c);
      if (!k.tbExists(port)) {
        // The bucket stays, with its fast flags as they were.
        k.setTbExists(port, true);
        k.setFastreuse(port, tb[0]); k.setFastreuseport(port, tb[1]); k.setFastuid(port, tb[2]); k.setFastAddr(port, tb[3]);
      }
      return to;
    },
  });
}

export const putPortKeepsEmptyBucket = mutant43({
  id: 'put-port-keeps-empty-bucket',
  change: '__inet_put_port leaves the bind bucket in place when its last owner leaves (the inet_bind_bucket_destroy call of ih.c 103-119 is gone).',
  effect: 'Closed ports leak bind buckets; a bucket with no owners lingers in the bind hash.',
  steps: ['put-port-autobound', 'destroy-put-port'],
  programs: { close: keepEmptyBucket(keepEmptyBucket(BASE.programs.close, 'put-port-autobound'), 'destroy-put-port') },
});

export const HASHTABLE_MUTANTS = [lhashInsertWithoutLock, lookupTrustsSkState, putPortKeepsEmptyBucket];
