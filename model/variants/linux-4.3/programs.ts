// The four syscalls of Linux 4.3 as programs of atomic steps (shared/kernel-listen-path.md §2,
// §7.1). Line numbers are the 4.3.0 release's; where the seed quotes a line with its own number
// (inet_csk_listen_start, one lower than the release, §0) the step also carries it as seedLine.

import type { Kernel } from '../../kernel-view.ts';
import { AF_INET_C, ICSK_C, IH_C, TCP_C, TCP_IPV4_C } from '../../kernel.ts';
import {
  TCP_CLOSE, TCP_LISTEN, SOCK_BINDADDR_LOCK, SOCK_BINDPORT_LOCK,
  RES_OK, RES_EINVAL, RES_EADDRINUSE, RES_EBADF, RES_ECONNREFUSED, RES_SYN_TO,
} from '../../kernel.ts';
import { RETURN, type Ctx, type Program, type Step } from '../../program.ts';
import { inetCskGetPort, RULES_4_3, type GetPortRules } from './get-port.ts';
import { inetHash, inetPutPort, inetUnhash, lookupListener } from './hashtables.ts';

/** Someone else holds this socket's lock_sock. */
export const sockLockBusy = (k: Kernel, c: Ctx) => {
  const owner = k.lockOwner(c.sk);
  return owner >= 0 && owner !== c.t;
};

/** Someone else holds the head lock of the port this socket asks for or owns. */
export const headLockBusy = (k: Kernel, c: Ctx) => {
  const port = k.inet_num(c.sk) >= 0 ? k.inet_num(c.sk) : c.port;
  if (port < 0) return false;
  const h = k.headLock(port);
  return h >= 0 && h !== c.t;
};

/** Takes lock_sock after looking the fd up (a closed fd gives EBADF before any lock). */
export function lockSock(fn: string, file: string, line: string): Step {
  return {
    id: 'lock_sock', fn, file, line, text: 'lock_sock(sk)', scope: 'socket', blocked: sockLockBusy,
    run: (k, c) => {
      if (!k.isOpen(c.sk)) { k.setErr(c.t, RES_EBADF); return RETURN; }
      k.setLockOwner(c.sk, c.t);
    },
  };
}

export function releaseSock(fn: string, file: string, line: string): Step {
  return {
    id: 'release_sock', fn, file, line, text: 'release_sock(sk); return err', scope: 'socket',
    run: (k, c) => { k.setLockOwner(c.sk, -1); return RETURN; },
  };
}

/** The end of a successful bind: the lock bits, inet_sport, err = 0 (both kernels alike). */
export function setLocksStep(fn: string, line: string, text: string): Step {
  return {
    id: 'set-locks', fn, file: AF_INET_C, line, text, scope: 'private',
    run: (k, c) => {
      k.setUserlocks(c.sk, k.userlocks(c.sk) | (c.addr ? SOCK_BINDADDR_LOCK : 0) | (c.port >= 0 ? SOCK_BINDPORT_LOCK : 0));
      k.set_inet_sport(c.sk, k.inet_num(c.sk));
      k.setErr(c.t, RES_OK);
    },
  };
}

/**
 * The start of close(): the fd goes away (a closed fd gives EBADF) and tcp_close takes
 * lock_sock; a socket that is not listening skips tcp_set_state's unhash (both kernels alike).
 */
export function closeLockStep(line: string, text: string): Step {
  return {
    ...lockSock('tcp_close', TCP_C, line),
    text,
    run: (k, c) => {
      if (!k.isOpen(c.sk)) { k.setErr(c.t, RES_EBADF); return RETURN; }
      k.setOpen(c.sk, false);
      k.setLockOwner(c.sk, c.t);
      k.setErr(c.t, RES_OK);
      if (k.get_sk_state(c.sk) !== TCP_LISTEN) return 'state-close-unconnected';
    },
  };
}

