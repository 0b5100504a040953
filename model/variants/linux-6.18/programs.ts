// The four syscalls of Linux 6.18 as programs of atomic steps (shared/kernel-listen-path.md §3,
// §4, §7.1). Line numbers: 6.18.2. From 6.18.21 on, inet_connection_sock.c lines after 155 are
// 14 lower (inet_csk_listen_start 1340 -> 1326); af_inet.c, inet_hashtables.c, tcp.c and
// tcp_ipv4.c are unchanged.

import type { Kernel, ReadonlyKernel } from '../../kernel-view.ts';
import { ADDR_ANY, AF_INET_C, ICSK_C, IH_C, TCP_IPV4_C, TCP_CLOSE, TCP_LISTEN, RES_OK, RES_EINVAL } from '../../kernel.ts';
import type { Ctx, Locks, Program } from '../../program.ts';
import type { KernelParts, Programs } from '../../variant.ts';
import { headLockBusy, listenLockBusy } from '../../common/guards.ts';
import {
  closeLockStep, inetBindProgram, type InetBindSource, closeReleaseStep, heldWith, listenGetPortStep, listenStopStep, lockSock,
  beginLookup, CHAIN_READ, endLookup, publishListenStep, SCORE_READ, putPortAutoboundStep, releaseSock, rollbackStep, setSportStep,
  SOCK_HELD, stateCloseStep, stateCloseUnconnectedStep, unhashStep,
} from '../../common/steps.ts';
import type { GetPortRules618 } from './get-port.ts';
import { fp } from '../../footprint.ts';
import { computeScore, inetPutPort, inetUnhash, listenBucket618, lookupReuseport } from './hashtables.ts';

type Parts = KernelParts<GetPortRules618>;

/** get_port and put_port run under the bhash head lock, and take the bhash2 head lock inside (icsk.c 542, 569; ih.c 220-226). */
const HEADS: Locks = heldWith(['head->lock', 'head2->lock']);

/**
 * inet_csk_get_port (icsk.c 514-609) under the bhash head lock (the bhash2 lock inside it): tb
 * and its fast-path cache, the tb2 buckets, the owners' addresses, states (sk2->sk_state, 184, a
 * plain load of another socket's field) and tb2 links, and the socket's own port, address, state
 * and reuseport group; inet_bind_hash (ih.c 200-207) sets inet_num and both bucket links.
 */
const GET_PORT_FP_6_18 = fp(
  'socket.num rw lock_sock', 'socket.state r lock_sock/once', 'socket.saddr r lock_sock', 'socket.group r lock_sock',
  'socket.bindHash rw head->lock', 'socket.bind2Hash w head->lock',
  'socket.bindHash r head->lock any', 'socket.bind2Hash r head->lock any', 'socket.state r head->lock/once hashed', 'socket.saddr r head->lock hashed',
  'tb.lock r head->lock', 'tb.exists rw head->lock', 'tb.fastreuse rw head->lock', 'tb.fastreuseport rw head->lock', 'tb.fastuid rw head->lock',
  'tb.fastAddr rw head->lock', 'tb2.exists rw head->lock',
);

/** __inet_put_port (ih.c 212-242) under the head lock, then head2's: leave tb2, free empty buckets. */
const PUT_PORT_FP_6_18 = fp(
  'socket.num rw lock_sock', 'socket.num w head->lock', 'socket.bindHash rw head->lock', 'socket.bind2Hash rw head->lock',
  'socket.bindHash r head->lock any', 'socket.bind2Hash r head->lock any', 'tb.lock r head->lock', 'tb2.exists rw head->lock',
  'tb.exists w head->lock', 'tb.fastreuse w head->lock', 'tb.fastreuseport w head->lock', 'tb.fastuid w head->lock', 'tb.fastAddr w head->lock',
);

/**
 * inet_hash (ih.c 777-813) under ilb2->lock: join or start a reuseport group (inet_reuseport_add_sock
 * reads the bucket's other listeners), link into lhash2, prot->inuse + 1.
 */
const HASH_FP_6_18 = fp(
  'socket.num r lock_sock', 'socket.saddr r lock_sock', 'socket.state r lock_sock/once', 'lhash.lock r ilb2->lock',
  'socket.lhash rw ilb2->lock/release', 'socket.lhash r ilb2->lock any', 'socket.bindHash r ilb2->lock', 'socket.bindHash r ilb2->lock hashed',
  'socket.saddr r ilb2->lock hashed', 'socket.group rw ilb2->lock/release', 'socket.group r ilb2->lock hashed', 'global.prot_inuse rw ilb2->lock',
  // With a SYN in the scenario, the chain's order: the new node goes to the head (its stamp is 1 + the head's).
  'socket.lhashSeq w ilb2->lock', 'socket.lhashSeq r ilb2->lock any', 'socket.lhash r ilb2->lock any',
);

