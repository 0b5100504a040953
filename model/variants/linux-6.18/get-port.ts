// inet_csk_get_port, Linux 6.18 (net/ipv4/inet_connection_sock.c 514-609), with
// inet_csk_find_open_port (328-423), sk_reuseport_match (425-454) and inet_csk_update_fastreuse
// (456-508); shared/kernel-listen-path.md §3.3. One atomic step in the model: the whole function
// runs under the bhash head lock (377 / 542), and the bhash2 locks it takes inside it are never
// held across a step. Returns 0, or RES_EADDRINUSE for the kernel's -EADDRINUSE.
//
// Line numbers: 6.18.2. From 6.18.21 on, inet_connection_sock.c lines after 155 are 14 lower
// (inet_csk_get_port 514 -> 500).
//
// Where the reference is wrong: §3.3 and §5.4 have inet_csk_update_fastreuse take its "first
// owner" branch (tb->bhash2 empty: fastreuse = reuse, fastreuseport = FASTREUSEPORT_ANY). In the
// 6.18 source that branch is dead when called from get_port: `success` (588-589) is reached only
// with tb2 non-NULL (536-537, or created at 575-581), and inet_bind2_bucket_create links the new
// tb2 into tb->bhash2 at once, so the test at 462 is always false. Hence on 6.18 tb->fastreuse is
// never set to 1 (the SO_REUSEADDR fast path at 559 never fires), and a first SO_REUSEPORT owner
// gets FASTREUSEPORT_STRICT with its own address (491-499) instead of ANY. The model follows the
// source. Two-socket outcomes do not change (the cache only gets more conservative); the §5.4
// three-socket result (C's bind returns 0) is the same, reached by B passing the full check.

import type { Kernel } from '../../kernel-view.ts';
import { ADDR_ANY, RES_EADDRINUSE } from '../../kernel.ts';
import { CONFLICT_RULES_6_18, inetBhash2AddrAnyConflict, inetCskBindConflict, useHash2OnBind, type ConflictRules618 } from './bind-conflict.ts';
import {
  inetBind2BucketCreate, inetBind2BucketDestroy, inetBindBucketCreate, inetBindBucketDestroy, inetBindHash, tbHasBhash2,
} from './hashtables.ts';

/** tb->fastreuseport values (include/net/inet_hashtables.h). */
const FASTREUSEPORT_ANY = 1;
export const FASTREUSEPORT_STRICT = 2;

/**
 * sk_reuseport_match (icsk.c 425-454): the SO_REUSEPORT fast path. The socket has SO_REUSEPORT
 * and no group (432: sk_reuseport_cb), tb->fastuid is its uid, and either ANY, or STRICT with a
 * cached address that covers its own: equal, or the cached one is 0.0.0.0 (only the cached side
 * may be a wildcard: `true, false` at 452-453, §8 B7; the knob `strictWildcardBothWays` lets the
 * socket's own 0.0.0.0 match too, as before 5.8).
 */
function skReuseportMatch(k: Kernel, sk: number, port: number, r: GetPortRules618 = RULES_6_18): boolean {
  if (k.fastreuseport(port) === 0) return false; // 428-429 (the -1 connect-only value needs connect())
  if (!k.reuseport(sk)) return false; // 430-431
  if (k.group(sk) >= 0) return false; // 432-433
  if (k.fastuid(port) !== k.uid(sk)) return false; // 434-435
  if (k.fastreuseport(port) === FASTREUSEPORT_ANY) return true; // 441-442
  return k.fastAddr(port) === k.rcv_saddr(sk) || k.fastAddr(port) === ADDR_ANY || // 452-453
    (r.strictWildcardBothWays && k.rcv_saddr(sk) === ADDR_ANY);
}

/**
 * inet_csk_update_fastreuse (icsk.c 456-508), on every success. `reuse` is recomputed from the
 * socket's state (460): false for a listener, so a listener always clears fastreuse.
 */
function inetCskUpdateFastreuse(k: Kernel, sk: number, port: number, r: GetPortRules618 = RULES_6_18): void {
  const reuse = k.reuse(sk) && !k.isListen(sk); // 460
  if (!tbHasBhash2(k, port)) {
    // 462-475: never taken from get_port (see the top of this file); kept as the code reads.
    k.setFastreuse(port, reuse ? 1 : 0);
    if (k.reuseport(sk)) {
      k.setFastreuseport(port, FASTREUSEPORT_ANY);
      k.setFastuid(port, k.uid(sk));
      k.setFastAddr(port, k.rcv_saddr(sk));
    } else {
      k.setFastreuseport(port, 0);
    }
    return;
  }
  if (!reuse) k.setFastreuse(port, 0); // 477-478: only ever cleared here
  if (k.reuseport(sk)) {
    // 479-500: no match means reset the cache to this socket (STRICT), which has just been
    // found free of conflicts with every owner. §5.4: that is not the same as "free of conflicts
    // by SO_REUSEPORT", so a third socket can get in by the cache where the pairwise rule says no.
    if (!skReuseportMatch(k, sk, port, r)) {
      k.setFastreuseport(port, FASTREUSEPORT_STRICT);
      k.setFastuid(port, k.uid(sk));
      k.setFastAddr(port, k.rcv_saddr(sk));
    }
  } else {
    k.setFastreuseport(port, 0); // 501-503
  }
  // 506-507 copy both flags into tb2: the model keeps no tb2 flags (see hashtables.ts).
}

/**
 * The checks inet_csk_get_port makes, as data: each a knob a mutant may turn (the 6.18 form of
 * 4.3's GetPortRules). RULES_6_18, the default everywhere, is the 6.18 source.
 */