/** inet_listen (af_inet.c 194-247) with inet_csk_listen_start inlined (icsk.c 795-826, seed 794-825). */
export function listenProgram(rules: GetPortRules = RULES_4_3, bucketOf = listenBucket43): Program {
  return {
    name: 'listen',
    steps: [
      lockSock('inet_listen', AF_INET_C, '200'),
      {
        id: 'check-state', fn: 'inet_listen', file: AF_INET_C, line: '202-213',
        text: 'old_state = sk->sk_state; if (!((1 << old_state) & (TCPF_CLOSE | TCPF_LISTEN))) goto out; if (old_state != TCP_LISTEN)',
        scope: 'socket',
        run: (k, c) => {
          k.setErr(c.t, RES_EINVAL);
          const old = k.get_sk_state(c.sk);
          if (old !== TCP_CLOSE && old !== TCP_LISTEN) return 'release_sock';
          if (old === TCP_LISTEN) return 'set-backlog';
        },
      },
      {
        id: 'queue-alloc', fn: 'inet_csk_listen_start', file: ICSK_C, line: '799', seedLine: '798',
        text: 'int rc = reqsk_queue_alloc(&icsk->icsk_accept_queue, nr_table_entries)', scope: 'private',
        run: (k, c) => { k.setQueue(c.sk, true); },
      },
      {
        id: 'backlog-reset', fn: 'inet_csk_listen_start', file: ICSK_C, line: '804-806', seedLine: '803-805',
        text: 'sk->sk_max_ack_backlog = 0; sk->sk_ack_backlog = 0; inet_csk_delack_init(sk)', scope: 'private',
        run: (k, c) => { k.set_max_ack_backlog(c.sk, 0); k.set_ack_backlog(c.sk, 0); },
      },
      {
        id: 'publish-listen', fn: 'inet_csk_listen_start', file: ICSK_C, line: '813', seedLine: '812',
        text: 'sk->sk_state = TCP_LISTEN  /* the race window opens */', scope: 'shared',
        run: (k, c) => { k.set_sk_state(c.sk, TCP_LISTEN); k.life(c.sk, 'PUBLISH_LISTEN'); },
      },
      { ...getPortStep('inet_csk_listen_start', ICSK_C, '814', 'if (!sk->sk_prot->get_port(sk, inet->inet_num))', rules), seedLine: '813' },
      {
        id: 'set-sport', fn: 'inet_csk_listen_start', file: ICSK_C, line: '815-817', seedLine: '814-816',
        text: 'inet->inet_sport = htons(inet->inet_num); sk_dst_reset(sk)', scope: 'private',
        run: (k, c) => { k.set_inet_sport(c.sk, k.inet_num(c.sk)); },
      },
      {
        id: 'hash', fn: 'inet_csk_listen_start', file: ICSK_C, line: '818', seedLine: '817',
        text: 'sk->sk_prot->hash(sk)  /* __inet_hash under ilb->lock, ih.c 426-452 */', scope: 'shared',
        blocked: (k, c) => listenLockBusy(k, c, bucketOf(k.inet_num(c.sk), k.rcv_saddr(c.sk), k.L.addrs)),
        run: (k, c) => {
          inetHash(k, c.sk, bucketOf(k.inet_num(c.sk), k.rcv_saddr(c.sk), k.L.addrs));
          k.life(c.sk, 'HASH_OK');
          return 'set-backlog';
        },
      },
      { ...rollbackStep('823'), seedLine: '822' },
      {
        id: 'queue-destroy', fn: 'inet_csk_listen_start', file: ICSK_C, line: '824-825', seedLine: '823-824',
        text: '__reqsk_queue_destroy(&icsk->icsk_accept_queue); return -EADDRINUSE', scope: 'private',
        run: (k, c) => { k.setQueue(c.sk, false); k.setErr(c.t, RES_EADDRINUSE); return 'release_sock'; },
      },
      {
        id: 'set-backlog', fn: 'inet_listen', file: AF_INET_C, line: '240-241',
        text: 'sk->sk_max_ack_backlog = backlog; err = 0', scope: 'private',
        run: (k, c) => { k.set_max_ack_backlog(c.sk, c.backlog); k.setErr(c.t, RES_OK); },
      },
      releaseSock('inet_listen', AF_INET_C, '244-245'),
    ],
  };
}

/** The listening-hash bucket in 4.3: listening_hash[inet_lhashfn(port)], one per port here. */
export function listenBucket43(port: number, _addr: number, addrs: number): number {
  return port * addrs;
}

export function listenLockBusy(k: Kernel, c: Ctx, bucket: number): boolean {
  if (bucket < 0) return false;
  const h = k.listenLock(bucket);
  return h >= 0 && h !== c.t;
}

/** get_port inside listen(): validates the port (or autobinds) under the head lock. */
export function getPortStep(fn: string, file: string, line: string, text: string, rules: GetPortRules): Step {
  return {
    id: 'get-port', fn, file, line, text, scope: 'shared', blocked: headLockBusy,
    run: (k, c) => {
      const r = inetCskGetPort(k, c.sk, k.inet_num(c.sk), rules);
      k.setRet(c.t, r);
      if (r !== 0) { k.life(c.sk, 'GET_PORT_FAIL'); return 'rollback'; }
      k.setValidated(c.sk, true);
      k.life(c.sk, 'GET_PORT_OK');
    },
  };
}

