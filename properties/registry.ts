// Every property of the listen path, as data. The order here is the order of every table.
// Kernel lines: 4.3 as in the 4.3.0 release, with the seed's number beside the lines it quotes
// (inet_csk_listen_start, one lower: "813 (seed 812)"); 6.18 as in 6.18.2 (shared/kernel-listen-path.md §9).
// `npx tcp-listen-model lines` checks that each range lies in its file and is not bounded by a blank line.

import { KernelReader, type ReadonlyKernel } from '../model/kernel-view.ts';
import type { System } from '../model/system.ts';
import {
  TCP_CLOSE, TCP_LISTEN, RES_OK, RES_EADDRINUSE, RES_SYN_TO, SOCK_BINDPORT_LOCK, TCP_STATE_NAMES, resultName, addressesOverlap,
} from '../model/kernel.ts';
import { LIFE } from '../model/lifecycle/table.ts';
import { typeErrorAt } from './type-ok.ts';
import type { Property } from './types.ts';

const name = (sys: System, sk: number) => sys.names.sockets[sk];
const st = (k: ReadonlyKernel, sk: number) => TCP_STATE_NAMES[k.get_sk_state(sk)] ?? String(k.get_sk_state(sk));

/** Both sockets may share an address:port as listeners: SO_REUSEPORT on both, same uid. */
const reuseportEscape = (k: ReadonlyKernel, a: number, b: number) => k.reuseport(a) && k.reuseport(b) && k.uid(a) === k.uid(b);

/** Lifecycle state index -> facts it implies, precomputed: invariants run on every state. */
const LISTEN_LIFE = LIFE.states.map((s) => ['raceWindow', 'rejected', 'validated', 'listening', 'unhashed'].includes(s));
const [UNBOUND, BOUND, VALIDATED, LISTENING, CLOSED] = ['unbound', 'bound', 'validated', 'listening', 'closed'].map((s) => LIFE.states.indexOf(s));

/** A thread is in the middle of a listen() or close() of this socket (it holds its lock). */
function insideOwnSyscall(k: ReadonlyKernel, sys: System, sk: number, programs: readonly string[]): boolean {
  const t = k.lockOwner(sk);
  if (t < 0) return false;
  const op = k.opIndex(t);
  const plan = sys.threads[t];
  return op < plan.ops.length && programs.includes(plan.programs[op].name);
}

