// The four syscalls of Linux 4.3 as programs of atomic steps (shared/kernel-listen-path.md §2,
// §7.1). Line numbers are the seed's where it gives them (icsk.c one lower than the 4.3
// release, §0), else the 4.3 release's. Each is built from the kernel's parts (parts.ts).

import { AF_INET_C, ICSK_C, TCP_IPV4_C } from '../../kernel.ts';
import { TCP_CLOSE, TCP_LISTEN, RES_OK, RES_EINVAL, RES_EADDRINUSE } from '../../kernel.ts';
import type { Locks, Program } from '../../program.ts';
import type { KernelParts, Programs } from '../../variant.ts';
import { headLockBusy, listenLockBusy } from '../../common/guards.ts';
import {
  bindGetPortStep, checkUnboundStep, closeLockStep, closeReleaseStep, heldWith, listenGetPortStep, listenStopStep, lockSock,
  lookupStep, publishListenStep, putPortAutoboundStep, releaseSock, rollbackStep, setAddrStep, setLocksStep, setSportStep,
  SOCK_HELD, stateCloseStep, stateCloseUnconnectedStep, unhashStep,
} from '../../common/steps.ts';
import type { GetPortRules } from './get-port.ts';
import { inetPutPort, inetUnhash } from './hashtables.ts';

type Parts = KernelParts<GetPortRules>;

/** get_port and put_port run under the port's bind bucket head lock (icsk.c 181, ih.c 106). */
const HEAD: Locks = heldWith(['head->lock']);

/** The listening-hash bucket in 4.3: listening_hash[inet_lhashfn(port)], one per port here. */
export function listenBucket43(port: number, _addr: number, addrs: number): number {
  return port * addrs;
}

/** inet_listen (af_inet.c 194-247) with inet_csk_listen_start inlined (icsk.c 794-826). */
export function listenProgram(parts: Parts): Program {
  return {
    name: 'listen',
    steps: [
      lockSock('inet_listen', AF_INET_C, '200'),
      {
        id: 'check-state', fn: 'inet_listen', file: AF_INET_C, line: '202-213',
        text: 'old_state = sk->sk_state; if (!((1 << old_state) & (TCPF_CLOSE | TCPF_LISTEN))) goto out; if (old_state != TCP_LISTEN)',
        scope: 'socket', locks: SOCK_HELD,
        run: (k, c) => {
          k.setErr(c.t, RES_EINVAL);
          const old = k.get_sk_state(c.sk);
          if (old !== TCP_CLOSE && old !== TCP_LISTEN) return 'release_sock';
          if (old === TCP_LISTEN) return 'set-backlog';
        },
      },
      {
        id: 'queue-alloc', fn: 'inet_csk_listen_start', file: ICSK_C, line: '798',
        text: 'int rc = reqsk_queue_alloc(&icsk->icsk_accept_queue, nr_table_entries)', scope: 'private', locks: SOCK_HELD,
        run: (k, c) => { k.setQueue(c.sk, true); },
      },
      {
        id: 'backlog-reset', fn: 'inet_csk_listen_start', file: ICSK_C, line: '803-805',
        text: 'sk->sk_max_ack_backlog = 0; sk->sk_ack_backlog = 0; inet_csk_delack_init(sk)', scope: 'private', locks: SOCK_HELD,
        run: (k, c) => { k.set_max_ack_backlog(c.sk, 0); k.set_ack_backlog(c.sk, 0); },
      },
      publishListenStep('812', 'sk->sk_state = TCP_LISTEN  /* the race window opens */'),
      listenGetPortStep('813', 'if (!sk->sk_prot->get_port(sk, inet->inet_num))', parts, HEAD),
      setSportStep('814-816', 'inet->inet_sport = htons(inet->inet_num); sk_dst_reset(sk)'),
      {
        id: 'hash', fn: 'inet_csk_listen_start', file: ICSK_C, line: '817',
        text: 'sk->sk_prot->hash(sk)  /* __inet_hash under ilb->lock, ih.c 426-452 */', scope: 'shared',
        locks: heldWith(['ilb->lock']),
        blocked: (k, c) => listenLockBusy(k, c, listenBucket43(k.inet_num(c.sk), k.rcv_saddr(c.sk), k.L.addrs)),
        run: (k, c) => {
          parts.hash(k, c.sk, listenBucket43(k.inet_num(c.sk), k.rcv_saddr(c.sk), k.L.addrs));
          k.life(c.sk, 'HASH_OK');
          return 'set-backlog';
        },
      },
      rollbackStep('822'),
      {
        id: 'queue-destroy', fn: 'inet_csk_listen_start', file: ICSK_C, line: '823-824',
        text: '__reqsk_queue_destroy(&icsk->icsk_accept_queue); return -EADDRINUSE', scope: 'private', locks: SOCK_HELD,
        run: (k, c) => { k.setQueue(c.sk, false); k.setErr(c.t, RES_EADDRINUSE); return 'release_sock'; },
      },
      {
        id: 'set-backlog', fn: 'inet_listen', file: AF_INET_C, line: '240-241',
        text: 'sk->sk_max_ack_backlog = backlog; err = 0', scope: 'private', locks: SOCK_HELD,
        run: (k, c) => { k.set_max_ack_backlog(c.sk, c.backlog); k.setErr(c.t, RES_OK); },
      },
      releaseSock('inet_listen', AF_INET_C, '244-245'),
    ],
  };
}

