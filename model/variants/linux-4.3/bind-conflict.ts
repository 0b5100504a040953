// inet_csk_bind_conflict, Linux 4.3 (net/ipv4/inet_connection_sock.c 46-88).
// Scans every owner of the port's bind bucket; the pairwise rule is in `pairConflicts`.

import type { Kernel } from '../../kernel-view.ts';
import { addressesOverlap, TCP_LISTEN } from '../../kernel.ts';

export { addressesOverlap };

/**
 * The 4.3 pairwise rule for socket `sk` against owner `sk2` (icsk.c 61-82):
 * escape R needs both SO_REUSEADDR and sk2 not LISTEN; escape P needs both SO_REUSEPORT and
 * the same uid (TIME_WAIT owners are not modelled). With relax = false, escape R is no escape.
 */
export function pairConflicts(k: Kernel, sk: number, sk2: number, relax: boolean): boolean {
  if (!addressesOverlap(k.rcv_saddr(sk), k.rcv_saddr(sk2))) return false;
  const escapeR = k.reuse(sk) && k.reuse(sk2) && k.get_sk_state(sk2) !== TCP_LISTEN;
  const escapeP = k.reuseport(sk) && k.reuseport(sk2) && k.uid(sk) === k.uid(sk2);
  if (!escapeR && !escapeP) return true;
  return !relax && escapeR;
}

/** True if some other owner of `port` conflicts with `sk` (sk_for_each_bound over tb->owners). */
export function bindConflict(k: Kernel, sk: number, port: number, relax: boolean): boolean {
  for (let sk2 = 0; sk2 < k.L.sockets; sk2++) {
    if (sk2 === sk || k.bindHash(sk2) !== port) continue;
    if (pairConflicts(k, sk, sk2, relax)) return true;
  }
  return false;
}
