// Mutants that give the remaining properties teeth (issue 9, item 8): before them no mutant broke
// no-lock-held-on-return, no-deadlock, lifecycle-legal, bind-success-owns-port or type-ok. Each is
// a plausible kernel mistake on the listen, bind or close path: an error path that returns with
// lock_sock held, a lock taken in the opposite order to the kernel's, a close that skips the
// unhash, a bind that misreads get_port's result, and (6.18) a stale connect-only marker.

import type { Ctx, Step } from '../program.ts';
import { RETURN } from '../program.ts';
import type { Kernel, ReadonlyKernel } from '../kernel-view.ts';
import type { KernelVariant } from '../variant.ts';
import { linux43 } from '../variants/linux-4.3/index.ts';
import { linux618 } from '../variants/linux-6.18/index.ts';
import { headLockBusy } from '../common/guards.ts';
import { applyMutation, statement, told, type Edit, type Mutant, type Told } from './common.ts';
import { fp, union } from '../footprint.ts';

// ---- no-lock-held-on-return: a listen() error path that skips release_sock ---------------------

// inet_listen returns inet_csk_listen_start's error with `return err` instead of `goto out`, so
// release_sock (4.3 af_inet.c 244, 6.18 245) is skipped. `step` is the model step that ends the
// failure path (it jumped to release_sock; now it returns).
function listenErrorSkipsReleaseSock(b: KernelVariant, p: Told & { step: string; note: string }): Mutant {
  return applyMutation(b, {
    ...told('listen-error-skips-release-sock', undefined, p, 'A listen() that fails returns with lock_sock held: every later lock_sock of that socket (listen, close, bind, the softirq backlog) waits for good.'),
    steps: [p.step],
    edits: [{
      program: 'listen', patch: p.step, with: (s) => ({
        text: `${statement(s)}  /* ${p.note} */`,
        run: (k, c) => { s.run(k, c); return RETURN; },
      }),
    }],
  });
}

const LISTEN_ERROR_SKIPS_RELEASE_SOCK = [
  listenErrorSkipsReleaseSock(linux43, {
    step: 'queue-destroy',
    note: 'then inet_listen: if (err) return err;  release_sock skipped',
    change: 'inet_listen returns the error of inet_csk_listen_start with `if (err) return err;` instead of `goto out` (af_inet.c 236-238), skipping `out: release_sock(sk)` (243-244).',
  }),
  listenErrorSkipsReleaseSock(linux618, {
    step: 'return-err',
    note: 'then inet_listen: if (err) return err;  release_sock skipped',
    change: 'inet_listen returns the error of __inet_listen_sk with `if (err) return err;` (af_inet.c 241) before `out: release_sock(sk)` (243-245).',
    history: '__inet_listen_sk (af_inet.c 193-227) was split out of inet_listen so that MPTCP can call it with the lock held; inside it the old `goto out` became `return err` (220-221). The same rewrite in the caller leaks the lock.',
  }),
];

// ---- no-deadlock: get_port locks the owners it scans, under the head lock ----------------------

// The conflict scan reads each owner's sk_state without its lock (4.3 icsk.c 68/78, 6.18 184):
// a data race. A "fix" takes lock_sock(sk2) for each owner inside the scan, under the bind
// bucket's head lock (4.3 icsk.c 181, 6.18 542). The kernel's order is lock_sock, then the head
// lock (bind and listen call get_port under lock_sock); this takes them the other way round. Two
// steps hold locks across the interleaving point: `get-port-lock-head` takes the head lock,
// `get-port-lock-owners` then waits for the lock_sock of every other owner of the port and takes
// them all (one step: with the model's two or three sockets there is rarely more than one), and
// the kernel's own get-port step runs under both and drops them.

/** The port get_port is about to take: the socket's own, or the one bind() asks for (-1: ephemeral). */
const portAsked = (k: ReadonlyKernel, c: Ctx) => (k.inet_num(c.sk) >= 0 ? k.inet_num(c.sk) : c.port);