/**
 * inet_listen (af_inet.c 232-248) -> __inet_listen_sk (193-227) -> inet_csk_listen_start
 * (icsk.c 1340-1374), inlined. Two ways to fail after LISTEN is published: get_port (1361) and,
 * new in 6.18, the hash (1366). Both end in the plain store TCP_CLOSE (1372); after a hash failure
 * the socket stays bound. inet_hash never fails in the model (its ENOMEM is not modelled, its
 * EBUSY is unreachable: see reuseportAddSock); a test injects a failure through `parts.hash`.
 */
function listenProgram(parts: Parts): Program {
  const bucket = (k: ReadonlyKernel, sk: number) => listenBucket618(k.inet_num(sk), k.rcv_saddr(sk), k.L.addrs);
  return {
    name: 'listen',
    steps: [
      lockSock('inet_listen', AF_INET_C, '237'),
      {
        id: 'check-state', fn: '__inet_listen_sk', file: AF_INET_C, line: '195-199',
        text: 'old_state = sk->sk_state; if (!((1 << old_state) & (TCPF_CLOSE | TCPF_LISTEN))) return -EINVAL  /* inet_listen 239-240 passes: no connect() */',
        scope: 'socket', locks: SOCK_HELD, footprint: fp('socket.state r lock_sock/once'),
        run: (k, c) => {
          k.setErr(c.t, RES_EINVAL);
          const old = k.get_sk_state(c.sk);
          if (old !== TCP_CLOSE && old !== TCP_LISTEN) return 'release_sock';
          k.setTmp(c.t, old === TCP_LISTEN ? 1 : 0);
        },
      },
      {
        // Before anything else, so a listen() that fails has still changed the backlog.
        id: 'set-backlog', fn: '__inet_listen_sk', file: AF_INET_C, line: '201-205',
        text: 'WRITE_ONCE(sk->sk_max_ack_backlog, backlog); if (old_state != TCP_LISTEN)', scope: 'private', locks: SOCK_HELD,
        footprint: fp('socket.maxBacklog w lock_sock/once'),
        run: (k, c) => {
          k.set_max_ack_backlog(c.sk, c.backlog);
          if (k.tmp(c.t) === 1) { k.setErr(c.t, RES_OK); return 'release_sock'; } // 226: only the backlog changes
        },
      },
      {
        // 1346-1348, inet_ulp_can_listen: the model attaches no ULP, so no EINVAL.
        id: 'queue-reset', fn: 'inet_csk_listen_start', file: ICSK_C, line: '1350',
        text: 'reqsk_queue_alloc(&icsk->icsk_accept_queue)  /* cannot fail */', scope: 'private', locks: SOCK_HELD,
        footprint: fp('socket.queue w lock_sock'),
        run: (k, c) => { k.setQueue(c.sk, true); },
      },
      {
        id: 'backlog-reset', fn: 'inet_csk_listen_start', file: ICSK_C, line: '1352-1353',
        text: 'sk->sk_ack_backlog = 0; inet_csk_delack_init(sk)', scope: 'private', locks: SOCK_HELD,
        footprint: fp('socket.ackBacklog w lock_sock'),
        run: (k, c) => { k.set_ack_backlog(c.sk, 0); },
      },
      publishListenStep('1360', 'inet_sk_state_store(sk, TCP_LISTEN)  /* release store: the race window opens */', 'lock_sock/release'),
      listenGetPortStep('1361', 'err = sk->sk_prot->get_port(sk, inet->inet_num)  /* inet_csk_get_port, 514-609 */', parts, HEADS, GET_PORT_FP_6_18),
      setSportStep('1363-1365', 'inet->inet_sport = htons(inet->inet_num); sk_dst_reset(sk)'),
      {
        id: 'hash', fn: 'inet_csk_listen_start', file: ICSK_C, line: '1366-1369',
        text: 'err = sk->sk_prot->hash(sk); if (likely(!err)) return 0  /* inet_hash under ilb2->lock, ih.c 777-813 */',
        scope: 'shared', locks: heldWith(['ilb2->lock']), footprint: HASH_FP_6_18,
        blocked: (k, c) => listenLockBusy(k, c, bucket(k, c.sk)),
        run: (k, c) => {
          const err = parts.hash(k, c.sk, bucket(k, c.sk));
          if (err !== 0) {
            // The socket keeps its port (it stays in tb2->owners); get_port's cache update stays.
            k.setErr(c.t, err);
            k.setValidated(c.sk, false);
            k.life(c.sk, 'HASH_FAIL');
            return 'rollback';
          }
          k.life(c.sk, 'HASH_OK');
          k.setErr(c.t, RES_OK); // 224-226: the BPF sock_ops callback is not modelled
          return 'release_sock';
        },
      },
      rollbackStep('1372', 'inet_sk_set_state(sk, TCP_CLOSE)  /* plain store, after get_port dropped its locks */'),
      {
        // Nothing to free in 6.18: the accept queue is embedded and still empty. The model's
        // queue flag ("in use by a listener") goes down with the failed listen().
        id: 'return-err', fn: 'inet_csk_listen_start', file: ICSK_C, line: '1373',
        text: 'return err', scope: 'private', locks: SOCK_HELD, footprint: fp('socket.queue w lock_sock'),
        run: (k, c) => { k.setQueue(c.sk, false); return 'release_sock'; },
      },
      releaseSock('inet_listen', AF_INET_C, '245-246'),
    ],
  };
}

