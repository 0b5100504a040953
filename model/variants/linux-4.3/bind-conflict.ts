// inet_csk_bind_conflict, Linux 4.3 (net/ipv4/inet_connection_sock.c 46-88).
// Scans every owner of the port's bind bucket; the pairwise rule is in `pairConflicts`, its
// checks knobs of ConflictRules (all on: the 4.3 source).

import type { Kernel } from '../../kernel-view.ts';
import { TCP_LISTEN } from '../../kernel.ts';
import { addressesOverlap } from '../../common/tables.ts';

/** The checks of the 4.3 pairwise rule (icsk.c 61-82), each a knob a mutant may turn off. */
export interface ConflictRules {
  /** `sk2->sk_state == TCP_LISTEN` ends escape R. */
  escapeRSeesListen: boolean;
  /** `!uid_eq(uid, sock_i_uid(sk2))` ends escape P. */
  escapePChecksUid: boolean;
  /** `!sk2->sk_rcv_saddr || !sk->sk_rcv_saddr ||`: 0.0.0.0 overlaps every address. */
  wildcardOverlaps: boolean;
  /** The scan asks the rule at all (off: every owner is compatible). */
  checksConflicts: boolean;
}

export const CONFLICT_RULES_4_3: ConflictRules = { escapeRSeesListen: true, escapePChecksUid: true, wildcardOverlaps: true, checksConflicts: true };

/**
 * The 4.3 pairwise rule for socket `sk` against owner `sk2` (icsk.c 61-82):
 * escape R needs both SO_REUSEADDR and sk2 not LISTEN; escape P needs both SO_REUSEPORT and
 * the same uid (TIME_WAIT owners are not modelled). With relax = false, escape R is no escape.
 */
function pairConflicts(k: Kernel, sk: number, sk2: number, relax: boolean, r: ConflictRules = CONFLICT_RULES_4_3): boolean {
  const a = k.rcv_saddr(sk), b = k.rcv_saddr(sk2);
  if (!(r.wildcardOverlaps ? addressesOverlap(a, b) : a === b)) return false;
  const escapeR = k.reuse(sk) && k.reuse(sk2) && !(r.escapeRSeesListen && k.get_sk_state(sk2) === TCP_LISTEN);
  const escapeP = k.reuseport(sk) && k.reuseport(sk2) && (!r.escapePChecksUid || k.uid(sk) === k.uid(sk2));
  if (!escapeR && !escapeP) return true;
  return !relax && escapeR;
}

/** True if some other owner of `port` conflicts with `sk` (sk_for_each_bound over tb->owners). */
export function bindConflict(k: Kernel, sk: number, port: number, relax: boolean, r: ConflictRules = CONFLICT_RULES_4_3): boolean {
  if (!r.checksConflicts) return false;
  for (let sk2 = 0; sk2 < k.L.sockets; sk2++) {
    if (sk2 === sk || k.bindHash(sk2) !== port) continue;
    if (pairConflicts(k, sk, sk2, relax, r)) return true;
  }
  return false;
}