export const PROPERTIES: readonly Property[] = [
  {
    id: 'hashed-implies-validated',
    kind: 'invariant',
    sentence: 'A socket in the listening hash is TCP_LISTEN, owns the bind bucket of its port, and passed get_port.',
    why: 'The kernel comment on the race window says it is harmless "because this socket enters the hash table only after validation is complete": SYNs are only delivered to hashed sockets.',
    kernel: { '4.3': ['inet_connection_sock.c 809-818 (seed 808-817)', 'inet_hashtables.c 426-452'], '6.18': ['inet_connection_sock.c 1355-1369', 'inet_hashtables.c 777-813'] },
    reads: ['socket.lhash', 'socket.state', 'socket.bindHash', 'socket.num', 'socket.validated'],
    check(k, sys) {
      for (let sk = 0; sk < sys.L.sockets; sk++) {
        if (!k.isHashed(sk)) continue;
        if (k.get_sk_state(sk) !== TCP_LISTEN) return `${name(sys, sk)} is hashed but ${st(k, sk)}`;
        if (k.bindHash(sk) < 0 || k.bindHash(sk) !== k.inet_num(sk)) return `${name(sys, sk)} is hashed but owns no bind bucket for its port`;
        if (!k.validated(sk)) return `${name(sys, sk)} is hashed but get_port has not validated its port`;
      }
      return null;
    },
  },
  {
    id: 'failure-restores-close',
    kind: 'postcondition',
    sentence: 'A listen() that returns an error leaves its socket TCP_CLOSE, unhashed and without an accept queue.',
    why: 'A failed listen() must not leave a half-listener behind: one that blocks the port for others, or that SYNs can reach.',
    kernel: { '4.3': ['inet_connection_sock.c 823-825 (seed 822-824)', 'af_inet.c 237-238'], '6.18': ['inet_connection_sock.c 1372-1373'] },
    check(k, sys, op, c, result) {
      if (op.op !== 'listen' || result === RES_OK) return null;
      if (k.get_sk_state(c.sk) === TCP_LISTEN && !k.isOpen(c.sk)) return null; // EBADF: never touched
      if (k.get_sk_state(c.sk) !== TCP_CLOSE) return `listen(${name(sys, c.sk)}) returned ${resultName(result, sys.names.sockets)} but left it ${st(k, c.sk)}`;
      if (k.isHashed(c.sk)) return `listen(${name(sys, c.sk)}) failed but left it in the listening hash`;
      if (k.hasQueue(c.sk)) return `listen(${name(sys, c.sk)}) failed but left its accept queue allocated`;
      return null;
    },
  },
  {
    id: 'listen-success-is-listening',
    kind: 'postcondition',
    sentence: 'A listen() that returns 0 leaves its socket TCP_LISTEN and in the listening hash.',
    why: 'A program that sees listen() succeed calls accept() and waits for clients; a socket that is not hashed gets no SYN (the 5.15.88 regression returned 0 from a failed listen).',
    kernel: { '4.3': ['inet_connection_sock.c 813-821 (seed 812-820)', 'af_inet.c 236-245'], '6.18': ['inet_connection_sock.c 1360-1369', 'af_inet.c 220-226'] },
    check(k, sys, op, c, result) {
      if (op.op !== 'listen' || result !== RES_OK) return null;
      if (k.get_sk_state(c.sk) !== TCP_LISTEN) return `listen(${name(sys, c.sk)}) returned 0 but the socket is ${st(k, c.sk)}`;
      if (!k.isHashed(c.sk)) return `listen(${name(sys, c.sk)}) returned 0 but the socket is not in the listening hash`;
      return null;
    },
  },
  {
    id: 'no-conflicting-listeners',
    kind: 'invariant',
    sentence: 'No two sockets that passed get_port listen on overlapping address:port unless both have SO_REUSEPORT with the same uid.',
    why: 'Two listeners on one port without SO_REUSEPORT would split or steal connections; SO_REUSEADDR never allows sharing with a listener.',
    kernel: { '4.3': ['inet_connection_sock.c 46-88', '189-213'], '6.18': ['inet_connection_sock.c 170-198', '240-279', '287-322', '556-586'] },
    reads: ['socket.state', 'socket.validated', 'socket.num', 'socket.saddr'],
    check(k, sys) {
      for (let a = 0; a < sys.L.sockets; a++) {
        if (!k.isListen(a) || !k.validated(a)) continue;
        for (let b = a + 1; b < sys.L.sockets; b++) {
          if (!k.isListen(b) || !k.validated(b) || k.inet_num(a) !== k.inet_num(b)) continue;
          if (!addressesOverlap(k.rcv_saddr(a), k.rcv_saddr(b)) || reuseportEscape(k, a, b)) continue;
          return `${name(sys, a)} and ${name(sys, b)} both listen on port ${sys.portLabels[k.inet_num(a)]} with overlapping addresses`;
        }
      }
      return null;
    },
  },
  {
    id: 'get-port-respects-listeners',
    kind: 'step',
    sentence: 'When get_port grants a port, no socket whose listen() already passed get_port, and that lacks SO_REUSEPORT, listens on an overlapping address of that port.',
    why: 'A listener without SO_REUSEPORT shares its address:port with nobody; SO_REUSEADDR never lets a socket in beside a listener. The fast-path cache (tb->fastreuse) must have been cleared by the listener\'s own get_port. A socket still in the race window does not count: the stale cache may let a SO_REUSEADDR bind in beside it, which is the same as that bind coming first.',
    kernel: { '4.3': ['inet_connection_sock.c 61-82', '189-198', '214-225'], '6.18': ['inet_connection_sock.c 170-198', '425-454', '456-508', '556-562'] },
    steps: ['get-port'],
    check(k, sys, step, c) {
      if (step.id !== 'get-port' || c.sk < 0 || k.inet_num(c.sk) < 0 || k.bindHash(c.sk) < 0) return null;
      if (k.ret(c.t) !== 0) return null;
      const port = k.inet_num(c.sk);
      for (let b = 0; b < sys.L.sockets; b++) {
        if (b === c.sk || k.reuseport(b) || !k.isListen(b) || !k.validated(b) || k.inet_num(b) !== port) continue;
        if (!addressesOverlap(k.rcv_saddr(c.sk), k.rcv_saddr(b))) continue;
        return `get_port granted ${sys.portLabels[port]} to ${name(sys, c.sk)} while ${name(sys, b)}, without SO_REUSEPORT, listens on an overlapping address`;
      }
      return null;
    },
  },
  {
    id: 'two-socket-rule',
    kind: 'postcondition',
    sentence: 'With one thread and at most two sockets, bind() and listen() on a given port return what the pairwise rule says: sharing with a bound socket needs both SO_REUSEADDR or both SO_REUSEPORT (same uid), sharing with a listener needs both SO_REUSEPORT.',
    why: 'This is the closed-form rule of shared/kernel-listen-path.md §5.1, which both kernels follow for two sockets; the fast-path caches must never change a two-socket answer.',
    kernel: { '4.3': ['inet_connection_sock.c 46-88', '188-236'], '6.18': ['inet_connection_sock.c 170-198', '456-508', '514-609'] },
    expectedViolation: {
      kernels: ['4.3'],
      seenIn: ['bind-beside-reuseport-listener', 'mixed-three'],
      why: 'In 4.3 a socket that takes a fast path jumps to `success` past the update of the fast flags (icsk.c 193-198 -> 237). A listener with SO_REUSEADDR and SO_REUSEPORT validates its port by the fastreuseport path and leaves tb->fastreuse set, so a SO_REUSEADDR bind beside it succeeds (§5.2 row 14 says EADDRINUSE). 6.18 updates the flags on every success (icsk.c 589) and refuses it.',
    },
    check(k, sys, op, c, result) {
      if (sys.concurrent !== 1 || sys.L.sockets > 2) return null;
      if ((op.op !== 'bind' && op.op !== 'listen') || (result !== RES_OK && result !== RES_EADDRINUSE)) return null;
      if (op.op === 'bind' && c.port < 0) return null;
      // A listen() on an unbound socket autobinds: no given port, nothing to compare.
      if (op.op === 'listen' && (k.inet_num(c.sk) < 0 || !(k.userlocks(c.sk) & SOCK_BINDPORT_LOCK))) return null;
      const port = op.op === 'bind' ? c.port : k.inet_num(c.sk);
      const addr = op.op === 'bind' ? c.addr : k.rcv_saddr(c.sk);
      let allowed = true;
      for (let b = 0; b < sys.L.sockets; b++) {
        if (b === c.sk || k.inet_num(b) !== port || !addressesOverlap(addr, k.rcv_saddr(b))) continue;
        const ok = k.isListen(b) ? reuseportEscape(k, c.sk, b) : reuseportEscape(k, c.sk, b) || (k.reuse(c.sk) && k.reuse(b));
        if (!ok) allowed = false;
      }
      const got = result === RES_OK;
      if (got === allowed) return null;
      return `${op.op}(${name(sys, c.sk)}) returned ${resultName(result, sys.names.sockets)} but the pairwise rule says ${allowed ? '0' : 'EADDRINUSE'}`;
    },
  },
  {
    id: 'inuse-counts-hashed',
    kind: 'invariant',
    sentence: "The protocol's in-use counter equals the number of sockets in the listening hash.",
    why: '/proc/net/sockstat and memory accounting read the counter; a lost update under a missing lock shows here first.',
    kernel: { '4.3': ['inet_hashtables.c 439', '471'], '6.18': ['inet_hashtables.c 807', '835'] },
    reads: ['socket.lhash', 'global.prot_inuse'],
    check(k, sys) {
      let hashed = 0;
      for (let sk = 0; sk < sys.L.sockets; sk++) if (k.isHashed(sk)) hashed++;
      return hashed === k.inuse() ? null : `in-use counter is ${k.inuse()} but ${hashed} socket(s) are hashed`;
    },
  },
  {
    id: 'owners-match-inet-num',
    kind: 'invariant',
    sentence: "A socket is in a bind bucket's owners exactly when its inet_num names that bucket's port, and a bucket exists exactly while it has owners.",
    why: 'inet_bind_hash and __inet_put_port change both together under the head lock; a port held without an owner entry is invisible to conflict checks.',
    kernel: { '4.3': ['inet_hashtables.c 91-98', '103-119'], '6.18': ['inet_hashtables.c 200-207', '212-242'] },
    reads: ['socket.bindHash', 'socket.num', 'tb.exists'],
    check(k, sys) {
      for (let sk = 0; sk < sys.L.sockets; sk++) {
        if (k.bindHash(sk) !== k.inet_num(sk)) return `${name(sys, sk)}: inet_num is ${k.inet_num(sk) < 0 ? 0 : sys.portLabels[k.inet_num(sk)]} but it owns ${k.bindHash(sk) < 0 ? 'no bucket' : `the bucket of ${sys.portLabels[k.bindHash(sk)]}`}`;
        if (k.bindHash(sk) >= 0 && !k.tbExists(k.bindHash(sk))) return `${name(sys, sk)} owns a bind bucket that does not exist`;
      }
      for (let p = 0; p < sys.L.ports; p++) {
        if (k.tbExists(p) && !k.hasOwners(p)) return `the bind bucket of ${sys.portLabels[p]} exists with no owners`;
      }
      return null;
    },
  },
  {
    id: 'queue-iff-listen',
    kind: 'invariant',
    sentence: "A socket has an accept queue exactly while it is TCP_LISTEN, or while its own listen() or close() is setting the queue up or tearing it down.",
    why: 'accept() on a socket without a queue, or a queue leaked by a failed listen(), are both kernel bugs.',
    kernel: { '4.3': ['inet_connection_sock.c 799 (seed 798)', '824 (seed 823)', 'tcp.c 2023'], '6.18': ['inet_connection_sock.c 1350', 'tcp.c 3131-3138'] },
    reads: ['socket.state', 'socket.queue', 'socket.lockOwner', 'thread.op'],
    check(k, sys) {
      for (let sk = 0; sk < sys.L.sockets; sk++) {
        if (k.isListen(sk) && !k.hasQueue(sk) && !insideOwnSyscall(k, sys, sk, ['listen', 'close'])) return `${name(sys, sk)} is TCP_LISTEN without an accept queue`;
        if (!k.isListen(sk) && k.hasQueue(sk) && !insideOwnSyscall(k, sys, sk, ['listen', 'close'])) return `${name(sys, sk)} is ${st(k, sk)} but still has an accept queue`;
      }
      return null;
    },
  },
  {
    id: 'syn-finds-validated-listener',
    kind: 'postcondition',
    sentence: 'A SYN lookup only ever finds a socket that was in the listening hash (and so TCP_LISTEN with its port validated by get_port, by hashed-implies-validated); if it is still hashed when the lookup returns, it is TCP_LISTEN and validated now.',
    why: 'A SYN delivered to an unvalidated socket would start a connection on a port the socket may not own. The lookup walks the chain under RCU, one node at a time: a listener unhashed by close() after the walker reached it can still be the result (the receive path then finds it closing), so "hashed when found" is all the kernel promises, not "hashed when the lookup returns".',
    kernel: { '4.3': ['inet_hashtables.c 200-253', '426-474'], '6.18': ['inet_hashtables.c 349-370', '413-438', '462-503', '777-845'] },
    check(k, sys, op, _c, result) {
      if (op.op !== 'syn' || result < RES_SYN_TO) return null;
      const sk = result - RES_SYN_TO;
      if (!k.wasHashed(sk)) return `a SYN found ${name(sys, sk)}, which is ${st(k, sk)} and was never in the listening hash`;
      if (k.isHashed(sk) && (!k.isListen(sk) || !k.validated(sk))) return `a SYN found ${name(sys, sk)}, which is hashed but ${st(k, sk)}, ${k.validated(sk) ? 'validated' : 'not validated'}`;
      return null;
    },
  },
  {
    id: 'syn-not-refused-while-covered',
    kind: 'outcome',
    sentence: 'A SYN is never refused while some listener covers its address:port (bound to its port, on its address or 0.0.0.0, in the listening hash) for the whole lookup.',
    why: 'A client that connects while a service swaps one listener for another (a new one on 127.0.0.1:P listening before the old one on 0.0.0.0:P closes) expects no reset: at every instant some socket listened there. The ghost flag `covered` (THREAD_FIELDS) records, from the lookup\'s first step to its last, that such a listener was hashed at every instant.',
    kernel: { '4.3': ['inet_hashtables.c 213-252', '426-474'], '6.18': ['inet_hashtables.c 413-438', '462-503', '777-845'] },
    expectedViolation: {
      kernels: ['4.3', '6.18'],
      seenIn: ['syn-two-walks', 'syn-chain-ahead'],
      why: 'The lookup is not atomic. 6.18 walks lhash2[daddr:port] and then lhash2[0.0.0.0:port] (ih.c 486-498): the SYN misses S in the first walk (not hashed yet, 806) and W in the second (unhashed meanwhile, 834). 4.3 walks one chain, but a node hashed after the walker read the head is never seen (436), so when a third listener X sits ahead of W the walker stands on X while S is hashed and W unhashed, and X\'s next is then the chain\'s end (ih.c 217, 467; scenario syn-chain-ahead). 4.3 also refuses without X: a walker that reached W before its unhash and scores it after close() released the port gets -1, and one that picked W before close() ended finds it freed (atomic_inc_not_zero fails, 243-244: NULL, no second walk).',
    },
    appliesTo(sys) {
      return sys.threads.slice(0, sys.concurrent).some((th) => th.ops.some((o) => o.op === 'syn'));
    },
    check(k, sys) {
      for (let t = 0; t < sys.concurrent; t++) {
        if (k.refusedCovered(t)) return `${sys.threads[t].name}'s SYN was refused although a listener covered its address for the whole lookup`;
      }
      return null;
    },
  },
  {
    id: 'no-lock-held-on-return',
    kind: 'postcondition',
    sentence: 'When a syscall returns, its thread holds no lock: no lock_sock, no bind-bucket head lock, no listening-bucket lock.',
    why: 'A lock leaked by an error path deadlocks the next caller.',
    kernel: { '4.3': ['af_inet.c 244', 'inet_connection_sock.c 243-247'], '6.18': ['af_inet.c 245', 'inet_connection_sock.c 597-607'] },
    check(k, sys, op, c) {
      const t = c.t;
      for (let sk = 0; sk < sys.L.sockets; sk++) if (k.lockOwner(sk) === t) return `${sys.threads[t].name} returned from ${op.op} holding lock_sock(${name(sys, sk)})`;
      for (let p = 0; p < sys.L.ports; p++) if (k.headLock(p) === t) return `${sys.threads[t].name} returned from ${op.op} holding the head lock of ${sys.portLabels[p]}`;
      for (let b = 0; b < sys.L.listenBuckets; b++) if (k.listenLock(b) === t) return `${sys.threads[t].name} returned from ${op.op} holding a listening-bucket lock`;
      return null;
    },
  },
  {
    id: 'no-deadlock',
    kind: 'progress',
    sentence: 'No reachable state has an unfinished thread while no thread can move.',
    why: 'A cycle of lock waits hangs the syscalls involved for good.',
    kernel: { '4.3': ['inet_connection_sock.c 127', '181', 'inet_hashtables.c 437'], '6.18': ['inet_connection_sock.c 542', '570', 'inet_hashtables.c 795'] },
  },
  {
    id: 'state-matches-lifecycle',
    kind: 'invariant',
    sentence: "A socket's sk_state, port and hash membership always agree with its state in the lifecycle statechart.",
    why: 'The statechart is the single source of truth for lifecycle moves; a disagreement means the model and the machine describe different kernels.',
    kernel: { '4.3': ['inet_connection_sock.c 813 (seed 812)', '823 (seed 822)', 'tcp.c 1902-1935'], '6.18': ['inet_connection_sock.c 1360', '1372', 'tcp.c 2945-3014'] },
    reads: ['socket.life', 'socket.state', 'socket.num', 'socket.lhash', 'socket.validated', 'socket.open'],
    check(k, sys) {
      for (let sk = 0; sk < sys.L.sockets; sk++) {
        const life = k.lifeState(sk);
        const bad = (what: string) => `${name(sys, sk)} is ${what} in lifecycle state ${LIFE.states[life]}`;
        if (k.get_sk_state(sk) !== (LISTEN_LIFE[life] ? TCP_LISTEN : TCP_CLOSE)) return bad(st(k, sk));
        if (life === UNBOUND && k.inet_num(sk) >= 0) return bad('bound');
        if ((life === BOUND || life === VALIDATED || life === LISTENING) && k.inet_num(sk) < 0) return bad('unbound');
        if ((life === LISTENING) !== k.isHashed(sk)) return bad(k.isHashed(sk) ? 'hashed' : 'unhashed');
        if ((life === VALIDATED || life === LISTENING) !== k.validated(sk)) return bad(k.validated(sk) ? 'validated' : 'not validated');
        if (life === CLOSED && (k.isOpen(sk) || k.inet_num(sk) >= 0)) return bad(k.isOpen(sk) ? 'still open' : 'still bound');
      }
      return null;
    },
  },
  {
    id: 'lifecycle-legal',
    kind: 'invariant',
    sentence: 'Every lifecycle move a step makes is one the XState statechart accepts.',
    why: 'A move the statechart refuses is either a model error or, in a mutant, a kernel path that skips a stage (hashing before validation, closing before unhashing).',
    kernel: { '4.3': ['inet_connection_sock.c 795-826 (seed 794-825)'], '6.18': ['inet_connection_sock.c 1340-1374'] },
    everyTransition: true,
    check(k) {
      return k.refused;
    },
  },
  {
    id: 'bind-success-owns-port',
    kind: 'postcondition',
    sentence: 'A bind() that returns 0 leaves its socket the owner of a bind bucket, with inet_num and rcv_saddr set.',
    why: 'Everything after bind() (listen, the conflict checks of others) assumes the port is held.',
    kernel: { '4.3': ['af_inet.c 497-512', 'inet_hashtables.c 91-98'], '6.18': ['af_inet.c 536-562', 'inet_hashtables.c 200-207'] },
    check(k, sys, op, c, result) {
      if (op.op !== 'bind' || result !== RES_OK) return null;
      if (k.inet_num(c.sk) < 0 || k.bindHash(c.sk) !== k.inet_num(c.sk)) return `bind(${name(sys, c.sk)}) returned 0 but it owns no port`;
      if (c.port >= 0 && k.inet_num(c.sk) !== c.port) return `bind(${name(sys, c.sk)}) returned 0 but holds ${sys.portLabels[k.inet_num(c.sk)]}`;
      if (k.rcv_saddr(c.sk) !== c.addr) return `bind(${name(sys, c.sk)}) returned 0 with the wrong address`;
      return null;
    },
  },
  {
    id: 'close-releases',
    kind: 'postcondition',
    sentence: 'A close() that returns leaves its socket TCP_CLOSE, unhashed, without a port and without an accept queue.',
    why: 'A listener never enters TIME_WAIT: its port must be free for the next bind() as soon as close() returns.',
    kernel: { '4.3': ['tcp.c 1902-1935', '2010-2181', 'tcp_ipv4.c 1794-1795'], '6.18': ['tcp.c 2945-3014', '3123-3304', 'tcp_ipv4.c 2576-2577'] },
    check(k, sys, op, c, result) {
      if (op.op !== 'close' || result !== RES_OK) return null;
      const sk = c.sk;
      if (k.get_sk_state(sk) !== TCP_CLOSE) return `close(${name(sys, sk)}) returned with the socket ${st(k, sk)}`;
      if (k.isHashed(sk)) return `close(${name(sys, sk)}) returned with the socket still hashed`;
      if (k.inet_num(sk) >= 0 || k.bindHash(sk) >= 0) return `close(${name(sys, sk)}) returned with its port still held`;
      if (k.hasQueue(sk)) return `close(${name(sys, sk)}) returned with its accept queue allocated`;
      return null;
    },
  },
  {
    id: 'some-concurrent-listener-succeeds',
    kind: 'outcome',
    sentence: 'Of two or more sockets bound to one address:port with SO_REUSEADDR that call listen() at the same time, at least one succeeds.',
    why: 'Users expect a listen() race to have a winner. Linux publishes TCP_LISTEN before the check (a store-then-check protocol, so that two listeners never both succeed) and pays with a rare outcome where every one fails.',
    kernel: { '4.3': ['inet_connection_sock.c 809-825 (seed 808-824)'], '6.18': ['inet_connection_sock.c 1355-1373'] },
    expectedViolation: {
      kernels: ['4.3', '6.18'],
      seenIn: ['listen-race-2'],
      why: 'Both publish TCP_LISTEN; the first get_port sees the second as a listener and fails; the second get_port runs before the first rolls back to TCP_CLOSE, sees it as a listener and fails too (shared/kernel-listen-path.md §6.2). Seen on Linux 6.18 about once in 10,000 tries.',
    },
    appliesTo(sys) {
      if (sys.concurrent < 2) return false;
      const sks = sys.threads.slice(0, sys.concurrent).map((th) => (th.ops.length === 1 && th.ops[0].op === 'listen' ? th.ctx[0].sk : -1));
      if (sks.some((sk) => sk < 0) || new Set(sks).size !== sks.length) return false;
      const k0 = new KernelReader(sys.L, sys.socks, sys.ephemeral, sys.init);
      return sks.every((sk) => k0.inet_num(sk) >= 0 && k0.inet_num(sk) === k0.inet_num(sks[0]) && sys.socks[sk].reuse && !sys.socks[sk].reuseport);
    },
    check(k, sys) {
      for (let t = 0; t < sys.concurrent; t++) if (k.result(t, 0) === RES_OK) return null;
      return `every listen() failed: ${sys.threads.slice(0, sys.concurrent).map((th, t) => `${th.name} ${resultName(k.result(t, 0), sys.names.sockets)}`).join(', ')}; the port has no listener`;
    },
  },
  {
    id: 'type-ok',
    kind: 'invariant',
    sentence: 'Every field of every socket, bucket, thread and counter holds a value of its declared kind: a known sk_state or lifecycle state, a flag 0 or 1, a reference to a port, thread, socket or bucket that exists.',
    why: 'The model packs the kernel structures into bytes; a value outside its field\'s domain (a lock held by a thread that does not exist, a bucket past the table) is a model error that every other property would misread.',
    kernel: { '4.3': ['include/net/inet_hashtables.h 77-86'], '6.18': ['include/net/inet_hashtables.h 77-113'] },
    check(k, sys) {
      return typeErrorAt(k, sys);
    },
    // Each byte is judged alone: after a transition from a state that passed, only the changed bytes can fail.
    checkFrom(k, sys, change) {
      return typeErrorAt(k, sys, change);
    },
  },
];

export function findProperty(id: string): Property | undefined {
  return PROPERTIES.find((p) => p.id === id);
}
