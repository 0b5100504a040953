// The bind hash and the listening hash, Linux 4.3 (net/ipv4/inet_hashtables.c).
// Each function is one critical section the model runs as a single atomic step.

import type { Kernel } from '../../kernel-view.ts';
import { TCP_CLOSE, TCP_LISTEN } from '../../kernel.ts';
import { destroyBindBucket, joinBindBucket, leaveBindBucket } from '../../common/tables.ts';

/** inet_bind_hash (ih.c 91-98): set inet_num, join tb->owners. */
export function inetBindHash(k: Kernel, sk: number, port: number): void {
  joinBindBucket(k, sk, port);
}

/** __inet_put_port (ih.c 103-119): leave tb->owners, inet_num = 0, free tb when it is empty. */
export function inetPutPort(k: Kernel, sk: number): void {
  const port = leaveBindBucket(k, sk);
  if (port >= 0 && !k.hasOwners(port)) destroyBindBucket(k, port);
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
 * compute_score (ih.c 167-189) of a chain node for a SYN to daddr:port: -1 unless bound to the
 * port, then listenerScore. Read from the node as it is now: a node unhashed under a walker keeps
 * its fields until close() releases the port (inet_num = 0, ih.c 116).
 */
export function computeScore43(k: Kernel, sk: number, daddr: number, port: number): number {
  return k.inet_num(sk) === port ? listenerScore(k, sk, daddr) : -1;
}

/** compute_score of 4.3 for a candidate: 2 for AF_INET, +4 on an exact address, -1 if bound elsewhere. */
export function listenerScore(k: Kernel, sk: number, daddr: number): number {
  const saddr = k.rcv_saddr(sk);
  if (saddr === 0) return 2;
  return saddr === daddr ? 6 : -1;
}
