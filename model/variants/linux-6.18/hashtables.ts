// The bind hashes (bhash: tb per port; bhash2: tb2 per port and address), the listening hash
// lhash2 (one bucket per address and port) and reuseport groups, Linux 6.18
// (net/ipv4/inet_hashtables.c, net/core/sock_reuseport.c; shared/kernel-listen-path.md §1.2-1.4,
// §3.5, §3.6, §3.8, §3.9). Each exported function is one critical section the model runs as a
// single atomic step. Line numbers: 6.18.2.
//
// The model keeps no tb2 fast flags (icsk.c 506-507 copies them): only the connect()-only reset
// of §8 B18 reads them, and the model has no connect().

import type { Kernel } from '../../kernel-view.ts';
import { TCP_CLOSE, TCP_LISTEN } from '../../kernel.ts';
import { destroyBindBucket, joinBindBucket, leaveBindBucket } from '../../common/tables.ts';

/** The lhash2 bucket of a listener bound to (port, address): hashed by both (§1.3). */
export function listenBucket618(port: number, addr: number, addrs: number): number {
  return port * addrs + addr;
}

// ---- bhash / bhash2 ------------------------------------------------------------------------

/** tb->bhash2 is non-empty: some tb2 of the port exists (tb has no owners list since §8 B17). */
export function tbHasBhash2(k: Kernel, port: number): boolean {
  for (let a = 0; a < k.L.addrs; a++) if (k.tb2Exists(k.tb2Index(port, a))) return true;
  return false;
}

/** tb2->owners is non-empty. */
function tb2HasOwners(k: Kernel, tb2: number): boolean {
  for (let sk = 0; sk < k.L.sockets; sk++) if (k.bind2Hash(sk) === tb2) return true;
  return false;
}

/** inet_bind_bucket_create: a new tb, both fast flags 0, no tb2 yet. */
export function inetBindBucketCreate(k: Kernel, port: number): void {
  k.setTbExists(port, true);
  k.setFastreuse(port, 0);
  k.setFastreuseport(port, 0);
}

/**
 * inet_bind2_bucket_create -> inet_bind2_bucket_init: the new tb2 is linked into the bhash2 chain
 * AND into tb->bhash2 at once. So once get_port has created it, tb->bhash2 is never empty.
 */
export function inetBind2BucketCreate(k: Kernel, tb2: number): void {
  k.setTb2Exists(tb2, true);
}

/** inet_bind2_bucket_destroy (ih.c 166-185): freed only when it has no owners. */
export function inetBind2BucketDestroy(k: Kernel, tb2: number): void {
  if (!tb2HasOwners(k, tb2)) k.setTb2Exists(tb2, false);
}

/** inet_bind_bucket_destroy (ih.c 96-114): freed only when tb->bhash2 is empty. */
export function inetBindBucketDestroy(k: Kernel, port: number): void {
  if (!tbHasBhash2(k, port)) destroyBindBucket(k, port);
}

/** inet_bind_hash (ih.c 200-207): inet_num, icsk_bind_hash = tb, icsk_bind2_hash = tb2, join tb2->owners. */
export function inetBindHash(k: Kernel, sk: number, port: number, tb2: number): void {
  joinBindBucket(k, sk, port);
  k.setBind2Hash(sk, tb2);
}

/**
 * __inet_put_port (ih.c 212-242), under the head lock and then the head2 lock: clear
 * icsk_bind_hash and inet_num, leave tb2->owners, free tb2 if it is empty, free tb if it has no
 * tb2 left. (The SOCK_CONNECT_BIND clearing and the -1 "connect-only" resets of §8 B18 need
 * connect(), which the model does not have.)
 */
export function inetPutPort(k: Kernel, sk: number): void {
  const port = leaveBindBucket(k, sk);
  if (port < 0) return;
  const tb2 = k.bind2Hash(sk);
  if (tb2 >= 0) {
    k.setBind2Hash(sk, -1);
    inetBind2BucketDestroy(k, tb2);
  }
  inetBindBucketDestroy(k, port);
}

// ---- reuseport groups (net/core/sock_reuseport.c) -------------------------------------------
// A group is named by the index of the socket that created it; sk_reuseport_cb is k.group(sk).

/** num_socks of a group: the sockets whose sk_reuseport_cb is it. */
export function groupSize(k: Kernel, g: number): number {
  let n = 0;
  for (let sk = 0; sk < k.L.sockets; sk++) if (k.group(sk) === g) n++;
  return n;
}

/**
 * reuseport_alloc (reuseport.c 188-244): a one-member group, unless the socket has one already
 * (then nothing to do). Its ENOMEM (kzalloc, ida_alloc) is not modelled, nor the resurrection of
 * a group with closed members (needs migration, §8 B9).
 */
function reuseportAlloc(k: Kernel, sk: number): number {
  if (k.group(sk) < 0) k.setGroup(sk, sk);
  return 0;
}

