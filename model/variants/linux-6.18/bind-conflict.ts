// The 6.18 conflict rule (net/ipv4/inet_connection_sock.c, shared/kernel-listen-path.md §3.4):
// the pairwise rule `inet_bind_conflict` (170-198), the scan of one tb2's owners (200-233), the
// scan that chooses which owners to look at (`inet_csk_bind_conflict`, 240-279), and the check of
// the port's 0.0.0.0 bucket for a specific-address socket (`inet_bhash2_addr_any_conflict`, 287-322).
//
// Line numbers: 6.18.2. From 6.18.21 on, inet_connection_sock.c lines after 155 are 14 lower.
// Not modelled, each always "no effect" here: SO_BINDTODEVICE (179-182), IPv6-only owners
// (204-212), TIME_WAIT owners (the uid waiver of 187 and 192).

import type { Kernel } from '../../kernel-view.ts';
import { ADDR_ANY, TCP_LISTEN } from '../../kernel.ts';
import { addressesOverlap } from '../../common/tables.ts';

/**
 * inet_use_bhash2_on_bind (icsk.c 156-168; inet_use_hash2_on_bind in inet_hashtables.h from
 * 6.18.21): an IPv4 socket bound to a specific address checks only its own tb2 plus the port's
 * 0.0.0.0 tb2, a wildcard socket scans every tb2 of the port.
 */
export function useHash2OnBind(k: Kernel, sk: number): boolean {
  return k.rcv_saddr(sk) !== ADDR_ANY;
}

/**
 * reuseport_cb_ok (icsk.c 250-254, 298-302): the socket has no reuseport group, or its group has
 * closed members. Closed members exist only with tcp_migrate_req or a migrating BPF program
 * (§8 B9), which the model leaves off, so this is "no group". A socket has a group only while it
 * is hashed, and a hashed socket never reaches get_port, so it is always true in the model's runs.
 */
function reuseportCbOk(k: Kernel, sk: number): boolean {
  return k.group(sk) < 0;
}

/**
 * The checks of the 6.18 conflict rule, as data: each a knob a mutant may turn (all on, the
 * default everywhere: the 6.18 source).
 */
export interface ConflictRules618 {
  /** `sk2->sk_state != TCP_LISTEN` (184) ends case R. */
  caseRSeesListen: boolean;
  /** `!uid_eq(uid, sk_uid(sk2))` (192-193) ends the SO_REUSEPORT escape. */
  escapeChecksUid: boolean;
  /** inet_bhash2_addr_any_conflict finds the port's 0.0.0.0 bind2 bucket (304-310). */
  findsAddrAnyBucket: boolean;
  /** The scans ask the pairwise rule at all (off: every owner is compatible). */
  checksConflicts: boolean;
}

export const CONFLICT_RULES_6_18: ConflictRules618 = { caseRSeesListen: true, escapeChecksUid: true, findsAddrAnyBucket: true, checksConflicts: true };

/**
 * inet_bind_conflict (icsk.c 170-198): does owner `sk2` forbid `sk` on this port? The addresses
 * are not compared here; the callers choose which owners to ask about.
 */
export function inetBindConflict(
  k: Kernel, sk: number, sk2: number, relax: boolean, cbOk: boolean, reuseportOk: boolean, r: ConflictRules618 = CONFLICT_RULES_6_18,
): boolean {
  if (sk === sk2 || !r.checksConflicts) return false; // 176-177
  const sameUid = k.uid(sk) === k.uid(sk2);
  // 183-189: case R (both SO_REUSEADDR, sk2 not listening) shares, unless relax is false, or
  // reuseport_ok is false and the pair would also share by SO_REUSEPORT (keeps an autobinding
  // socket out of somebody's reuseport group).
  if (k.reuse(sk) && k.reuse(sk2) && !(r.caseRSeesListen && k.get_sk_state(sk2) === TCP_LISTEN)) {
    return !relax || (!reuseportOk && k.reuseport(sk) && k.reuseport(sk2) && cbOk && sameUid);
  }
  // 190-195: otherwise only the SO_REUSEPORT escape, and only where reuseport_ok allows it.
  return !reuseportOk || !k.reuseport(sk) || !k.reuseport(sk2) || !cbOk || (r.escapeChecksUid && !sameUid);
}

/** inet_bhash2_conflict (icsk.c 218-233): some owner of tb2 (icsk_bind2_hash == tb2) conflicts. */
function inetBhash2Conflict(
  k: Kernel, sk: number, tb2: number, relax: boolean, cbOk: boolean, reuseportOk: boolean, r: ConflictRules618 = CONFLICT_RULES_6_18,
): boolean {
  for (let sk2 = 0; sk2 < k.L.sockets; sk2++) {
    if (k.bind2Hash(sk2) === tb2 && inetBindConflict(k, sk, sk2, relax, cbOk, reuseportOk, r)) return true;
  }
  return false;
}

/**
 * inet_csk_bind_conflict (icsk.c 240-279), under the head lock and tb2's lock. `tb2` is the
 * socket's own (port, address) bucket, or -1 when the port search found none (242: may be null).
 */
export function inetCskBindConflict(
  k: Kernel, sk: number, port: number, tb2: number, relax: boolean, reuseportOk: boolean, r: ConflictRules618 = CONFLICT_RULES_6_18,
): boolean {
  const cbOk = reuseportCbOk(k, sk); // 250-254
  // 261-263: a specific address looks only at owners of exactly that address; the 0.0.0.0
  // bucket was checked before, under its own lock (564-567 / 378-381).
  if (useHash2OnBind(k, sk)) return tb2 >= 0 && inetBhash2Conflict(k, sk, tb2, relax, cbOk, reuseportOk, r);
  // 270-276: a wildcard scans every owner of every tb2 of the port, counting those whose address
  // overlaps (inet_rcv_saddr_equal with match_wildcard: for IPv4 0.0.0.0 overlaps everything).
  for (let sk2 = 0; sk2 < k.L.sockets; sk2++) {
    if (k.bindHash(sk2) !== port || !inetBindConflict(k, sk, sk2, relax, cbOk, reuseportOk, r)) continue;
    if (addressesOverlap(k.rcv_saddr(sk), k.rcv_saddr(sk2))) return true;
  }
  return false;
}

/**
 * inet_bhash2_addr_any_conflict (icsk.c 287-322): for a specific-address socket, does an owner
 * of the port's 0.0.0.0 tb2 conflict? Taken under the head lock, with that tb2's lock on its own.
 */
export function inetBhash2AddrAnyConflict(
  k: Kernel, sk: number, port: number, relax: boolean, reuseportOk: boolean, r: ConflictRules618 = CONFLICT_RULES_6_18,
): boolean {
  const cbOk = reuseportCbOk(k, sk); // 298-302
  const any = k.tb2Index(port, ADDR_ANY); // 304-310: the (port, 0.0.0.0) bucket
  return r.findsAddrAnyBucket && k.tb2Exists(any) && inetBhash2Conflict(k, sk, any, relax, cbOk, reuseportOk, r); // 312-316
}