/** Another thread holds the lock_sock of some other owner of the port. */
function ownerLockBusy(k: ReadonlyKernel, c: Ctx): boolean {
  const port = portAsked(k, c);
  if (port < 0) return false;
  for (let sk2 = 0; sk2 < k.L.sockets; sk2++) {
    if (sk2 === c.sk || k.bindHash(sk2) !== port) continue;
    const owner = k.lockOwner(sk2);
    if (owner >= 0 && owner !== c.t) return true;
  }
  return false;
}

function unlockAll(k: Kernel, c: Ctx): void {
  for (let sk2 = 0; sk2 < k.L.sockets; sk2++) if (sk2 !== c.sk && k.lockOwner(sk2) === c.t) k.setLockOwner(sk2, -1);
  for (let p = 0; p < k.L.ports; p++) if (k.headLock(p) === c.t) k.setHeadLock(p, -1);
}

function getPortLocksOwners(b: KernelVariant, p: Told & { head: Pick<Step, 'line' | 'text'>; owners: Pick<Step, 'line' | 'text'> }): Mutant {
  const split = (program: 'bind' | 'listen'): Edit => ({
    program, replace: 'get-port', by: (s) => [
      {
        id: 'get-port-lock-head', fn: 'inet_csk_get_port', file: s.file, line: p.head.line, text: p.head.text, scope: 'shared',
        locks: { lock_sock: 'held', 'head->lock': 'acquire' }, blocked: headLockBusy,
        footprint: fp('socket.num r lock_sock', 'tb.lock rw head->lock'),
        run: (k, c) => { const port = portAsked(k, c); if (port >= 0) k.setHeadLock(port, c.t); },
      },
      {
        // lock_sock: 'held' names the socket's own lock; the owners' lock_sock it takes here has no name of its own in Locks.
        id: 'get-port-lock-owners', fn: 'inet_csk_bind_conflict', file: s.file, line: p.owners.line, text: p.owners.text, scope: 'shared',
        locks: { lock_sock: 'held', 'head->lock': 'held' }, blocked: ownerLockBusy,
        footprint: fp('socket.num r lock_sock', 'socket.bindHash r head->lock any', 'socket.lockOwner rw lock_sock any'),
        run: (k, c) => {
          const port = portAsked(k, c);
          if (port < 0) return;
          for (let sk2 = 0; sk2 < k.L.sockets; sk2++) if (sk2 !== c.sk && k.bindHash(sk2) === port) k.setLockOwner(sk2, c.t);
        },
      },
      {
        ...s, blocked: undefined,
        locks: { ...s.locks, 'head->lock': 'release' },
        footprint: union(s.footprint, fp('socket.lockOwner rw lock_sock any', 'tb.lock w head->lock')),
        text: `${s.text}  /* under the head lock and every owner's lock_sock, then release_sock(sk2) and spin_unlock(&head->lock) */`,
        run: (k, c) => { const to = s.run(k, c); unlockAll(k, c); return to; },
      },
    ],
  });
  return applyMutation(b, {
    ...told('get-port-locks-owners', undefined, p, 'bind() or listen() of one socket and listen() of another on the same port deadlock: each holds what the other waits for (lock_sock of its socket against the head lock).'),
    steps: ['get-port-lock-head', 'get-port-lock-owners', 'get-port'],
    edits: [split('bind'), split('listen')],
  });
}