/** The failure path's state store, after get_port has dropped its locks (§7.1 (c)). */
export function rollbackStep(line: string, file = ICSK_C, fn = 'inet_csk_listen_start'): Step {
  return {
    id: 'rollback', fn, file, line, text: 'sk->sk_state = TCP_CLOSE', scope: 'shared',
    run: (k, c) => {
      k.set_sk_state(c.sk, TCP_CLOSE);
      k.setValidated(c.sk, false);
      k.life(c.sk, k.inet_num(c.sk) >= 0 ? 'ROLLBACK_TO_BOUND' : 'ROLLBACK_TO_UNBOUND');
    },
  };
}

/** inet_bind (af_inet.c 423-518), AF_INET to one of the scenario's addresses. */
export function bindProgram(rules: GetPortRules = RULES_4_3): Program {
  return {
    name: 'bind',
    steps: [
      lockSock('inet_bind', AF_INET_C, '485'),
      {
        id: 'check-unbound', fn: 'inet_bind', file: AF_INET_C, line: '487-490',
        text: 'err = -EINVAL; if (sk->sk_state != TCP_CLOSE || inet->inet_num) goto out_release_sock', scope: 'socket',
        run: (k, c) => {
          k.setErr(c.t, RES_EINVAL);
          if (k.get_sk_state(c.sk) !== TCP_CLOSE || k.inet_num(c.sk) >= 0) return 'release_sock';
        },
      },
      {
        id: 'set-addr', fn: 'inet_bind', file: AF_INET_C, line: '492-494',
        text: 'inet->inet_rcv_saddr = inet->inet_saddr = addr->sin_addr.s_addr', scope: 'private',
        run: (k, c) => { k.set_rcv_saddr(c.sk, c.addr); },
      },
      {
        id: 'get-port', fn: 'inet_bind', file: AF_INET_C, line: '497-501',
        text: 'if ((snum || !inet->bind_address_no_port) && sk->sk_prot->get_port(sk, snum)) { inet->inet_saddr = inet->inet_rcv_saddr = 0; err = -EADDRINUSE; goto out_release_sock; }',
        scope: 'shared', blocked: headLockBusy,
        run: (k, c) => {
          if (inetCskGetPort(k, c.sk, c.port, rules) !== 0) {
            k.set_rcv_saddr(c.sk, 0);
            k.setErr(c.t, RES_EADDRINUSE);
            return 'release_sock';
          }
          k.life(c.sk, 'BIND_OK');
        },
      },
      setLocksStep('inet_bind', '504-512', 'if (inet->inet_rcv_saddr) sk->sk_userlocks |= SOCK_BINDADDR_LOCK; if (snum) sk->sk_userlocks |= SOCK_BINDPORT_LOCK; inet->inet_sport = htons(inet->inet_num); err = 0'),
      releaseSock('inet_bind', AF_INET_C, '514-516'),
    ],
  };
}

/**
 * close() of a TCP socket: tcp_close (tcp.c 2010-2181). lock_sock (2016); a listener goes through
 * tcp_set_state(TCP_CLOSE) (2020; 1902-1934: unhash, put_port if autobound, then the state store)
 * and inet_csk_listen_stop (2023), any other socket of the model is TCP_CLOSE already (2044-2045);
 * both go to adjudge_to_death (2100), which orphans the socket and releases lock_sock (2106)
 * *before* inet_csk_destroy_sock (2173) calls tcp_v4_destroy_sock, which releases an explicitly
 * bound port (tcp_ipv4.c 1794-1795). Between the two the socket is orphaned and its fd gone, so
 * no other op can reach it: what another thread can see is only that its port is still owned.
 * The BH socket lock held around the destroy (bh_lock_sock, 2113-2178) excludes only softirqs
 * (a SYN's processing after its lookup), which the model does not have. The checks between
 * release and destroy (2119, 2136, 2155) cannot fire for a socket that is TCP_CLOSE throughout.
 */