/** inet_bind (af_inet.c 423-518), AF_INET to one of the scenario's addresses. */
export function bindProgram(parts: Parts): Program {
  return {
    name: 'bind',
    steps: [
      lockSock('inet_bind', AF_INET_C, '485'),
      checkUnboundStep('inet_bind', '487-490', 'err = -EINVAL; if (sk->sk_state != TCP_CLOSE || inet->inet_num) goto out_release_sock'),
      setAddrStep('inet_bind', '492-494', 'inet->inet_rcv_saddr = inet->inet_saddr = addr->sin_addr.s_addr'),
      bindGetPortStep('inet_bind', '497-501', 'if (sk->sk_prot->get_port(sk, snum)) { inet->inet_saddr = inet->inet_rcv_saddr = 0; err = -EADDRINUSE; goto out_release_sock; }', parts, HEAD),
      setLocksStep('inet_bind', '504-512', 'sk->sk_userlocks |= SOCK_BINDADDR_LOCK | SOCK_BINDPORT_LOCK; inet->inet_sport = htons(inet->inet_num); err = 0'),
      releaseSock('inet_bind', AF_INET_C, '515-517'),
    ],
  };
}

/** close() of a TCP socket: tcp_close (tcp.c 2010 ff.) with tcp_set_state (1902-1935). */
export function closeProgram(): Program {
  return {
    name: 'close',
    steps: [
      closeLockStep('2014', 'fput(file) -> sock_close -> lock_sock(sk)'),
      unhashStep('tcp_set_state', '454-474', 'sk->sk_prot->unhash(sk)  /* inet_unhash under ilb->lock */', 'ilb->lock', inetUnhash),
      putPortAutoboundStep('1924-1926', 'if (inet_csk(sk)->icsk_bind_hash && !(sk->sk_userlocks & SOCK_BINDPORT_LOCK)) inet_put_port(sk)', inetPutPort, HEAD),
      stateCloseStep('1933', 'sk->sk_state = TCP_CLOSE  /* after unhash */'),
      listenStopStep('tcp_close', '2022', 'inet_csk_listen_stop(sk)  /* drain and free the accept queue */'),
      stateCloseUnconnectedStep('tcp_close', '2055-2056', 'tcp_set_state(sk, TCP_CLOSE)  /* not listening: nothing to unhash */'),
      {
        id: 'destroy-put-port', fn: 'tcp_v4_destroy_sock', file: TCP_IPV4_C, line: '1795',
        text: 'if (inet_csk(sk)->icsk_bind_hash) inet_put_port(sk)', scope: 'shared', locks: HEAD, blocked: headLockBusy,
        run: (k, c) => { if (k.bindHash(c.sk) >= 0) inetPutPort(k, c.sk); k.set_rcv_saddr(c.sk, 0); },
      },
      closeReleaseStep('2145-2147', 'release_sock(sk); sock_put(sk)'),
    ],
  };
}

/** A SYN arriving for addr:port: __inet_lookup_listener (ih.c 200-254), under RCU. */
export function synProgram(parts: Parts): Program {
  return {
    name: 'syn',
    steps: [
      lookupStep('200-254', 'sk = __inet_lookup_listener(net, hashinfo, skb, doff, saddr, sport, daddr, hnum, dif)', parts),
    ],
  };
}

/** The four programs of Linux 4.3 built from its parts. */
export function programs43(parts: Parts): Programs {
  return { bind: bindProgram(parts), listen: listenProgram(parts), close: closeProgram(), syn: synProgram(parts) };
}
