// The steps both kernels take alike, each built from the kernel's own function, file, line and
// text (which each kernel's programs.ts gives, in its own order). Where the kernels differ in
// what a step does, the step is written in that kernel's folder instead.

import type { Kernel, ReadonlyKernel } from '../kernel-view.ts';
import {
  AF_INET_C, ICSK_C, IH_C, TCP_C, TCP_CLOSE, TCP_LISTEN, SOCK_BINDADDR_LOCK, SOCK_BINDPORT_LOCK,
  RES_OK, RES_EINVAL, RES_EADDRINUSE, RES_EBADF, RES_ECONNREFUSED, RES_SYN_TO,
} from '../kernel.ts';
import { RETURN, type Access, type Ctx, type LockName, type Locks, type Program, type Step } from '../program.ts';
import type { KernelParts } from '../variant.ts';
import { headLockBusy, listenLockBusy, sockLockBusy } from './guards.ts';
import { fp, union } from '../footprint.ts';

/** The locks of a step that runs between lock_sock and release_sock. */
export const SOCK_HELD: Locks = { lock_sock: 'held' };

/** The locks of a step that runs under lock_sock and takes these locks inside. */
export const heldWith = (inside: readonly LockName[]): Locks =>
  ({ lock_sock: 'held', ...Object.fromEntries(inside.map((l) => [l, 'within'])) });

/**
 * lock_sock's own word, and the fd: the model reads `open` atomically with taking lock_sock (the
 * step waits while another thread holds it), which stands for fdget's file reference: a close()
 * racing a syscall on the same fd runs tcp_close only at the last fput, after it.
 */
const LOCK_SOCK_FP = fp('socket.lockOwner rw lock_sock', 'socket.open r lock_sock');

/** Takes lock_sock after looking the fd up (a closed fd gives EBADF before any lock). */
export function lockSock(fn: string, file: string, line: string): Step {
  return {
    id: 'lock_sock', fn, file, line, text: 'lock_sock(sk)', scope: 'socket', locks: { lock_sock: 'acquire' }, blocked: sockLockBusy,
    footprint: LOCK_SOCK_FP,
    run: (k, c) => {
      if (!k.isOpen(c.sk)) { k.setErr(c.t, RES_EBADF); return RETURN; }
      k.setLockOwner(c.sk, c.t);
    },
  };
}

export function releaseSock(fn: string, file: string, line: string): Step {
  return {
    id: 'release_sock', fn, file, line, text: 'release_sock(sk); return err', scope: 'socket', locks: { lock_sock: 'release' },
    footprint: fp('socket.lockOwner w lock_sock'),
    run: (k, c) => { k.setLockOwner(c.sk, -1); return RETURN; },
  };
}

// ---- bind ------------------------------------------------------------------------------------

function checkUnboundStep(fn: string, line: string, text: string): Step {
  return {
    id: 'check-unbound', fn, file: AF_INET_C, line, text, scope: 'socket', locks: SOCK_HELD,
    footprint: fp('socket.state r lock_sock/once', 'socket.num r lock_sock'),
    run: (k, c) => {
      k.setErr(c.t, RES_EINVAL);
      if (k.get_sk_state(c.sk) !== TCP_CLOSE || k.inet_num(c.sk) >= 0) return 'release_sock';
    },
  };
}

function setAddrStep(fn: string, line: string, text: string): Step {
  return {
    id: 'set-addr', fn, file: AF_INET_C, line, text, scope: 'private', locks: SOCK_HELD,
    footprint: fp('socket.saddr w lock_sock unhashed'), // check-unbound passed: in no bind bucket yet
    run: (k, c) => { k.set_rcv_saddr(c.sk, c.addr); },
  };
}

/**
 * get_port inside bind(): on a refusal the address is reset and bind returns EADDRINUSE (4.3:
 * get_port returns 1) or get_port's errno, which is also the step's ret (6.18).
 */