/**
 * inet_bind -> inet_bind_sk -> __inet_bind (af_inet.c 444-568), AF_INET to a scenario address.
 * 484-514 (EAFNOSUPPORT, EADDRNOTAVAIL, EACCES) cannot fire for the model's addresses and ports.
 * get_port's errno is returned, not a fixed EADDRINUSE as in 4.3; 543-551, the cgroup post-bind
 * BPF hook, is not modelled.
 */
const INET_BIND: InetBindSource = {
  fn: '__inet_bind',
  lockSock: '523-524',
  checkUnbound: ['527-529', 'err = -EINVAL; if (sk->sk_state != TCP_CLOSE || inet->inet_num) goto out_release_sock'],
  setAddr: ['531-533', 'inet->inet_rcv_saddr = inet->inet_saddr = addr->sin_addr.s_addr'],
  getPort: ['536-542', 'err = sk->sk_prot->get_port(sk, snum); if (err) { inet->inet_saddr = inet->inet_rcv_saddr = 0; goto out_release_sock; }'],
  setLocks: ['554-562', 'if (inet->inet_rcv_saddr) sk->sk_userlocks |= SOCK_BINDADDR_LOCK; if (snum) sk->sk_userlocks |= SOCK_BINDPORT_LOCK; inet->inet_sport = htons(inet->inet_num); err = 0'],
  releaseSock: '565-567',
};

/**
 * close() of a TCP socket: tcp_close (tcp.c 3295-3304) -> __tcp_close (3123). A listener goes
 * through tcp_set_state(TCP_CLOSE) (2945-3014: unhash, put_port if autobound, then the state
 * store) and inet_csk_listen_stop; at adjudge_to_death (3212) inet_csk_destroy_sock (3286) calls
 * tcp_v4_destroy_sock, which releases an explicitly bound port (tcp_ipv4.c 2576-2577).
 */