export interface GetPortRules618 extends ConflictRules618 {
  /** sk_reuseport_match (452-453) compares wildcards both ways, the socket's own 0.0.0.0 included. */
  strictWildcardBothWays: boolean;
}

export const RULES_6_18: GetPortRules618 = { ...CONFLICT_RULES_6_18, strictWildcardBothWays: false };

/** What inet_csk_find_open_port returns: the port, and whether its tb and the socket's tb2 exist. */
interface OpenPort {
  port: number;
  tb: boolean;
  tb2: boolean;
}

/**
 * inet_csk_find_open_port (icsk.c 328-423), relax = false and reuseport_ok = false: any owner
 * with an overlapping address is a conflict, whatever the flags (§3.4). The model's local port
 * range is its ephemeral ports (k.ephemeral), free ones first, then in order: no random odd offset (362-366),
 * no lower-half-first for SO_REUSEADDR (344-357), no reserved ports (373). The ip_autobind_reuse
 * retry with relax = true (411-415) is off by default and not modelled.
 */
function inetCskFindOpenPort(k: Kernel, sk: number, rules: GetPortRules618 = RULES_6_18): OpenPort | null {
  const relax = false; // 340
  // The kernel starts at a random odd offset (362-366), so with few ports in use it lands on a
  // free port almost always: the model tries the ports with no bucket first, then the others.
  for (let i = 0; i < 2 * k.L.ports; i++) {
    const port = i % k.L.ports;
    if (!k.ephemeral[port] || (i < k.L.ports) === k.tbExists(port)) continue;
    // 377: spin_lock_bh(head). 378-381: a specific address first checks the 0.0.0.0 bucket.
    if (useHash2OnBind(k, sk) && inetBhash2AddrAnyConflict(k, sk, port, relax, false, rules)) continue;
    const tb2 = k.tb2Index(port, k.rcv_saddr(sk)); // 383-385
    const tb2Found = k.tb2Exists(tb2);
    if (k.tbExists(port)) {
      // 386-393: a port in use is taken only if no owner conflicts.
      if (!inetCskBindConflict(k, sk, port, tb2Found ? tb2 : -1, relax, false, rules)) return { port, tb: true, tb2: tb2Found };
      continue; // 391-392: goto next_port
    }
    return { port, tb: false, tb2: tb2Found }; // 394-395: no tb, the port is free
  }
  return null; // 416
}

/** inet_csk_get_port (icsk.c 514-609). `snum` is a port index, or -1 for port 0. */
export function inetCskGetPort(k: Kernel, sk: number, snum: number, rules: GetPortRules618 = RULES_6_18): number {
  const reuse = k.reuse(sk) && !k.isListen(sk); // 516: false during listen(), LISTEN is published
  let port = snum;
  let foundPort = false;
  if (snum < 0) {
    // 529-538
    const open = inetCskFindOpenPort(k, sk, rules);
    if (open === null) return RES_EADDRINUSE; // 531-532
    port = open.port;
    if (open.tb && open.tb2) return success(k, sk, port, rules); // 536-537: no second check
    foundPort = true;
  }
  // 540-545: (given port) spin_lock_bh(head), find tb.
  let tbCreated = false, tb2Created = false;
  if (!k.tbExists(port)) {
    inetBindBucketCreate(k, port); // 548-554 (its allocation failure is not modelled)
    tbCreated = true;
  }
  let checkBindConflict = true;
  const tb2 = k.tb2Index(port, k.rcv_saddr(sk));
  if (!foundPort) {
    // 557-562: the fast paths, only when the port already has owners. SK_FORCE_REUSE is
    // kernel-internal; `tb->fastreuse > 0` never holds on 6.18 (see the top of this file).
    if (tbHasBhash2(k, port) && ((k.fastreuse(port) > 0 && reuse) || skReuseportMatch(k, sk, port, rules))) checkBindConflict = false;
    // 564-567: a specific address checks the port's 0.0.0.0 owners first.
    if (checkBindConflict && useHash2OnBind(k, sk) && inetBhash2AddrAnyConflict(k, sk, port, true, true, rules)) {
      return failUnlock(k, port, tb2, tbCreated, tb2Created);
    }
    // 569-572: spin_lock(head2), find tb2.
  }
  if (!k.tb2Exists(tb2)) {
    inetBind2BucketCreate(k, tb2); // 575-581: now in tb->bhash2 too
    tb2Created = true;
  }
  if (!foundPort && checkBindConflict && inetCskBindConflict(k, sk, port, tb2, true, true, rules)) {
    return failUnlock(k, port, tb2, tbCreated, tb2Created); // 583-586
  }
  return success(k, sk, port, rules);
}

/** success (icsk.c 588-595): update the cache, then join the owners unless already bound (listen after bind). */
function success(k: Kernel, sk: number, port: number, rules: GetPortRules618): 0 {
  inetCskUpdateFastreuse(k, sk, port, rules);
  if (k.bindHash(sk) < 0) inetBindHash(k, sk, port, k.tb2Index(port, k.rcv_saddr(sk)));
  return 0;
}

/** fail_unlock (icsk.c 597-607): free the buckets this call created (each only if empty). */
function failUnlock(k: Kernel, port: number, tb2: number, tbCreated: boolean, tb2Created: boolean): number {
  if (tb2Created) inetBind2BucketDestroy(k, tb2);
  if (tbCreated) inetBindBucketDestroy(k, port);
  return RES_EADDRINUSE;
}
