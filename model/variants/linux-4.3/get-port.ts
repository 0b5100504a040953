// inet_csk_get_port, Linux 4.3 (net/ipv4/inet_connection_sock.c 93-249): one atomic step,
// the whole critical section under the bind bucket's head lock with BH disabled.
// Returns 0 on success and 1 on failure, as the kernel does; callers turn 1 into EADDRINUSE.

import type { Kernel } from '../../kernel-view.ts';
import { TCP_LISTEN } from '../../kernel.ts';
import { bindConflict, CONFLICT_RULES_4_3, type ConflictRules } from './bind-conflict.ts';
import { inetBindHash } from './hashtables.ts';

/** The checks inet_csk_get_port makes, as data: each a knob a mutant may turn (all on: the 4.3 source). */
export interface GetPortRules extends ConflictRules {
  /** The `sk->sk_state != TCP_LISTEN` test of the fastreuse fast path (icsk 193-194). */
  fastPathSeesListen: boolean;
  /** The `sk->sk_state == TCP_LISTEN` test when fastreuse is updated (icsk 218-225). */
  fastUpdateSeesListen: boolean;
}

export const RULES_4_3: GetPortRules = { ...CONFLICT_RULES_4_3, fastPathSeesListen: true, fastUpdateSeesListen: true };

/** `snum` is a port index, or -1 for port 0 (search the ephemeral range). */
export function inetCskGetPort(k: Kernel, sk: number, snum: number, rules: GetPortRules = RULES_4_3): 0 | 1 {
  const listening = k.get_sk_state(sk) === TCP_LISTEN;
  const reuseOk = k.reuse(sk) && !(rules.fastPathSeesListen && listening);

  let port = snum;
  let fallback = false;
  if (snum < 0) {
    // icsk 105-176: walk the local port range; a port with no bucket is free; a port whose
    // owners do not conflict under relax = false is taken; else the smallest candidate.
    // The kernel starts at a random port (icsk 121), so with few ports in use it lands on a free
    // one almost always: the model takes a free port first, then ports in use, in index order.
    let smallest = -1;
    port = -1;
    for (let p = 0; p < k.L.ports && port < 0; p++) {
      if (k.ephemeral[p] && !k.tbExists(p)) port = p;
    }
    for (let p = 0; p < k.L.ports && port < 0; p++) {
      if (!k.ephemeral[p]) continue;
      if (smallest < 0 && fastOk(k, sk, p, reuseOk)) smallest = p;
      if (!bindConflict(k, sk, p, false, rules)) port = p;
    }
    if (port < 0) {
      if (smallest < 0) return 1; // icsk 160-172: range exhausted
      port = smallest;            // goto have_snum
      fallback = true;
    }
  }

  // tb_found (icsk 188-213)
  if (k.tbExists(port) && k.hasOwners(port)) {
    const fast = !fallback && fastOk(k, sk, port, reuseOk);
    if (!fast && bindConflict(k, sk, port, true, rules)) return 1; // goto fail_unlock
    if (fast) return success(k, sk, port);
  }
  // tb_not_found (icsk 214-236): create the bucket, then keep the fast flags conservative.
  const sawOwners = k.tbExists(port) && k.hasOwners(port);
  k.setTbExists(port, true);
  const reuseForFlags = k.reuse(sk) && !(rules.fastUpdateSeesListen && listening);
  if (!sawOwners) {
    k.setFastreuse(port, reuseForFlags ? 1 : 0);
    k.setFastreuseport(port, k.reuseport(sk) ? 1 : 0);
    if (k.reuseport(sk)) k.setFastuid(port, k.uid(sk));
  } else {
    if (k.fastreuse(port) && !reuseForFlags) k.setFastreuse(port, 0);
    if (k.fastreuseport(port) && (!k.reuseport(sk) || k.fastuid(port) !== k.uid(sk))) k.setFastreuseport(port, 0);
  }
  return success(k, sk, port);
}

/** The fast-path test of icsk 193-196: the bucket's cached flags admit this socket. */
function fastOk(k: Kernel, sk: number, port: number, reuseOk: boolean): boolean {
  return (k.fastreuse(port) > 0 && reuseOk) ||
    (k.fastreuseport(port) > 0 && k.reuseport(sk) && k.fastuid(port) === k.uid(sk));
}

/** success (icsk 237-241): join the owners unless already bound (a listen() after bind()). */
function success(k: Kernel, sk: number, port: number): 0 {
  if (k.bindHash(sk) < 0) inetBindHash(k, sk, port);
  return 0;
}