function bindGetPortStep<R>(fn: string, line: string, text: string, parts: KernelParts<R>, locks: Locks, getPort: readonly Access[]): Step {
  return {
    id: 'get-port', fn, file: AF_INET_C, line, text, scope: 'shared', locks, blocked: headLockBusy,
    // The refusal resets the address of a socket in no hash table: bind() needs an unbound socket that never listened.
    footprint: union(getPort, fp('socket.saddr w lock_sock unhashed')),
    run: (k, c) => {
      const err = parts.getPort(k, c, c.port, parts.rules);
      if (parts.errno) k.setRet(c.t, err);
      if (err !== 0) {
        k.set_rcv_saddr(c.sk, 0);
        k.setErr(c.t, parts.errno ? err : RES_EADDRINUSE);
        return 'release_sock';
      }
      k.life(c.sk, 'BIND_OK');
    },
  };
}

/** The end of a successful bind: the lock bits, inet_sport, err = 0. */
function setLocksStep(fn: string, line: string, text: string): Step {
  return {
    id: 'set-locks', fn, file: AF_INET_C, line, text, scope: 'private', locks: SOCK_HELD,
    footprint: fp('socket.userlocks rw lock_sock', 'socket.sport w lock_sock', 'socket.num r lock_sock'),
    run: (k, c) => {
      k.setUserlocks(c.sk, k.userlocks(c.sk) | (c.addr ? SOCK_BINDADDR_LOCK : 0) | (c.port >= 0 ? SOCK_BINDPORT_LOCK : 0));
      k.set_inet_sport(c.sk, k.inet_num(c.sk));
      k.setErr(c.t, RES_OK);
    },
  };
}

/** Where a kernel's inet_bind says each of its steps: [line, the C the line holds]. */
export interface InetBindSource {
  /** The function the steps run in (4.3 inet_bind, 6.18 __inet_bind). */
  fn: string;
  lockSock: string;
  checkUnbound: readonly [string, string];
  setAddr: readonly [string, string];
  getPort: readonly [string, string];
  setLocks: readonly [string, string];
  releaseSock: string;
}

/**
 * inet_bind as both kernels run it: lock_sock, the unbound check, the address, get_port (under
 * the kernel's head locks, with its footprint), the lock bits and sport, release_sock.
 */
export function inetBindProgram<R>(src: InetBindSource, parts: KernelParts<R>, locks: Locks, getPort: readonly Access[]): Program {
  return {
    name: 'bind',
    steps: [
      lockSock(src.fn, AF_INET_C, src.lockSock),
      checkUnboundStep(src.fn, ...src.checkUnbound),
      setAddrStep(src.fn, ...src.setAddr),
      bindGetPortStep(src.fn, ...src.getPort, parts, locks, getPort),
      setLocksStep(src.fn, ...src.setLocks),
      releaseSock(src.fn, AF_INET_C, src.releaseSock),
    ],
  };
}

// ---- listen ----------------------------------------------------------------------------------

/** inet_csk_listen_start's store of TCP_LISTEN: the race window opens. */
export function publishListenStep(line: string, text: string, store: string): Step {
  return {
    id: 'publish-listen', fn: 'inet_csk_listen_start', file: ICSK_C, line, text, scope: 'shared', locks: SOCK_HELD,
    footprint: fp(`socket.state w ${store}`),
    run: (k, c) => { k.set_sk_state(c.sk, TCP_LISTEN); k.life(c.sk, 'PUBLISH_LISTEN'); },
  };
}

/** get_port inside listen(): validates the port (or autobinds) under the head lock; a refusal goes to the rollback. */
export function listenGetPortStep<R>(line: string, text: string, parts: KernelParts<R>, locks: Locks, getPort: readonly Access[]): Step {
  return {
    id: 'get-port', fn: 'inet_csk_listen_start', file: ICSK_C, line, text, scope: 'shared', locks, blocked: headLockBusy,
    footprint: getPort,
    run: (k, c) => {
      const err = parts.getPort(k, c, k.inet_num(c.sk), parts.rules);
      k.setRet(c.t, err);
      if (err !== 0) {
        if (parts.errno) k.setErr(c.t, err); // 6.18: err = get_port(...)
        k.life(c.sk, 'GET_PORT_FAIL');
        return 'rollback';
      }
      k.setValidated(c.sk, true);
      k.life(c.sk, 'GET_PORT_OK');
    },
  };
}

export function setSportStep(line: string, text: string): Step {
  return {
    id: 'set-sport', fn: 'inet_csk_listen_start', file: ICSK_C, line, text, scope: 'private', locks: SOCK_HELD,
    footprint: fp('socket.sport w lock_sock', 'socket.num r lock_sock'),
    run: (k, c) => { k.set_inet_sport(c.sk, k.inet_num(c.sk)); },
  };
}