export function closeProgram(): Program {
  return {
    name: 'close',
    steps: [
      closeLockStep('2016', 'lock_sock(sk)  /* close(fd): fput(file) -> sock_close -> inet_release -> tcp_close */'),
      {
        id: 'unhash', fn: 'tcp_set_state', file: IH_C, line: '454-474',
        text: 'spin_lock_bh(lock); done = __sk_nulls_del_node_init_rcu(sk); if (done) sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1); spin_unlock_bh(lock)  /* inet_unhash, from tcp_set_state\'s sk->sk_prot->unhash(sk) (tcp.c 1916), under the listening bucket\'s lock */',
        scope: 'shared',
        blocked: (k, c) => listenLockBusy(k, c, k.lhash(c.sk)),
        run: (k, c) => { inetUnhash(k, c.sk); k.setValidated(c.sk, false); k.life(c.sk, 'UNHASH'); },
      },
      {
        id: 'put-port-autobound', fn: 'tcp_set_state', file: TCP_C, line: '1917-1919',
        text: 'if (inet_csk(sk)->icsk_bind_hash && !(sk->sk_userlocks & SOCK_BINDPORT_LOCK)) inet_put_port(sk)',
        scope: 'shared', blocked: headLockBusy,
        run: (k, c) => {
          if (k.bindHash(c.sk) >= 0 && !(k.userlocks(c.sk) & SOCK_BINDPORT_LOCK)) inetPutPort(k, c.sk);
        },
      },
      {
        id: 'state-close', fn: 'tcp_set_state', file: TCP_C, line: '1929',
        text: 'sk->sk_state = state  /* state is TCP_CLOSE; after unhash */', scope: 'shared',
        run: (k, c) => { k.set_sk_state(c.sk, TCP_CLOSE); k.setValidated(c.sk, false); k.life(c.sk, 'STATE_CLOSE'); },
      },
      {
        id: 'listen-stop', fn: 'tcp_close', file: TCP_C, line: '2023-2025',
        text: 'inet_csk_listen_stop(sk); goto adjudge_to_death  /* drain and free the accept queue */', scope: 'private',
        run: (k, c) => { k.setQueue(c.sk, false); return 'release_sock'; },
      },
      {
        id: 'state-close-unconnected', fn: 'tcp_close', file: TCP_C, line: '2044-2045',
        text: 'if (sk->sk_state == TCP_CLOSE) goto adjudge_to_death  /* never listening: nothing to unhash */', scope: 'socket',
        run: (k, c) => { k.life(c.sk, 'STATE_CLOSE'); },
      },
      {
        id: 'release_sock', fn: 'tcp_close', file: TCP_C, line: '2106',
        text: 'release_sock(sk)  /* adjudge_to_death, after sock_orphan (2100-2103): before the port is released */', scope: 'socket',
        run: (k, c) => { k.setLockOwner(c.sk, -1); },
      },
      {
        id: 'destroy-put-port', fn: 'tcp_v4_destroy_sock', file: TCP_IPV4_C, line: '1794-1795',
        text: 'if (inet_csk(sk)->icsk_bind_hash) inet_put_port(sk)  /* sk_state is TCP_CLOSE (tcp.c 2165): inet_csk_destroy_sock (2173) -> tcp_v4_destroy_sock */',
        scope: 'shared', blocked: headLockBusy,
        run: (k, c) => { if (k.bindHash(c.sk) >= 0) inetPutPort(k, c.sk); k.set_rcv_saddr(c.sk, 0); },
      },
      {
        id: 'sock-put', fn: 'tcp_close', file: TCP_C, line: '2178-2180',
        text: 'bh_unlock_sock(sk); local_bh_enable(); sock_put(sk)', scope: 'private',
        run: (k, c) => { k.life(c.sk, 'RELEASE_FILE'); return RETURN; },
      },
    ],
  };
}

/** A SYN arriving for addr:port: __inet_lookup_listener (ih.c 200-254), under RCU. */
export function synProgram(bucketOf = listenBucket43, lookup = lookupListener): Program {
  return {
    name: 'syn',
    steps: [
      {
        id: 'lookup', fn: '__inet_lookup_listener', file: IH_C, line: '200-254',
        text: 'rcu_read_lock(); sk_nulls_for_each_rcu(sk, node, &ilb->head) { score = compute_score(sk, net, hnum, daddr, dif); } rcu_read_unlock(); return result  /* the port\'s listening chain: the best score wins, reuseport ties by a 4-tuple hash */',
        scope: 'shared',
        run: (k, c) => {
          const port = c.portOf >= 0 ? k.inet_num(c.portOf) : c.port;
          const daddr = c.addr === 0 ? 1 : c.addr; // a SYN to 0.0.0.0 goes to 127.0.0.1
          const sk = port < 0 ? -1 : lookup(k, daddr, port, bucketOf(port, daddr, k.L.addrs));
          k.setErr(c.t, sk < 0 ? RES_ECONNREFUSED : RES_SYN_TO + sk);
          return RETURN;
        },
      },
    ],
  };
}