/**
 * reuseport_add_sock (reuseport.c 320-366): join sk2's group (creating it if sk2 has none).
 *
 * Its failures are not modelled. ENOMEM (growing the array) is assumed not to happen. EBUSY ("sk
 * already belongs to another group of more than one socket") is unreachable with bind, listen,
 * close and syn: a socket that reaches inet_hash from listen() has no group (groups are joined
 * here and left at unhash), so the old group it would need exists only after
 * SO_ATTACH_REUSEPORT_[CE]BPF (a one-member group, which passes) or shutdown() with migration
 * (closed members: the resurrect branch, 368-425, runs before the EBUSY test). Neither is modelled.
 */
function reuseportAddSock(k: Kernel, sk: number, sk2: number): number {
  if (k.group(sk2) < 0) {
    const err = reuseportAlloc(k, sk2);
    if (err) return err;
  }
  k.setGroup(sk, k.group(sk2)); // an old one-member group of sk would be freed (call_rcu)
  return 0;
}

/**
 * inet_reuseport_add_sock (ih.c 754-775), under ilb2->lock: join the group of a listener in the
 * same lhash2 bucket with the same tb (icsk_bind_hash), SO_REUSEPORT, the same uid and exactly the
 * same address (inet_rcv_saddr_equal without wildcard matching); else start a group. Family,
 * v6only and bound device are the same for every socket of the model.
 */
function inetReuseportAddSock(k: Kernel, sk: number, bucket: number): number {
  for (let sk2 = 0; sk2 < k.L.sockets; sk2++) {
    if (sk2 === sk || k.lhash(sk2) !== bucket) continue;
    if (k.bindHash(sk2) === k.bindHash(sk) && k.reuseport(sk2) && k.uid(sk2) === k.uid(sk) && k.rcv_saddr(sk2) === k.rcv_saddr(sk)) {
      return reuseportAddSock(k, sk, sk2);
    }
  }
  return reuseportAlloc(k, sk);
}

/**
 * reuseport_stop_listen_sock (reuseport.c 462-495) -> reuseport_detach_sock: without
 * tcp_migrate_req (default 0) or a migrating BPF program the socket leaves its group and
 * sk_reuseport_cb is cleared; the last member frees the group.
 */
function reuseportDetachSock(k: Kernel, sk: number): void {
  k.setGroup(sk, -1);
}

// ---- lhash2 --------------------------------------------------------------------------------

/**
 * inet_hash (ih.c 777-813): a TCP_CLOSE socket is left alone (783-784); a LISTEN socket, under
 * ilb2->lock (795), joins or starts its reuseport group (796-800; an error is returned and the
 * socket is not hashed), then enters its (address, port) bucket and the in-use counter goes up
 * (801-807). Returns 0 or an errno; in the model it always returns 0 (see reuseportAddSock).
 */
export function inetHash(k: Kernel, sk: number, bucket: number): number {
  if (k.get_sk_state(sk) === TCP_CLOSE) return 0;
  if (k.get_sk_state(sk) !== TCP_LISTEN) return 0; // 786-791: ehash, not modelled
  if (k.reuseport(sk)) {
    const err = inetReuseportAddSock(k, sk, bucket);
    if (err) return err;
  }
  k.setLhash(sk, bucket);
  k.addInuse(1);
  return 0;
}

/** inet_unhash (ih.c 815-845), under ilb2->lock: leave the reuseport group, then lhash2; in-use down (839). */
export function inetUnhash(k: Kernel, sk: number): void {
  if (!k.isHashed(sk)) return;
  if (k.group(sk) >= 0) reuseportDetachSock(k, sk);
  k.setLhash(sk, -1);
  k.addInuse(-1);
}

/**
 * compute_score (ih.c 349-370) in the pass for address `addr`: a candidate only if bound to port
 * and to exactly that address (read from the node as it is now: one unhashed under a walker
 * keeps its port until close() releases it). Then 1, +1 for AF_INET (no device, no incoming-CPU bonus here).
 */
export function computeScore(k: Kernel, sk: number, addr: number, port: number): number {
  if (k.inet_num(sk) !== port || k.rcv_saddr(sk) !== addr) return -1;
  return 2;
}

/**
 * inet_lookup_reuseport -> reuseport_select_sock (reuseport.c 568 ff.): a member of the socket's
 * group. The kernel picks by the 4-tuple hash (reuseport_select_sock_by_hash, 527-556); the model
 * abstracts that pick as the lowest-index hashed member of the group. -1: no group, use sk itself;
 * so also for a socket unhashed under the walker, which reuseport_detach_sock has taken out of
 * its group (sk_reuseport_cb NULL, reuseport.c 462-495).
 */
export function lookupReuseport(k: Kernel, sk: number): number {
  const g = k.group(sk);
  if (!k.reuseport(sk) || g < 0) return -1;
  for (let m = 0; m < k.L.sockets; m++) if (k.group(m) === g && k.isHashed(m)) return m;
  return -1;
}