/** The failure path's state store, after get_port has dropped its locks (§7.1 (c)). */
export function rollbackStep(line: string, text = 'sk->sk_state = TCP_CLOSE'): Step {
  return {
    id: 'rollback', fn: 'inet_csk_listen_start', file: ICSK_C, line, text, scope: 'shared', locks: SOCK_HELD,
    footprint: fp('socket.state w lock_sock/once', 'socket.num r lock_sock'), // a plain C store in both kernels (6.18: inet_sk_set_state), to the volatile skc_state
    run: (k, c) => {
      k.set_sk_state(c.sk, TCP_CLOSE);
      k.setValidated(c.sk, false);
      k.life(c.sk, k.inet_num(c.sk) >= 0 ? 'ROLLBACK_TO_BOUND' : 'ROLLBACK_TO_UNBOUND');
    },
  };
}

// ---- close -----------------------------------------------------------------------------------

/**
 * The start of close(): the fd goes away (a closed fd gives EBADF) and tcp_close takes
 * lock_sock; a socket that is not listening skips tcp_set_state's unhash.
 */
export function closeLockStep(line: string, text: string): Step {
  return {
    ...lockSock('tcp_close', TCP_C, line),
    text,
    footprint: union(LOCK_SOCK_FP, fp('socket.open w lock_sock', 'socket.state r lock_sock/once')),
    run: (k, c) => {
      if (!k.isOpen(c.sk)) { k.setErr(c.t, RES_EBADF); return RETURN; }
      k.setOpen(c.sk, false);
      k.setLockOwner(c.sk, c.t);
      k.setErr(c.t, RES_OK);
      if (k.get_sk_state(c.sk) !== TCP_LISTEN) return 'state-close-unconnected';
    },
  };
}

/** tcp_set_state's unhash of a listener, under its listening bucket's lock. */
export function unhashStep(fn: string, line: string, text: string, lock: LockName, unhash: (k: Kernel, sk: number) => void, footprint: readonly Access[]): Step {
  return {
    id: 'unhash', fn, file: IH_C, line, text, scope: 'shared', locks: heldWith([lock]),
    footprint: union(fp('socket.lhash r lock_sock', `lhash.lock r ${lock}`), footprint),
    blocked: (k, c) => listenLockBusy(k, c, k.lhash(c.sk)),
    run: (k, c) => { unhash(k, c.sk); k.setValidated(c.sk, false); k.life(c.sk, 'UNHASH'); },
  };
}

/** tcp_set_state releases the port of an autobound socket (one bound by listen(), not bind()). */
export function putPortAutoboundStep(line: string, text: string, putPort: (k: Kernel, sk: number) => void, locks: Locks, footprint: readonly Access[]): Step {
  return {
    id: 'put-port-autobound', fn: 'tcp_set_state', file: TCP_C, line, text, scope: 'shared', locks, blocked: headLockBusy,
    footprint: union(fp('socket.userlocks r lock_sock'), footprint),
    run: (k, c) => {
      if (k.bindHash(c.sk) >= 0 && !(k.userlocks(c.sk) & SOCK_BINDPORT_LOCK)) putPort(k, c.sk);
    },
  };
}

/** tcp_set_state's TCP_CLOSE store, after the unhash. */
export function stateCloseStep(line: string, text: string, store: string): Step {
  return {
    id: 'state-close', fn: 'tcp_set_state', file: TCP_C, line, text, scope: 'shared', locks: SOCK_HELD,
    footprint: fp(`socket.state w ${store}`),
    run: (k, c) => { k.set_sk_state(c.sk, TCP_CLOSE); k.setValidated(c.sk, false); k.life(c.sk, 'STATE_CLOSE'); },
  };
}

/** inet_csk_listen_stop, then on to `next`: 6.18 releases the port before release_sock, 4.3 after. */
export function listenStopStep(fn: string, line: string, text: string, next: string): Step {
  return {
    id: 'listen-stop', fn, file: TCP_C, line, text, scope: 'private', locks: SOCK_HELD,
    footprint: fp('socket.queue w lock_sock'),
    run: (k, c) => { k.setQueue(c.sk, false); return next; },
  };
}

