// Mutants of the hash tables (inet_hashtables.c): the listening-hash insert, the SYN lookup and
// the bind bucket's release.

import { ADDR_ANY, IH_C } from '../kernel.ts';
import type { Kernel } from '../kernel-view.ts';
import type { Step } from '../program.ts';
import type { KernelVariant } from '../variant.ts';
import { CHAIN_READ, SCORE_READ, lookupStep } from '../common/steps.ts';
import { linux43 } from '../variants/linux-4.3/index.ts';
import { listenerScore } from '../variants/linux-4.3/hashtables.ts';
import { linux618 } from '../variants/linux-6.18/index.ts';
import { fp, reprotect, union } from '../footprint.ts';
import type { LockName } from '../program.ts';
import { applyMutation, told, type Edit, type Mutant, type Told } from './common.ts';

// Not in §7.3 — the listening-hash insert without its lock (4.3 __inet_hash, ih.c 436-440, under
// ilb->lock; 6.18 inet_hash, ih.c 795-807, under ilb2->lock): the socket is linked and the in-use
// counter bumped as a read-then-write pair. `hash-read-inuse` reads the counter into the thread's
// tmp local; `hash` links the socket and writes tmp + 1 back, so a concurrent hash is lost.
interface UnlockedHash extends Told {
  /** The function that takes the lock, its lines, and the lock. */
  fn: string;
  line: string;
  lock: string;
  /** The hash step's text. */
  text: string;
}

function lhashInsertWithoutLock(b: KernelVariant, p: UnlockedHash): Mutant {
  const readInuse: Step = {
    id: 'hash-read-inuse', fn: p.fn, file: IH_C, line: p.line,
    text: `n = prot->inuse  /* spin_lock(&${p.lock}) dropped */`, scope: 'shared', locks: { lock_sock: 'held' },
    footprint: fp('global.prot_inuse r plain'),
    run: (k, c) => { k.setTmp(c.t, k.inuse()); },
  };
  return applyMutation(b, {
    ...told('lhash-insert-without-lock', undefined, p, 'Two listeners hashed at once lose one counter update: /proc/net/sockstat and memory accounting undercount listeners.'),
    steps: ['hash-read-inuse', 'hash'],
    edits: [{
      program: 'listen', replace: 'hash', by: (hash) => [readInuse, {
        ...hash, blocked: undefined, locks: { lock_sock: 'held' },
        // The bucket's lock word is no longer read; every access it protected is plain now.
        footprint: reprotect((hash.footprint ?? []).filter((a) => a.at !== 'lhash.lock'), p.lock as LockName, 'plain'),
        text: p.text,
        run: (k, c) => {
          const was = k.isHashed(c.sk);
          const to = hash.run(k, c);
          if (!was && k.isHashed(c.sk)) k.addInuse(k.tmp(c.t) + 1 - k.inuse()); // the stale write
          return to;
        },
      }],
    }],
  });
}

const LHASH_INSERT_WITHOUT_LOCK = [
  lhashInsertWithoutLock(linux43, {
    fn: '__inet_hash', line: '436-439', lock: 'ilb->lock',
    text: '__sk_nulls_add_node_rcu(sk, &ilb->head); prot->inuse = n + 1  /* no ilb->lock */',
    change: '__inet_hash links the socket into its listening chain and updates the in-use counter without ilb->lock (ih.c 436-440), the counter as a read-then-write pair.',
  }),
  lhashInsertWithoutLock(linux618, {
    fn: 'inet_hash', line: '795-807', lock: 'ilb2->lock',
    text: 'err = sk->sk_prot->hash(sk)  /* inet_hash without ilb2->lock: chain insert, prot->inuse = n + 1 */',
    change: 'inet_hash joins the reuseport group, links the socket into its lhash2 chain and updates the in-use counter without ilb2->lock (ih.c 795-807), the counter as a read-then-write pair.',
  }),
];

// Not in §7.3 — the SYN lookup (4.3 ih.c 200-254, 6.18 ih.c 462-504) takes a TCP_LISTEN owner of
// the port's bind bucket instead of walking the listening hash, so it trusts the published
// sk_state, which the race window makes visible before get_port validated the port (the kernel
// comment at 4.3 icsk.c 808-812 calls the window harmless only because SYNs go by the listening
// hash). Each kernel's lookup keeps its own preference among the owners it finds.
function lookupTrustsSkState(b: KernelVariant, p: Told & { lookup: (k: Kernel, daddr: number, port: number) => number; line: string; text: string }): Mutant {
  const walk = b.programs.syn.steps.map((s) => s.id);
  return applyMutation(b, {
    ...told('lookup-trusts-sk-state', undefined, p, 'A SYN reaches a socket in the race window, whose port get_port has not validated and may refuse.'),
    steps: ['lookup'],
    // The kernel's chain walk, step by step, becomes one scan of the bind bucket's owners.
    edits: walk.map((id, i) => ({
      program: 'syn' as const, replace: id,
      by: (first: Step) => (i === 0 ? [lookupStep('__inet_lookup_listener', first.file, p.line, p.text, p.lookup, union(CHAIN_READ, SCORE_READ, fp('socket.bindHash r rcu any', 'socket.state r rcu any', 'socket.saddr r rcu any')))] : []),
    })),
  });
}