const GET_PORT_LOCKS_OWNERS = [
  getPortLocksOwners(linux43, {
    change: 'inet_csk_get_port takes lock_sock(sk2) of every owner it scans (inet_csk_bind_conflict reads sk2->sk_state, icsk.c 68, 78) while it holds the bind bucket\'s head lock (181): the reverse of the lock_sock, then head->lock order of bind() and listen().',
    history: 'A plausible fix for the lockless read of sk2->sk_state in the conflict scan (the data race issue 9 reports against the TCP_LISTEN store, icsk.c 813). lockdep reports the inversion; lock_sock under a spinlock also sleeps in atomic context.',
    head: { line: '181', text: 'spin_lock(&head->lock)  /* held until get_port returns */' },
    owners: { line: '61-82', text: 'sk_for_each_bound(sk2, &tb->owners) lock_sock(sk2)  /* M: the owners\' socket locks, under head->lock */' },
  }),
  getPortLocksOwners(linux618, {
    change: 'inet_csk_get_port takes lock_sock(sk2) of every owner it scans (inet_bind_conflict reads sk2->sk_state, icsk.c 184) while it holds the bind bucket\'s head lock (542): the reverse of the lock_sock, then head->lock order of bind() and listen().',
    history: 'A plausible fix for the lockless read of sk2->sk_state in the conflict scan (6.18 publishes TCP_LISTEN with a release store, icsk.c 1360, but the scan reads it plainly). lockdep reports the inversion; lock_sock under a spinlock also sleeps in atomic context.',
    head: { line: '542', text: 'spin_lock_bh(&head->lock)  /* held until get_port returns */' },
    owners: { line: '170-198', text: 'sk_for_each_bound(sk2, &tb2->owners) lock_sock(sk2)  /* M: the owners\' socket locks, under head->lock */' },
  }),
];

// ---- lifecycle-legal: close stores TCP_CLOSE without unhashing the listener ---------------------

// tcp_set_state(TCP_CLOSE) loses its `sk->sk_prot->unhash(sk)` (4.3 tcp.c 1916, 6.18 2999): the
// listener is stored TCP_CLOSE and its file released while it is still in the listening hash.
// The statechart has no move from `listening` to `closing` that skips `unhashed`.
function closeSkipsUnhash(b: KernelVariant, p: Told): Mutant {
  return applyMutation(b, {
    ...told('close-skips-unhash', undefined, p, 'A closed socket stays in the listening hash: SYNs are delivered to a socket whose file is gone (a use-after-free once it is freed), and the in-use counter never comes down.'),
    steps: ['unhash'],
    edits: [{
      program: 'close', patch: 'unhash', with: (s) => ({
        text: `/* M: ${statement(s)} dropped: sk->sk_prot->unhash(sk) not called */`,
        locks: { lock_sock: 'held' }, blocked: undefined,
        run: () => {},
      }),
    }],
  });
}

const CLOSE_SKIPS_UNHASH = [
  closeSkipsUnhash(linux43, { change: 'tcp_set_state(TCP_CLOSE) no longer unhashes the socket (the sk->sk_prot->unhash(sk) of tcp.c 1916 is gone) before it stores TCP_CLOSE (1929).' }),
  closeSkipsUnhash(linux618, { change: 'tcp_set_state(TCP_CLOSE) no longer unhashes the socket (the sk->sk_prot->unhash(sk) of tcp.c 2999 is gone) before it stores TCP_CLOSE (3012).' }),
];

// ---- bind-success-owns-port: bind() misreads get_port's result ---------------------------------

// __inet_bind / inet_bind tests get_port's result with the other convention's test: 4.3's
// get_port returns 1 on failure, 6.18's a negative errno. The test never fires, so a refused
// get_port falls through to the success path: the lock bits, inet_sport and err = 0.
function bindIgnoresGetPortFailure(b: KernelVariant, p: Told & { text: string }): Mutant {
  return applyMutation(b, {
    ...told('bind-misreads-get-port', undefined, p, 'A bind() that get_port refused returns 0: the program believes it owns the address:port and listen() then autobinds an ephemeral port instead.'),
    steps: ['get-port'],
    edits: [{
      program: 'bind', patch: 'get-port', with: (s) => ({
        text: p.text,
        run: (k, c) => {
          const to = s.run(k, c);
          if (to !== 'release_sock') return to;
          k.set_rcv_saddr(c.sk, c.addr); // the reset inside the untaken block does not run
        },
      }),
    }],
  });
}

