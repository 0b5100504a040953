// The four syscalls of Linux 4.3 as programs of atomic steps (shared/kernel-listen-path.md §2,
// §7.1). Line numbers are the 4.3.0 release's; where the seed quotes a line with its own number
// (inet_csk_listen_start, one lower than the release, §0) the step also carries it as seedLine.
// Each is built from the kernel's parts (parts.ts).

import { AF_INET_C, ICSK_C, TCP_C, TCP_IPV4_C } from '../../kernel.ts';
import { TCP_CLOSE, TCP_LISTEN, RES_OK, RES_EINVAL, RES_EADDRINUSE } from '../../kernel.ts';
import { RETURN, type Locks, type Program } from '../../program.ts';
import type { KernelParts, Programs } from '../../variant.ts';
import { headLockBusy, listenLockBusy } from '../../common/guards.ts';
import {
  bindGetPortStep, checkUnboundStep, closeLockStep, heldWith, listenGetPortStep, listenStopStep, lockSock,
  lookupStep, publishListenStep, putPortAutoboundStep, releaseSock, rollbackStep, setAddrStep, setLocksStep, setSportStep,
  SOCK_HELD, stateCloseStep, stateCloseUnconnectedStep, unhashStep,
} from '../../common/steps.ts';
import type { GetPortRules } from './get-port.ts';
import { fp, union } from '../../footprint.ts';
import { inetPutPort, inetUnhash } from './hashtables.ts';

type Parts = KernelParts<GetPortRules>;

/** get_port and put_port run under the port's bind bucket head lock (icsk.c 181, ih.c 106). */
const HEAD: Locks = heldWith(['head->lock']);

/**
 * inet_csk_get_port (icsk.c 93-249) under the head lock: the bucket and its fast flags, the
 * owners' addresses and states (sk2->sk_state, icsk.c 68-78, a plain load of another socket's
 * field), and the socket's own inet_num, address and state; inet_bind_hash (ih.c 91-98) sets
 * inet_num and icsk_bind_hash. The wait for the head lock reads the socket's port.
 */
export const GET_PORT_FP_4_3 = fp(
  'socket.num rw lock_sock', 'socket.state r lock_sock/once', 'socket.saddr r lock_sock', 'socket.bindHash rw head->lock',
  'socket.bindHash r head->lock any', 'socket.state r head->lock/once hashed', 'socket.saddr r head->lock hashed',
  'tb.lock r head->lock', 'tb.exists rw head->lock', 'tb.fastreuse rw head->lock', 'tb.fastreuseport rw head->lock', 'tb.fastuid rw head->lock',
);

/** inet_put_port (ih.c 103-119) under the head lock: leave the owners, inet_num = 0, free an empty bucket. */
export const PUT_PORT_FP_4_3 = fp(
  'socket.num rw lock_sock', 'socket.num w head->lock', 'socket.bindHash rw head->lock', 'socket.bindHash r head->lock any',
  'tb.lock r head->lock', 'tb.exists w head->lock', 'tb.fastreuse w head->lock', 'tb.fastreuseport w head->lock', 'tb.fastuid w head->lock', 'tb.fastAddr w head->lock',
);

/** __inet_hash (ih.c 426-452) under ilb->lock: link the socket into its chain, prot->inuse + 1. */
const HASH_FP_4_3 = fp(
  'socket.num r lock_sock', 'socket.saddr r lock_sock', 'socket.state r lock_sock/once', 'lhash.lock r ilb->lock',
  'socket.lhash rw ilb->lock/release', 'global.prot_inuse rw ilb->lock',
);

/**
 * __inet_lookup_listener (ih.c 200-254): sk_nulls_for_each_rcu over the port's chain, each
 * node's port and address read by compute_score; lockless, under rcu_read_lock.
 */
const LOOKUP_FP_4_3 = fp('socket.lhash r rcu any', 'socket.num r rcu any', 'socket.saddr r rcu hashed');

/** The listening-hash bucket in 4.3: listening_hash[inet_lhashfn(port)], one per port here. */
export function listenBucket43(port: number, _addr: number, addrs: number): number {
  return port * addrs;
}

