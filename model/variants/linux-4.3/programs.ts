// The four syscalls of Linux 4.3 as programs of atomic steps (shared/kernel-listen-path.md §2,
// §7.1). Line numbers are the 4.3.0 release's; where the seed quotes a line with its own number
// (inet_csk_listen_start, one lower than the release, §0) the step also carries it as seedLine.
// Each is built from the kernel's parts (parts.ts).

import { AF_INET_C, ICSK_C, IH_C, TCP_C, TCP_IPV4_C } from '../../kernel.ts';
import { TCP_CLOSE, TCP_LISTEN, RES_OK, RES_EINVAL, RES_EADDRINUSE } from '../../kernel.ts';
import { RETURN, type Ctx, type Locks, type Program } from '../../program.ts';
import type { Kernel } from '../../kernel-view.ts';
import { LIFE } from '../../lifecycle/table.ts';
import type { KernelParts, Programs } from '../../variant.ts';
import { headLockBusy, listenLockBusy } from '../../common/guards.ts';
import {
  closeLockStep, inetBindProgram, type InetBindSource, heldWith, listenGetPortStep, listenStopStep, lockSock,
  beginLookup, CHAIN_READ, endLookup, publishListenStep, SCORE_READ, putPortAutoboundStep, releaseSock, rollbackStep, setSportStep,
  SOCK_HELD, stateCloseStep, stateCloseUnconnectedStep, unhashStep,
} from '../../common/steps.ts';
import type { GetPortRules } from './get-port.ts';
import { fp, union } from '../../footprint.ts';
import { computeScore43, inetPutPort, inetUnhash } from './hashtables.ts';

/** The lifecycle state of a socket whose close() has ended: its last reference is gone (tcp.c 2180). */
const CLOSED_LIFE = LIFE.states.indexOf('closed');

type Parts = KernelParts<GetPortRules>;

/** get_port and put_port run under the port's bind bucket head lock (icsk.c 181, ih.c 106). */
const HEAD: Locks = heldWith(['head->lock']);

/**
 * inet_csk_get_port (icsk.c 93-249) under the head lock: the bucket and its fast flags, the
 * owners' addresses and states (sk2->sk_state, icsk.c 68-78, a plain load of another socket's
 * field), and the socket's own inet_num, address and state; inet_bind_hash (ih.c 91-98) sets
 * inet_num and icsk_bind_hash. The wait for the head lock reads the socket's port.
 */
const GET_PORT_FP_4_3 = fp(
  'socket.num rw lock_sock', 'socket.state r lock_sock/once', 'socket.saddr r lock_sock', 'socket.bindHash rw head->lock',
  'socket.bindHash r head->lock any', 'socket.state r head->lock/once hashed', 'socket.saddr r head->lock hashed',
  'tb.lock r head->lock', 'tb.exists rw head->lock', 'tb.fastreuse rw head->lock', 'tb.fastreuseport rw head->lock', 'tb.fastuid rw head->lock',
);

/** inet_put_port (ih.c 103-119) under the head lock: leave the owners, inet_num = 0, free an empty bucket. */
const PUT_PORT_FP_4_3 = fp(
  'socket.num rw lock_sock', 'socket.num w head->lock', 'socket.bindHash rw head->lock', 'socket.bindHash r head->lock any',
  'tb.lock r head->lock', 'tb.exists w head->lock', 'tb.fastreuse w head->lock', 'tb.fastreuseport w head->lock', 'tb.fastuid w head->lock', 'tb.fastAddr w head->lock',
);

/** __inet_hash (ih.c 426-452) under ilb->lock: link the socket into its chain, prot->inuse + 1. */
const HASH_FP_4_3 = fp(
  'socket.num r lock_sock', 'socket.saddr r lock_sock', 'socket.state r lock_sock/once', 'lhash.lock r ilb->lock',
  'socket.lhash rw ilb->lock/release', 'global.prot_inuse rw ilb->lock',
  // With a SYN in the scenario, the chain's order: the new node goes to the head (its stamp is 1 + the head's).
  'socket.lhashSeq w ilb->lock', 'socket.lhashSeq r ilb->lock any', 'socket.lhash r ilb->lock any',
);

/** The listening-hash bucket in 4.3: listening_hash[inet_lhashfn(port)], one per port here. */
export function listenBucket43(port: number, _addr: number, addrs: number): number {
  return port * addrs;
}