/** 4.3: the best score among the owners, as __inet_lookup_listener scores its chain. */
function lookupByState43(k: Kernel, daddr: number, port: number): number {
  let best = -1, hiscore = 0;
  for (let sk = 0; sk < k.L.sockets; sk++) {
    if (k.bindHash(sk) !== port || !k.isListen(sk)) continue; // M: was `k.lhash(sk) !== bucket`
    const score = listenerScore(k, sk, daddr);
    if (score > hiscore) { hiscore = score; best = sk; }
  }
  return best;
}

/** 6.18: the (daddr, port) owners first, then the 0.0.0.0 ones, as lhash2 is searched. */
function lookupByState618(k: Kernel, daddr: number, port: number): number {
  for (const addr of [daddr, ADDR_ANY]) {
    for (let sk = 0; sk < k.L.sockets; sk++) {
      if (k.bindHash(sk) === port && k.isListen(sk) && k.rcv_saddr(sk) === addr) return sk; // M: was `k.lhash(sk) === bucket`
    }
  }
  return -1;
}

const LOOKUP_TRUSTS_SK_STATE = [
  lookupTrustsSkState(linux43, {
    lookup: lookupByState43, line: '200-253',
    text: 'sk = __inet_lookup_listener(...)  /* M: owners of tb with sk_state == TCP_LISTEN, not the listening chain */',
    change: '__inet_lookup_listener finds listeners among the port\'s bind-bucket owners by sk_state == TCP_LISTEN instead of walking the listening hash (ih.c 200-254).',
  }),
  lookupTrustsSkState(linux618, {
    lookup: lookupByState618, line: '462-503',
    text: 'sk = __inet_lookup_listener(...)  /* M: owners of tb2[daddr:port], then tb2[0.0.0.0:port], with sk_state == TCP_LISTEN */',
    change: '__inet_lookup_listener finds listeners among the port\'s bind-bucket owners by sk_state == TCP_LISTEN instead of walking lhash2 (ih.c 462-504).',
  }),
];

// Not in §7.3 — __inet_put_port (4.3 ih.c 103-119, 6.18 ih.c 212-242) no longer calls
// inet_bind_bucket_destroy, so a bind bucket whose last owner left stays (6.18 still frees the
// tb2). Both put_port calls of close() change.
function keepEmptyBucket(id: string): Edit {
  return {
    program: 'close', patch: id, with: (step) => ({
      text: `${step.text}  /* __inet_put_port without inet_bind_bucket_destroy */`,
      footprint: union(step.footprint, fp('tb.exists rw head->lock', 'tb.fastreuse rw head->lock', 'tb.fastreuseport rw head->lock', 'tb.fastuid rw head->lock', 'tb.fastAddr rw head->lock')),
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
    }),
  };
}

function putPortKeepsEmptyBucket(b: KernelVariant, p: Told): Mutant {
  return applyMutation(b, {
    ...told('put-port-keeps-empty-bucket', undefined, p, 'Closed ports leak bind buckets; a bucket with no owners lingers in the bind hash.'),
    steps: ['put-port-autobound', 'destroy-put-port'],
    edits: [keepEmptyBucket('put-port-autobound'), keepEmptyBucket('destroy-put-port')],
  });
}

const PUT_PORT_KEEPS_EMPTY_BUCKET = [
  putPortKeepsEmptyBucket(linux43, {
    change: '__inet_put_port leaves the bind bucket in place when its last owner leaves (the inet_bind_bucket_destroy call of ih.c 103-119 is gone).',
  }),
  putPortKeepsEmptyBucket(linux618, {
    change: '__inet_put_port leaves the bind bucket in bhash when its last bind2 bucket goes (the inet_bind_bucket_destroy call of ih.c 212-242 is gone).',
  }),
];

export const HASHTABLE_MUTANTS: readonly Mutant[] = [
  ...LHASH_INSERT_WITHOUT_LOCK, ...LOOKUP_TRUSTS_SK_STATE, ...PUT_PORT_KEEPS_EMPTY_BUCKET,
];