/** inet_listen (af_inet.c 194-247) with inet_csk_listen_start inlined (icsk.c 795-826, seed 794-825). */
export function listenProgram(parts: Parts): Program {
  return {
    name: 'listen',
    steps: [
      lockSock('inet_listen', AF_INET_C, '200'),
      {
        id: 'check-state', fn: 'inet_listen', file: AF_INET_C, line: '202-213',
        text: 'old_state = sk->sk_state; if (!((1 << old_state) & (TCPF_CLOSE | TCPF_LISTEN))) goto out; if (old_state != TCP_LISTEN)',
        scope: 'socket', locks: SOCK_HELD, footprint: fp('socket.state r lock_sock/once'),
        run: (k, c) => {
          k.setErr(c.t, RES_EINVAL);
          const old = k.get_sk_state(c.sk);
          if (old !== TCP_CLOSE && old !== TCP_LISTEN) return 'release_sock';
          if (old === TCP_LISTEN) return 'set-backlog';
        },
      },
      {
        id: 'queue-alloc', fn: 'inet_csk_listen_start', file: ICSK_C, line: '799', seedLine: '798',
        text: 'int rc = reqsk_queue_alloc(&icsk->icsk_accept_queue, nr_table_entries)', scope: 'private', locks: SOCK_HELD,
        footprint: fp('socket.queue w lock_sock'),
        run: (k, c) => { k.setQueue(c.sk, true); },
      },
      {
        id: 'backlog-reset', fn: 'inet_csk_listen_start', file: ICSK_C, line: '804-806', seedLine: '803-805',
        text: 'sk->sk_max_ack_backlog = 0; sk->sk_ack_backlog = 0; inet_csk_delack_init(sk)', scope: 'private', locks: SOCK_HELD,
        footprint: fp('socket.maxBacklog w lock_sock', 'socket.ackBacklog w lock_sock'),
        run: (k, c) => { k.set_max_ack_backlog(c.sk, 0); k.set_ack_backlog(c.sk, 0); },
      },
      { ...publishListenStep('813', 'sk->sk_state = TCP_LISTEN  /* the race window opens */', 'lock_sock/once'), seedLine: '812' },
      { ...listenGetPortStep('814', 'if (!sk->sk_prot->get_port(sk, inet->inet_num))', parts, HEAD, GET_PORT_FP_4_3), seedLine: '813' },
      { ...setSportStep('815-817', 'inet->inet_sport = htons(inet->inet_num); sk_dst_reset(sk)'), seedLine: '814-816' },
      {
        id: 'hash', fn: 'inet_csk_listen_start', file: ICSK_C, line: '818', seedLine: '817',
        text: 'sk->sk_prot->hash(sk)  /* __inet_hash under ilb->lock, ih.c 426-452 */', scope: 'shared',
        locks: heldWith(['ilb->lock']), footprint: HASH_FP_4_3,
        blocked: (k, c) => listenLockBusy(k, c, listenBucket43(k.inet_num(c.sk), k.rcv_saddr(c.sk), k.L.addrs)),
        run: (k, c) => {
          parts.hash(k, c.sk, listenBucket43(k.inet_num(c.sk), k.rcv_saddr(c.sk), k.L.addrs));
          k.life(c.sk, 'HASH_OK');
          return 'set-backlog';
        },
      },
      { ...rollbackStep('823'), seedLine: '822' },
      {
        id: 'queue-destroy', fn: 'inet_csk_listen_start', file: ICSK_C, line: '824-825', seedLine: '823-824',
        text: '__reqsk_queue_destroy(&icsk->icsk_accept_queue); return -EADDRINUSE', scope: 'private', locks: SOCK_HELD,
        footprint: fp('socket.queue w lock_sock'),
        run: (k, c) => { k.setQueue(c.sk, false); k.setErr(c.t, RES_EADDRINUSE); return 'release_sock'; },
      },
      {
        id: 'set-backlog', fn: 'inet_listen', file: AF_INET_C, line: '240-241',
        text: 'sk->sk_max_ack_backlog = backlog; err = 0', scope: 'private', locks: SOCK_HELD,
        footprint: fp('socket.maxBacklog w lock_sock'),
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
      bindGetPortStep('inet_bind', '497-501', 'if ((snum || !inet->bind_address_no_port) && sk->sk_prot->get_port(sk, snum)) { inet->inet_saddr = inet->inet_rcv_saddr = 0; err = -EADDRINUSE; goto out_release_sock; }', parts, HEAD, GET_PORT_FP_4_3),
      setLocksStep('inet_bind', '504-512', 'if (inet->inet_rcv_saddr) sk->sk_userlocks |= SOCK_BINDADDR_LOCK; if (snum) sk->sk_userlocks |= SOCK_BINDPORT_LOCK; inet->inet_sport = htons(inet->inet_num); err = 0'),
      releaseSock('inet_bind', AF_INET_C, '514-516'),
    ],
  };
}

/**
 * close() of a TCP socket: tcp_close (tcp.c 2010-2184) with tcp_set_state (1902-1935). A listener
 * is unhashed and stored TCP_CLOSE under lock_sock; release_sock (2106) comes before
 * inet_csk_destroy_sock (2173) -> tcp_v4_destroy_sock releases the port (tcp_ipv4.c 1794-1795),
 * under bh_lock_sock only. Between the two the fd is gone, so others can see only the port.
 */
export function closeProgram(): Program {
  return {
    name: 'close',
    steps: [
      closeLockStep('2016', 'lock_sock(sk)  /* close(fd): fput(file) -> sock_close -> inet_release -> tcp_close */'),
      unhashStep('tcp_set_state', '454-474', 'spin_lock_bh(lock); done = __sk_nulls_del_node_init_rcu(sk); if (done) sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1); spin_unlock_bh(lock)  /* inet_unhash, from tcp_set_state\'s sk->sk_prot->unhash(sk) (tcp.c 1916), under the listening bucket\'s lock */', 'ilb->lock', inetUnhash, fp('socket.lhash rw ilb->lock/once', 'global.prot_inuse rw ilb->lock')),
      putPortAutoboundStep('1917-1919', 'if (inet_csk(sk)->icsk_bind_hash && !(sk->sk_userlocks & SOCK_BINDPORT_LOCK)) inet_put_port(sk)', inetPutPort, HEAD, PUT_PORT_FP_4_3),
      stateCloseStep('1929', 'sk->sk_state = state  /* state is TCP_CLOSE; after unhash */', 'lock_sock/once'),
      listenStopStep('tcp_close', '2023-2025', 'inet_csk_listen_stop(sk); goto adjudge_to_death  /* drain and free the accept queue */', 'release_sock'),
      stateCloseUnconnectedStep('tcp_close', '2044-2045', 'if (sk->sk_state == TCP_CLOSE) goto adjudge_to_death  /* never listening: nothing to unhash */'),
      {
        id: 'release_sock', fn: 'tcp_close', file: TCP_C, line: '2106',
        text: 'release_sock(sk)  /* adjudge_to_death, after sock_orphan (2100-2103): before the port is released */',
        scope: 'socket', locks: { lock_sock: 'release' }, footprint: fp('socket.lockOwner w lock_sock'),
        run: (k, c) => { k.setLockOwner(c.sk, -1); },
      },
      {
        id: 'destroy-put-port', fn: 'tcp_v4_destroy_sock', file: TCP_IPV4_C, line: '1794-1795',
        text: 'if (inet_csk(sk)->icsk_bind_hash) inet_put_port(sk)  /* sk_state is TCP_CLOSE (tcp.c 2165): inet_csk_destroy_sock (2173) -> tcp_v4_destroy_sock */',
        scope: 'shared', locks: { 'head->lock': 'within' }, blocked: headLockBusy,
        // After release_sock: inet_num read (and written) under the head lock only; the model
        // clears the address with the owner entry, inside the same section.
        footprint: union(PUT_PORT_FP_4_3, fp('socket.num r head->lock', 'socket.saddr w head->lock')).filter((a) => a.under !== 'lock_sock'),
        run: (k, c) => { if (k.bindHash(c.sk) >= 0) inetPutPort(k, c.sk); k.set_rcv_saddr(c.sk, 0); },
      },
      {
        id: 'sock-put', fn: 'tcp_close', file: TCP_C, line: '2178-2180',
        text: 'bh_unlock_sock(sk); local_bh_enable(); sock_put(sk)', scope: 'private', locks: {}, footprint: [],
        run: (k, c) => { k.life(c.sk, 'RELEASE_FILE'); return RETURN; },
      },
    ],
  };
}

/** A SYN arriving for addr:port: __inet_lookup_listener (ih.c 200-254), under RCU. */
export function synProgram(parts: Parts): Program {
  return {
    name: 'syn',
    steps: [
      lookupStep('200-254', 'rcu_read_lock(); sk_nulls_for_each_rcu(sk, node, &ilb->head) { score = compute_score(sk, net, hnum, daddr, dif); } rcu_read_unlock(); return result  /* the port\'s listening chain: the best score wins, reuseport ties by a 4-tuple hash */', parts, LOOKUP_FP_4_3),
    ],
  };
}

/** The four programs of Linux 4.3 built from its parts. */
export function programs43(parts: Parts): Programs {
  return { bind: bindProgram(parts), listen: listenProgram(parts), close: closeProgram(), syn: synProgram(parts) };
}