/** inet_listen (af_inet.c 194-247) with inet_csk_listen_start inlined (icsk.c 795-826, seed 794-825). */
function listenProgram(parts: Parts): Program {
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
const INET_BIND: InetBindSource = {
  fn: 'inet_bind',
  lockSock: '485',
  checkUnbound: ['487-490', 'err = -EINVAL; if (sk->sk_state != TCP_CLOSE || inet->inet_num) goto out_release_sock'],
  setAddr: ['492-494', 'inet->inet_rcv_saddr = inet->inet_saddr = addr->sin_addr.s_addr'],
  getPort: ['497-501', 'if ((snum || !inet->bind_address_no_port) && sk->sk_prot->get_port(sk, snum)) { inet->inet_saddr = inet->inet_rcv_saddr = 0; err = -EADDRINUSE; goto out_release_sock; }'],
  setLocks: ['504-512', 'if (inet->inet_rcv_saddr) sk->sk_userlocks |= SOCK_BINDADDR_LOCK; if (snum) sk->sk_userlocks |= SOCK_BINDPORT_LOCK; inet->inet_sport = htons(inet->inet_num); err = 0'],
  releaseSock: '514-516',
};

/**
 * close() of a TCP socket: tcp_close (tcp.c 2010-2184) with tcp_set_state (1902-1935). A listener
 * is unhashed and stored TCP_CLOSE under lock_sock; release_sock (2106) comes before
 * inet_csk_destroy_sock (2173) -> tcp_v4_destroy_sock releases the port (tcp_ipv4.c 1794-1795),
 * under bh_lock_sock only. Between the two the fd is gone, so others can see only the port.
 */
function closeProgram(): Program {
  return {
    name: 'close',
    steps: [
      closeLockStep('2016', 'lock_sock(sk)  /* close(fd): fput(file) -> sock_close -> inet_release -> tcp_close */'),
      unhashStep('tcp_set_state', '454-474', 'spin_lock_bh(lock); done = __sk_nulls_del_node_init_rcu(sk); if (done) sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1); spin_unlock_bh(lock)  /* inet_unhash, from tcp_set_state\'s sk->sk_prot->unhash(sk) (tcp.c 1916), under the listening bucket\'s lock */', 'ilb->lock', inetUnhash, fp('socket.lhash rw ilb->lock/once', 'socket.lhashNext w ilb->lock', 'socket.lhash r ilb->lock any', 'socket.lhashSeq r ilb->lock any', 'global.prot_inuse rw ilb->lock')),
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
        // After release_sock: inet_num read (and written) under the head lock only. __inet_put_port
        // (ih.c 103-118) clears inet_num, not the address: an RCU walker still on the node reads it.
        footprint: union(PUT_PORT_FP_4_3, fp('socket.num r head->lock')).filter((a) => a.under !== 'lock_sock'),
        run: (k, c) => { if (k.bindHash(c.sk) >= 0) inetPutPort(k, c.sk); },
      },
      {
        id: 'sock-put', fn: 'tcp_close', file: TCP_C, line: '2178-2180',
        text: 'bh_unlock_sock(sk); local_bh_enable(); sock_put(sk)', scope: 'private', locks: {}, footprint: [],
        run: (k, c) => { k.life(c.sk, 'RELEASE_FILE'); return RETURN; },
      },
    ],
  };
}

/** The SYN walker's locks: rcu_read_lock held from the first step to the last. */
const RCU_HELD: Locks = { rcu_read_lock: 'held' };

/** begin: (ih.c 214-217): result = NULL, hiscore = 0, and the first node of the port's chain; -1 for an empty chain. */
function walkFromHead(k: Kernel, c: Ctx): string | void {
  k.setWalkBest(c.t, -1);
  k.setHiscore(c.t, 0);
  const head = k.chainHead(listenBucket43(Math.floor(k.walkAt(c.t) / k.L.addrs), 0, k.L.addrs));
  k.setWalkNode(c.t, head);
  if (head < 0) return 'lookup-done'; // the nulls value ends an empty chain: result NULL
  return 'lookup-score';
}

/**
 * A SYN arriving for addr:port: __inet_lookup_listener (ih.c 200-253) walks the port's listening
 * chain under RCU one node a step, so listen() and close() run between two visits. A node hashed
 * after the walker read the head is not seen (__sk_nulls_add_node_rcu puts it at the head, ih.c
 * 436); a node unhashed under it keeps its next (__sk_nulls_del_node_init_rcu, ih.c 467), so the
 * walker goes on to the nodes after it. The nulls check at the end (240-241) always passes here:
 * a node can end a walk on another chain only if its memory was freed and reused for a socket
 * hashed elsewhere (SLAB_DESTROY_BY_RCU), and the model allocates no socket during a run and
 * never hashes a closed one again. What can matter is the refcount and the re-score after the
 * walk: a best socket whose close() has finished (its last sock_put, tcp.c 2180) is freed, so
 * atomic_inc_not_zero fails and the SYN gets NULL with no second walk (243-244); one whose
 * close() has released its port scores -1 and the walk starts again (245-248); one that is only
 * unhashed is returned, TCP_LISTEN or TCP_CLOSE.
 */