export function stateCloseUnconnectedStep(fn: string, line: string, text: string): Step {
  return {
    id: 'state-close-unconnected', fn, file: TCP_C, line, text, scope: 'socket', locks: SOCK_HELD,
    footprint: [], // only the statechart moves
    run: (k, c) => { k.life(c.sk, 'STATE_CLOSE'); },
  };
}

export function closeReleaseStep(line: string, text: string): Step {
  return {
    id: 'release_sock', fn: 'tcp_close', file: TCP_C, line, text, scope: 'socket', locks: { lock_sock: 'release' },
    footprint: fp('socket.lockOwner w lock_sock'),
    run: (k, c) => { k.setLockOwner(c.sk, -1); k.life(c.sk, 'RELEASE_FILE'); return RETURN; },
  };
}

// ---- syn -------------------------------------------------------------------------------------

// A SYN's lookup walks a listening chain node by node under RCU (each kernel's programs.ts
// builds the walk); these are the parts both kernels' walks share. The walker's locals are
// THREAD_FIELDS walkAt, walkNode, walkBest and hiscore; `covered` and `refusedCovered` are ghosts.

/** The daddr:port a SYN looks up as a listening-bucket key (port * addresses + daddr), or -1 when it names no port. */
function synTarget(k: ReadonlyKernel, c: Ctx): number {
  // A SYN to `portOf` goes to the port that socket got: the scenario's plumbing, not a kernel read.
  const port = c.portOf >= 0 ? k.ghost(() => k.inet_num(c.portOf)) : c.port;
  const daddr = c.addr === 0 ? 1 : c.addr; // a SYN to 0.0.0.0 goes to 127.0.0.1
  return port < 0 ? -1 : port * k.L.addrs + daddr;
}

/** The lookup's first step: its target and whether a hashed listener covers it now (the ghost). Returns the key or -1. */
export function beginLookup(k: Kernel, c: Ctx): number {
  const key = synTarget(k, c);
  if (key >= 0) {
    k.setWalkAt(c.t, key);
    k.setCovered(c.t, k.covers(key));
  }
  k.setWalkBest(c.t, -1);
  k.setHiscore(c.t, 0);
  return key;
}

/** The lookup's end: the SYN's result, the ghost verdict, the walker's locals back to 0. */
export function endLookup(k: Kernel, c: Ctx): typeof RETURN {
  const sk = k.walkBest(c.t);
  k.setErr(c.t, sk < 0 ? RES_ECONNREFUSED : RES_SYN_TO + sk);
  if (sk < 0 && k.covered(c.t)) k.setRefusedCovered(c.t);
  k.setWalkAt(c.t, -1);
  k.setWalkNode(c.t, -1);
  k.setWalkBest(c.t, -1);
  k.setHiscore(c.t, 0);
  k.setCovered(c.t, false);
  return RETURN;
}

/** What a walk step reads of a chain: the node's membership, stamp and kept next, under RCU. */
export const CHAIN_READ: readonly Access[] = fp('socket.lhash r rcu any', 'socket.lhashSeq r rcu any', 'socket.lhashNext r rcu any')
  .map((a) => ({ ...a, unit: 'rcu_dereference(node->next)' }));

/** What compute_score reads of a node: plain loads of its port and address (ih.c: inet->inet_num, inet_rcv_saddr). */
export const SCORE_READ: readonly Access[] = fp('socket.num r plain any', 'socket.saddr r plain hashed');

/**
 * A SYN for addr:port found in one atomic step by `lookup` (the socket, or -1): not a kernel's
 * walk, but what a mutant that looks elsewhere than the listening chain does instead.
 */
export function lookupStep(fn: string, file: string, line: string, text: string, lookup: (k: Kernel, daddr: number, port: number) => number, footprint: readonly Access[]): Step {
  return {
    id: 'lookup', fn, file, line, text, scope: 'shared', locks: { rcu_read_lock: 'within' }, footprint,
    run: (k, c) => {
      const key = beginLookup(k, c);
      if (key >= 0) k.setWalkBest(c.t, lookup(k, key % k.L.addrs, Math.floor(key / k.L.addrs)));
      return endLookup(k, c);
    },
  };
}