function closeProgram(): Program {
  return {
    name: 'close',
    steps: [
      closeLockStep('3297', 'lock_sock(sk)  /* close(fd): fput(file) -> sock_close -> inet_release -> tcp_close */'),
      unhashStep('inet_unhash', '815-845', 'spin_lock(&ilb2->lock); if (rcu_access_pointer(sk->sk_reuseport_cb)) reuseport_stop_listen_sock(sk); __sk_nulls_del_node_init_rcu(sk); sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1); spin_unlock(&ilb2->lock)  /* tcp_set_state\'s sk->sk_prot->unhash(sk) (tcp.c 2999): leave the reuseport group, then lhash2 */', 'ilb2->lock', inetUnhash, fp('socket.lhash rw ilb2->lock/once', 'socket.lhashNext w ilb2->lock', 'socket.lhash r ilb2->lock any', 'socket.lhashSeq r ilb2->lock any', 'socket.group rw ilb2->lock/release', 'global.prot_inuse rw ilb2->lock')),
      putPortAutoboundStep('3000-3002', 'if (inet_csk(sk)->icsk_bind_hash && !(sk->sk_userlocks & SOCK_BINDPORT_LOCK)) inet_put_port(sk)', inetPutPort, HEADS, PUT_PORT_FP_6_18),
      stateCloseStep('3012', 'inet_sk_state_store(sk, state)  /* state is TCP_CLOSE; after unhash: no closed socket sits in the hash */', 'lock_sock/release'),
      listenStopStep('__tcp_close', '3135-3137', 'inet_csk_listen_stop(sk); goto adjudge_to_death  /* icsk 1474: drain the accept queue, no migration */', 'destroy-put-port'),
      stateCloseUnconnectedStep('__tcp_close', '3155-3156', 'if (sk->sk_state == TCP_CLOSE) goto adjudge_to_death  /* never listening: nothing to unhash */'),
      {
        id: 'destroy-put-port', fn: 'tcp_v4_destroy_sock', file: TCP_IPV4_C, line: '2576-2577',
        text: 'if (inet_csk(sk)->icsk_bind_hash) inet_put_port(sk)  /* adjudge_to_death (tcp.c 3212) -> inet_csk_destroy_sock (3286) -> tcp_v4_destroy_sock */',
        scope: 'shared', locks: HEADS, blocked: headLockBusy, footprint: PUT_PORT_FP_6_18,
        run: (k, c) => { if (k.bindHash(c.sk) >= 0) inetPutPort(k, c.sk); },
      },
      closeReleaseStep('3299-3302', 'release_sock(sk); sock_put(sk)'),
    ],
  };
}

/** The SYN walker's locks: the caller's rcu_read_lock, held from the first step to the last. */
const RCU_HELD: Locks = { rcu_read_lock: 'held' };

/** The address a pass of the lookup scores against: daddr, then 0.0.0.0 (`tmp` is 1 in the second pass). */
const passAddr = (k: ReadonlyKernel, c: Ctx) => (k.tmp(c.t) === 1 ? ADDR_ANY : k.walkAt(c.t) % k.L.addrs);

/** inet_lhash2_lookup's start (ih.c 420-424): hiscore = 0 and the first node of the pass's lhash2 bucket. */
function walkPass(k: Kernel, c: Ctx): string {
  const port = Math.floor(k.walkAt(c.t) / k.L.addrs);
  const head = k.chainHead(listenBucket618(port, passAddr(k, c), k.L.addrs));
  k.setWalkNode(c.t, head);
  k.setHiscore(c.t, 0);
  return head < 0 ? afterPass(k, c) : 'lookup-score';
}

/** The end of a pass (ih.c 437, 489-490): a result is final; none sends the first pass on to 0.0.0.0. */
const afterPass = (k: ReadonlyKernel, c: Ctx) => (k.walkBest(c.t) >= 0 || k.tmp(c.t) === 1 ? 'lookup-done' : 'lookup-any');

/** node = node->next (ih.c 424): on to the next node of the pass, or its end. */
function nextNode(k: Kernel, c: Ctx, sk: number): string {
  const next = k.chainNext(sk);
  k.setWalkNode(c.t, next);
  return next >= 0 ? 'lookup-score' : afterPass(k, c);
}

/**
 * A SYN for addr:port: __inet_lookup_listener (ih.c 462-503) walks lhash2[daddr:port] and, if that
 * finds nothing, lhash2[0.0.0.0:port] (inet_lhash2_lookup, 413-438), one node a step under RCU,
 * so listen() and close() run between two visits and between the two passes. Every listener of
 * a bucket is hashed at the head (__sk_nulls_add_node_rcu, 806; the tail insert of 804 is for
 * IPv6 reuseport sockets only) and unhashed by __sk_nulls_del_node_init_rcu (834), which keeps
 * the node's next for a walker standing on it. Listeners are SOCK_RCU_FREE (802): no refcount,
 * no re-score, no nulls check; a socket unhashed during the walk can still be the result.
 */