function synProgram(): Program {
  const score = (k: Kernel, c: Ctx, sk: number) => {
    const key = k.walkAt(c.t);
    return computeScore43(k, sk, key % k.L.addrs, Math.floor(key / k.L.addrs));
  };
  return {
    name: 'syn',
    steps: [
      {
        id: 'lookup-begin', fn: '__inet_lookup_listener', file: IH_C, line: '213-217',
        text: 'rcu_read_lock(); begin: result = NULL; hiscore = 0; sk_nulls_for_each_rcu(sk, node, &ilb->head)  /* reads the head of the port\'s chain */',
        scope: 'shared', locks: { rcu_read_lock: 'acquire' }, footprint: CHAIN_READ, jumps: ['lookup-score', 'lookup-done'],
        run: (k, c) => (beginLookup(k, c) < 0 ? 'lookup-done' : walkFromHead(k, c)),
      },
      {
        id: 'lookup-score', fn: '__inet_lookup_listener', file: IH_C, line: '218',
        text: 'score = compute_score(sk, net, hnum, daddr, dif)  /* one node; the best score wins (219-233: reuseport ties by a 4-tuple hash, the model takes the lowest-numbered socket) */',
        scope: 'shared', locks: RCU_HELD, footprint: SCORE_READ,
        run: (k, c) => {
          const sk = k.walkNode(c.t), s = score(k, c, sk), best = k.walkBest(c.t), hiscore = k.hiscore(c.t);
          if (s > hiscore || (s > 0 && s === hiscore && sk < best)) { k.setWalkBest(c.t, sk); k.setHiscore(c.t, s); }
        },
      },
      {
        // A step of its own: the node's fields and its next pointer are two unprotected loads (Lipton, model/atomicity.ts).
        id: 'lookup-next', fn: '__inet_lookup_listener', file: IH_C, line: '217',
        text: 'sk_nulls_for_each_rcu(sk, node, &ilb->head)  /* node = rcu_dereference(node->next): the next node, or the chain\'s end */',
        scope: 'shared', locks: RCU_HELD, footprint: CHAIN_READ, jumps: ['lookup-score', 'lookup-done'],
        run: (k, c) => {
          const next = k.chainNext(k.walkNode(c.t));
          k.setWalkNode(c.t, next);
          if (next >= 0) return 'lookup-score';
          if (k.walkBest(c.t) < 0) return 'lookup-done';
        },
      },
      {
        id: 'lookup-hold', fn: '__inet_lookup_listener', file: IH_C, line: '240-244',
        text: 'if (get_nulls_value(node) != hash + LISTENING_NULLS_BASE) goto begin; if (result) { if (unlikely(!atomic_inc_not_zero(&result->sk_refcnt))) result = NULL  /* the nulls check passes; a socket whose close() ended is freed: NULL, no second walk */',
        scope: 'shared', locks: RCU_HELD, footprint: [], jumps: ['lookup-done'], // atomic_inc_not_zero(&sk_refcnt): the refcount is the model's ghost 'life', not a declared field
        run: (k, c) => {
          if (k.lifeState(k.walkBest(c.t)) === CLOSED_LIFE) { k.setWalkBest(c.t, -1); return 'lookup-done'; }
        },
      },
      {
        id: 'lookup-rescore', fn: '__inet_lookup_listener', file: IH_C, line: '245-248',
        text: 'else if (unlikely(compute_score(result, net, hnum, daddr, dif) < hiscore)) { sock_put(result); goto begin; }  /* its port released meanwhile */',
        scope: 'shared', locks: RCU_HELD, footprint: SCORE_READ, jumps: ['lookup-restart', 'lookup-done'],
        run: (k, c) => (score(k, c, k.walkBest(c.t)) < k.hiscore(c.t) ? 'lookup-restart' : 'lookup-done'),
      },
      {
        id: 'lookup-restart', fn: '__inet_lookup_listener', file: IH_C, line: '214-217',
        text: 'begin: result = NULL; hiscore = 0; sk_nulls_for_each_rcu(sk, node, &ilb->head)  /* the walk again, from the head */',
        scope: 'shared', locks: RCU_HELD, footprint: CHAIN_READ, jumps: ['lookup-score', 'lookup-done'],
        run: walkFromHead,
      },
      {
        id: 'lookup-done', fn: '__inet_lookup_listener', file: IH_C, line: '251-252',
        text: 'rcu_read_unlock(); return result', scope: 'private', locks: { rcu_read_lock: 'release' }, footprint: [],
        run: endLookup,
      },
    ],
  };
}

/** The four programs of Linux 4.3 built from its parts. */
export function programs43(parts: Parts): Programs {
  return { bind: inetBindProgram(INET_BIND, parts, HEAD, GET_PORT_FP_4_3), listen: listenProgram(parts), close: closeProgram(), syn: synProgram() };
}
