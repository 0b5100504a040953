// The bind hash and the listening hash, Linux 4.3 (net/ipv4/inet_hashtables.c).
// Each function is one critical section the model runs as a single atomic step.

import type { Kernel } from '../../kernel-view.ts';
import { TCP_CLOSE, TCP_LISTEN } from '../../kernel.ts';
import { destroyBindBucket } from '../../common/tables.ts';

/** inet_bind_hash (ih.c 91-98): set inet_num, join tb->owners. */
export function inetBindHash(k: Kernel, sk: number, port: number): void {
  k.set_inet_num(sk, port);
  k.setBindHash(sk, port);
}

/** __inet_put_port (ih.c 103-119): leave tb->owners, inet_num = 0, free tb when it is empty. */
export function inetPutPort(k: Kernel, sk: number): void {
  const port = k.bindHash(sk);
  if (port < 0) return;
  k.setBindHash(sk, -1);
  k.set_inet_num(sk, -1);
  if (!k.hasOwners(port)) destroyBindBucket(k, port);
}


/**
 * inet_hash -> __inet_hash (ih.c 426-452): a LISTEN socket joins the head of its port's chain
 * under ilb->lock and the in-use counter goes up. It cannot fail (returns 0). A TCP_CLOSE socket is left
 * alone (ih.c 446); other states go to ehash, which the model does not need.
 */
export function inetHash(k: Kernel, sk: number, bucket: number): 0 {
  if (k.get_sk_state(sk) === TCP_CLOSE) return 0;
  if (k.get_sk_state(sk) !== TCP_LISTEN || k.isHashed(sk)) return 0;
  k.setLhash(sk, bucket);
  k.addInuse(1);
  return 0;
}

/** inet_unhash (ih.c 454-474): leave the listening chain under ilb->lock, in-use down. */
export function inetUnhash(k: Kernel, sk: number): void {
  if (!k.isHashed(sk)) return;
  k.setLhash(sk, -1);
  k.addInuse(-1);
}

/**
 * __inet_lookup_listener (ih.c 200-254): score every socket in the port's listening chain:
 * 2 for AF_INET, +4 for an exact address match, excluded when bound to another address.
 * Returns the best socket, or -1. Among equal scores the kernel samples pseudo-randomly by the
 * 4-tuple hash when the best has SO_REUSEPORT; the model takes the lowest-numbered one.
 */
export function lookupListener(k: Kernel, daddr: number, port: number, bucket: number): number {
  let best = -1, hiscore = 0;
  for (let sk = 0; sk < k.L.sockets; sk++) {
    if (k.lhash(sk) !== bucket || k.inet_num(sk) !== port) continue;
    const score = listenerScore(k, sk, daddr);
    if (score > hiscore) { hiscore = score; best = sk; }
  }
  return best;
}

/** compute_score of 4.3 for a candidate: 2 for AF_INET, +4 on an exact address, -1 if bound elsewhere. */
export function listenerScore(k: Kernel, sk: number, daddr: number): number {
  const saddr = k.rcv_saddr(sk);
  if (saddr === 0) return 2;
  return saddr === daddr ? 6 : -1;
}