function synProgram(): Program {
  return {
    name: 'syn',
    steps: [
      {
        id: 'lookup-begin', fn: '__inet_lookup_listener', file: IH_C, line: '483-488',
        text: 'hash2 = ipv4_portaddr_hash(net, daddr, hnum); ilb2 = inet_lhash2_bucket(hashinfo, hash2); result = inet_lhash2_lookup(net, ilb2, skb, doff, saddr, sport, daddr, hnum, dif, sdif)  /* the caller holds rcu_read_lock; reads the head of lhash2[daddr:port] (424) */',
        scope: 'shared', locks: { rcu_read_lock: 'acquire' }, footprint: CHAIN_READ, jumps: ['lookup-score', 'lookup-any', 'lookup-done'],
        run: (k, c) => (beginLookup(k, c) < 0 ? 'lookup-done' : walkPass(k, c)),
      },
      {
        id: 'lookup-score', fn: 'inet_lhash2_lookup', file: IH_C, line: '425',
        text: 'score = compute_score(sk, net, hnum, daddr, dif, sdif)  /* one node; if (score > hiscore) (426) a SO_REUSEPORT socket asks its group next, else result = sk */',
        scope: 'shared', locks: RCU_HELD, footprint: SCORE_READ, jumps: ['lookup-reuseport', 'lookup-next'],
        run: (k, c) => {
          const sk = k.walkNode(c.t);
          const score = computeScore(k, sk, passAddr(k, c), Math.floor(k.walkAt(c.t) / k.L.addrs));
          if (score > k.hiscore(c.t)) {
            k.setHiscore(c.t, score);
            if (k.reuseport(sk)) return 'lookup-reuseport';
            k.setWalkBest(c.t, sk);
          }
          return 'lookup-next';
        },
      },
      {
        id: 'lookup-reuseport', fn: 'inet_lhash2_lookup', file: IH_C, line: '427-433',
        text: 'result = inet_lookup_reuseport(net, sk, skb, doff, saddr, sport, daddr, hnum, inet_ehashfn); if (result) return result; result = sk; hiscore = score  /* reuseport_select_sock (sock_reuseport.c 568 ff.) reads the group\'s socks array under RCU: none once sk has left its group */',
        scope: 'shared', locks: RCU_HELD, // One RCU snapshot of the group's socks array (the model keeps its members as `group` and `lhash`):
        // a member leaving between reuseport_select_sock's loads of num_socks and socks[i] is not modelled.
        footprint: fp('socket.group r rcu any', 'socket.lhash r rcu any').map((a) => ({ ...a, unit: 'rcu_dereference(sk->sk_reuseport_cb)->socks' })),
        jumps: ['lookup-done', 'lookup-next'],
        run: (k, c) => {
          const sk = k.walkNode(c.t), picked = lookupReuseport(k, sk);
          if (picked >= 0) { k.setWalkBest(c.t, picked); return 'lookup-done'; }
          k.setWalkBest(c.t, sk);
          return 'lookup-next';
        },
      },
      {
        // A step of its own: the node's fields and its next pointer are two unprotected loads (Lipton, model/atomicity.ts).
        id: 'lookup-next', fn: 'inet_lhash2_lookup', file: IH_C, line: '424',
        text: 'sk_nulls_for_each_rcu(sk, node, &ilb2->nulls_head)  /* node = rcu_dereference(node->next): the next node, or the pass\'s end */',
        scope: 'shared', locks: RCU_HELD, footprint: CHAIN_READ, jumps: ['lookup-score', 'lookup-any', 'lookup-done'],
        run: (k, c) => nextNode(k, c, k.walkNode(c.t)),
      },
      {
        id: 'lookup-any', fn: '__inet_lookup_listener', file: IH_C, line: '493-498',
        text: 'hash2 = ipv4_portaddr_hash(net, htonl(INADDR_ANY), hnum); ilb2 = inet_lhash2_bucket(hashinfo, hash2); result = inet_lhash2_lookup(net, ilb2, skb, doff, saddr, sport, htonl(INADDR_ANY), hnum, dif, sdif)  /* the first pass found nothing: the head of lhash2[0.0.0.0:port] */',
        scope: 'shared', locks: RCU_HELD, footprint: CHAIN_READ, jumps: ['lookup-score', 'lookup-done'],
        run: (k, c) => { k.setTmp(c.t, 1); return walkPass(k, c); },
      },
      {
        id: 'lookup-done', fn: '__inet_lookup_listener', file: IH_C, line: '499-502',
        text: 'done: if (IS_ERR(result)) return NULL; return result  /* the caller\'s rcu_read_unlock follows */', scope: 'private', locks: { rcu_read_lock: 'release' }, footprint: [],
        run: endLookup,
      },
    ],
  };
}

/** The four programs of Linux 6.18 built from its parts. */
export function programs618(parts: Parts): Programs {
  return { bind: inetBindProgram(INET_BIND, parts, HEADS, GET_PORT_FP_6_18), listen: listenProgram(parts), close: closeProgram(), syn: synProgram() };
}