const BIND_MISREADS_GET_PORT = [
  bindIgnoresGetPortFailure(linux43, {
    text: 'if ((snum || !inet->bind_address_no_port) && sk->sk_prot->get_port(sk, snum) < 0)  /* M: get_port returns 1 on failure, never < 0 */',
    change: 'inet_bind tests `sk->sk_prot->get_port(sk, snum) < 0` (af_inet.c 497-498), but 4.3\'s get_port returns 1 on failure, so the error block (499-501) never runs.',
    history: 'The errno convention came with "net: Return errno in sk->sk_prot->get_port()." (7a7160edf1bf); code written for one convention and run with the other is the bug class of the 5.15.88 listen() regression (§8 B11).',
  }),
  bindIgnoresGetPortFailure(linux618, {
    text: 'err = sk->sk_prot->get_port(sk, snum); if (err > 0)  /* M: the pre-errno test; get_port returns -EADDRINUSE */',
    change: '__inet_bind tests `if (err > 0)` after get_port (af_inet.c 538-539), the test of the old convention in which get_port returned 1; 6.18\'s get_port returns -EADDRINUSE, so the error block (540-541) never runs.',
    history: 'get_port returns an errno since "net: Return errno in sk->sk_prot->get_port()." (7a7160edf1bf); the 5.15.88 backport mixed the two conventions the other way round (§8 B11).',
  }),
];

// ---- type-ok: a connect-only marker (-1) on a bucket that bind() owners still hold (6.18) ------

// 6.18 inet_bind_bucket_destroy (ih.c 96-114) marks a bucket connect-only, fastreuse =
// fastreuseport = -1 (112-113), when every tb2 left is connect-only; the loop that checks it
// (108-111) is lost, so a put_port that leaves other (bind()) owners marks the bucket. The model
// has no connect(), so no bucket of it may be connect-only: the fields' declared domains (bool,
// 0/ANY/STRICT) exclude -1, and type-ok sees the byte 255. 4.3 has no such reset: there only
// __inet_hash_connect (ih.c 536-537) stores -1, and the model has no connect().
function markConnectOnly(id: string): Edit {
  return {
    program: 'close', patch: id, with: (s) => ({
      footprint: union(s.footprint, fp('tb.exists r head->lock', 'tb.fastreuse w head->lock', 'tb.fastreuseport w head->lock')),
      text: `${s.text}  /* inet_bind_bucket_destroy without the tb2 loop: tb->fastreuse = tb->fastreuseport = -1 */`,
      run: (k, c) => {
        const port = k.bindHash(c.sk);
        const to = s.run(k, c);
        if (port >= 0 && k.bindHash(c.sk) < 0 && k.tbExists(port)) {
          k.setFastreuse(port, 0xff); // (signed char)-1
          k.setFastreuseport(port, 0xff);
        }
        return to;
      },
    }),
  };
}

const BUCKET_MARKED_CONNECT_ONLY = applyMutation(linux618, {
  ...told('put-port-marks-connect-only', undefined, {
    change: 'inet_bind_bucket_destroy marks a bucket that still has bind2 buckets connect-only (tb->fastreuse = tb->fastreuseport = -1, ih.c 112-113) without checking that every one of them is connect-only (the loop of 108-111 is gone).',
    effect: 'After a close() that leaves other bind() owners of the port, the bucket says connect-only: __inet_hash_connect (ih.c 1095, 1114-1115 test `>= 0`) may then hand that port to a connect() as its ephemeral port, beside a listener.',
    history: 'The reset came with "tcp: Update bind bucket state on port release" (d57f4b874946, 6.18, §8 B18).',
  }),
  steps: ['put-port-autobound', 'destroy-put-port'],
  edits: [markConnectOnly('put-port-autobound'), markConnectOnly('destroy-put-port')],
});

export const TEETH_MUTANTS: readonly Mutant[] = [
  ...LISTEN_ERROR_SKIPS_RELEASE_SOCK, ...GET_PORT_LOCKS_OWNERS, ...CLOSE_SKIPS_UNHASH, ...BIND_MISREADS_GET_PORT, BUCKET_MARKED_CONNECT_ONLY,
];
