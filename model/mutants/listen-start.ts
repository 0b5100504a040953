// Mutants of inet_csk_listen_start / inet_listen (4.3: icsk.c 795-826, af_inet.c 194-247; 6.18:
// icsk.c 1340-1374, af_inet.c 193-248): where LISTEN is published, what the failure path undoes,
// and when the socket is hashed. Line numbers of 6.18: 6.18.2 (from 6.18.21 on,
// inet_connection_sock.c lines after 155 are 14 lower).

import { AF_INET_C, RES_OK, TCP_LISTEN } from '../kernel.ts';
import type { Kernel } from '../kernel-view.ts';
import { findStep, RETURN, type Step } from '../program.ts';
import type { KernelVariant } from '../variant.ts';
import { linux43 } from '../variants/linux-4.3/index.ts';
import { linux618 } from '../variants/linux-6.18/index.ts';
import { listenLockBusy } from '../common/guards.ts';
import { fp, reprotect, union } from '../footprint.ts';
import { applyMutation, bucketOf, statement, stepAfter, told, type Edit, type Mutant, type Told } from './common.ts';

// M1 — the TCP_LISTEN store (4.3 icsk.c 813, 6.18 1360) moved after a successful get_port (814,
// 1361), so the failure path has nothing to roll back (823, 1372 are skipped). get_port then runs
// with the socket still TCP_CLOSE: nobody's scan sees it, and its own fast path (4.3) or `reuse`
// (6.18, 516) is open to it. `line` is where the moved store stands.
function publishAfterGetPort(b: KernelVariant, p: Told & { line: string; seedLine?: string }): Mutant {
  const { getPort, rules, errno } = b.parts;
  return applyMutation(b, {
    ...told('publish-after-get-port', 'M1', p, 'Without the store-then-check protocol two listeners on one address:port without SO_REUSEPORT both succeed.'),
    steps: ['publish-listen', 'get-port'],
    edits: [
      { program: 'listen', move: 'publish-listen', after: 'get-port' },
      {
        program: 'listen', patch: 'get-port', with: (s, L) => ({
          text: `${statement(s)}  /* M1: sk_state is still TCP_CLOSE here */`,
          run: (k, c) => {
            const unbound = k.inet_num(c.sk) < 0;
            const err = getPort(k, c, k.inet_num(c.sk), rules);
            k.setRet(c.t, err);
            if (err !== 0) { if (errno) k.setErr(c.t, err); return stepAfter(L, 'rollback'); } // nothing was published, nothing to roll back
            if (unbound) k.life(c.sk, 'BIND_OK'); // autobound while still TCP_CLOSE: plainly bound
          },
        }),
      },
      {
        program: 'listen', patch: 'publish-listen', with: (s) => ({
          line: p.line,
          ...(p.seedLine !== undefined ? { seedLine: p.seedLine } : {}),
          text: `${statement(s)}  /* M1: published after get_port succeeded */`,
          run: (k, c) => {
            k.set_sk_state(c.sk, TCP_LISTEN);
            k.setValidated(c.sk, true);
            k.life(c.sk, 'PUBLISH_LISTEN');
            k.life(c.sk, 'GET_PORT_OK');
          },
        }),
      },
    ],
  });
}

const M1 = [
  publishAfterGetPort(linux43, {
    line: '814-815',
    seedLine: '813-814',
    change: 'inet_csk_listen_start stores sk_state = TCP_LISTEN (icsk.c 813) only after get_port (814) succeeded; the failure path has no rollback.',
    history: 'The opposite of what the kernel does on purpose: the early store dates from the 2.6 era and is unchanged in 6.18 (shared/kernel-listen-path.md §6.2, §8).',
  }),
  publishAfterGetPort(linux618, {
    line: '1362',
    change: 'inet_csk_listen_start stores TCP_LISTEN (icsk.c 1360) only after get_port (1361) succeeded; a failure returns without the TCP_CLOSE store (1372).',
    history: 'The opposite of what the kernel does on purpose: the early store dates from the 2.6 era and is unchanged in 6.18, now a release store (shared/kernel-listen-path.md §6.2, §8).',
  }),
];

// M5 — the failure path's TCP_CLOSE store (4.3 icsk.c 822, 6.18 1372) is dropped.
function noRollback(b: KernelVariant, p: Told): Mutant {
  return applyMutation(b, {
    ...told('no-rollback', 'M5', p, 'A failed listen() leaves a phantom TCP_LISTEN owner that blocks the port for others, unhashed, and a retried listen() returns 0 without hashing.'),
    steps: ['rollback'],
    edits: [{ program: 'listen', patch: 'rollback', with: (s) => ({ text: `/* M5: ${statement(s)} dropped */`, footprint: [], run: () => {} }) }],
  });
}

const M5 = [
  noRollback(linux43, { change: 'The failure path of inet_csk_listen_start no longer stores sk_state = TCP_CLOSE (icsk.c 823).' }),
  noRollback(linux618, { change: 'The failure path of inet_csk_listen_start no longer stores TCP_CLOSE (icsk.c 1372).' }),
];

// M6 — listen() returns 0 after get_port failed: the `err = -EADDRINUSE` of the failure path is
// lost and err keeps an earlier 0. The lost assignment sits in a different statement of each
// kernel (`step`): 4.3's unwind returns err (icsk.c 824-825), so inet_listen carries on as after
// a success (af_inet.c 240-241); 6.18 tests get_port's result without storing it in err (icsk.c
// 1361), the shape of the 5.15.88 backport, so err keeps the 0 that inet_ulp_can_listen returned
// (1346-1348) and the failure path returns it (1373). `run` is that step's new body.
function listenReturns0OnFailure(b: KernelVariant, p: Told & { step: string; text: string; run: (base: Step) => Step['run'] }): Mutant {
  return applyMutation(b, {
    ...told('listen-returns-0-on-failure', 'M6', p, 'listen() returns 0 after get_port failed: the socket is TCP_CLOSE and unhashed, accept() gives EINVAL and SYNs get a RST.'),
    steps: [p.step],
    edits: [{ program: 'listen', patch: p.step, with: (s) => ({ text: p.text, run: p.run(s) }) }],
  });
}

const M6 = [
  listenReturns0OnFailure(linux43, {
    step: 'queue-destroy',
    text: '__reqsk_queue_destroy(&icsk->icsk_accept_queue); return err  /* M6: err = -EADDRINUSE lost, err == 0 */',
    run: (queueDestroy) => (k, c) => {
      queueDestroy.run(k, c);
      k.setErr(c.t, RES_OK);
      return 'set-backlog'; // inet_listen: `if (err) goto out` not taken
    },
    change: 'The failure path of inet_csk_listen_start returns err, whose `err = -EADDRINUSE` assignment was lost, so it is still 0 (icsk.c 824-825).',
    history: 'The backport of "net/ulp: prevent ULP without clone op from entering the LISTEN status" to 5.15.88, 5.4.229, 4.19.270 and 4.14.303 dropped the assignment; fixed by "tcp: Fix listen() regression in 5.15.88." and its siblings (§8 B11).',
  }),
  listenReturns0OnFailure(linux618, {
    step: 'get-port',
    text: 'if (!sk->sk_prot->get_port(sk, inet->inet_num))  /* M6: err is still the 0 of inet_ulp_can_listen (1346) */',
    run: (getPort) => (k, c) => {
      const to = getPort.run(k, c);
      if (to === 'rollback') k.setErr(c.t, RES_OK);
      return to;
    },
    change: 'inet_csk_listen_start tests get_port\'s result without storing it in err (icsk.c 1361), so after the rollback it returns the 0 left by inet_ulp_can_listen (1346-1348).',
    history: 'The backport of "net/ulp: prevent ULP without clone op from entering the LISTEN status" (dadd0dcaa67d) to 5.15.88, 5.4.229, 4.19.270 and 4.14.303 took part of "net: Return errno in sk->sk_prot->get_port()." (7a7160edf1bf) and dropped `err = -EADDRINUSE` while `if (!get_port(...))` stayed, so err was the 0 of inet_ulp_can_listen; fixed by "tcp: Fix listen() regression in 5.15.88." and its siblings (§8 B11).',
  }),
];

// M8 — the hash call (4.3 icsk.c 818, 6.18 1366) moved from after a successful get_port to right
// after the LISTEN store (813, 1360), before get_port (814, 1361). The lifecycle has no state for
// "hashed in the race window": HASH_OK is sent where the success path ends, so sequential runs
// (scenario setups) stay legal; the kill is hashed-implies-validated. (inet_hash never fails in
// the model.) `waitsForBucketLock`: the moved step waits for the lock of the bucket it hashes
// into even when the socket is unbound (6.18); else it keeps the base's wait, which an unbound
// socket skips (4.3).
function hashBeforeGetPort(b: KernelVariant, p: Told & { waitsForBucketLock: boolean }): Mutant {
  const hash = (k: Kernel, sk: number) => b.parts.hash(k, sk, bucketOf(b, k, sk));
  return applyMutation(b, {
    ...told('hash-before-get-port', 'M8', p, 'SYNs can be delivered to a listener whose port was never validated, and one whose get_port fails stays hashed.'),
    steps: ['hash', 'set-sport'],
    // Built with a hash that does nothing, the hash step is only the success exit that follows it.
    parts: { hash: () => 0 },
    edits: [
      { program: 'listen', move: 'hash', after: 'publish-listen' },
      {
        program: 'listen', patch: 'set-sport', with: (s, L) => {
          const exit = findStep(L, 'hash');
          // The exit only finds the bucket (inet_num, the address) under lock_sock: the insert is a no-op now.
          const exitReads = (exit.footprint ?? []).filter((a) => a.under === 'lock_sock');
          return { footprint: union(s.footprint, exitReads), run: (k, c) => { s.run(k, c); return exit.run(k, c); } };
        },
      },
      {
        program: 'listen', patch: 'hash', with: (s) => ({
          text: `${statement(s)}  /* M8: before get_port validated the port */`,
          ...(p.waitsForBucketLock ? { blocked: (k, c) => listenLockBusy(k, c, bucketOf(b, k, c.sk)) } : {}),
          run: (k, c) => { hash(k, c.sk); },
        }),
      },
    ],
  });
}

// M8, second form — the hash call taken out of the block that tests get_port's result (4.3 icsk.c
// 814-818, 6.18 1361-1369): it runs whatever get_port returned, and a failed get_port still rolls
// back (823, 1372) with its error. `getPortTest` is the kernel's test of get_port's result.
function hashEvenOnFailure(b: KernelVariant, p: Told & { getPortTest: string }): Mutant {
  return applyMutation(b, {
    ...told('hash-even-on-failure', 'M8', p, 'A socket whose port get_port refused enters the listening hash, and stays there after the rollback.'),
    steps: ['hash', 'get-port'],
    edits: [
      {
        program: 'listen', patch: 'get-port', with: (s) => ({
          run: (k, c) => {
            const to = s.run(k, c);
            return to === 'rollback' ? 'hash' : to;
          },
        }),
      },
      {
        program: 'listen', patch: 'hash', with: (s) => ({
          text: `sk->sk_prot->hash(sk)  /* M8: outside the ${p.getPortTest} block */`,
          run: (k, c) => {
            if (k.ret(c.t) === 0) return s.run(k, c);
            b.parts.hash(k, c.sk, bucketOf(b, k, c.sk));
            return 'rollback';
          },
        }),
      },
    ],
  });
}

const M8 = [
  hashBeforeGetPort(linux43, {
    waitsForBucketLock: false,
    change: 'inet_csk_listen_start calls hash(sk) (icsk.c 818) right after publishing TCP_LISTEN (813), before get_port (814).',
  }),
  hashEvenOnFailure(linux43, {
    getPortTest: 'if (!get_port(...))',
    change: 'inet_csk_listen_start calls hash(sk) (icsk.c 818) after get_port (814) whether or not it succeeded, then rolls back to TCP_CLOSE on failure (823).',
  }),
  hashBeforeGetPort(linux618, {
    waitsForBucketLock: true,
    change: 'inet_csk_listen_start calls hash(sk) (icsk.c 1366) right after publishing TCP_LISTEN (1360), before get_port (1361).',
  }),
  hashEvenOnFailure(linux618, {
    getPortTest: 'if (!err)',
    change: 'inet_csk_listen_start calls hash(sk) (icsk.c 1366) after get_port (1361) whether or not it succeeded, then rolls back to TCP_CLOSE on failure (1372).',
  }),
];

// Not in §7.3 — the failure path's TCP_CLOSE store (4.3 icsk.c 823, 6.18 1372) runs after
// release_sock (af_inet.c 244, 245), e.g. a refactor that resets the state in inet_listen's exit
// path. Between the two, another thread's listen() or close() of the same socket takes lock_sock
// and sees the failed socket as TCP_LISTEN (6.18's listen() then only updates the backlog,
// __inet_listen_sk 205, 226). Every step that jumped to the rollback now jumps past it to the
// unwind, which falls through to the early release_sock.
function rollbackAfterReleaseSock(b: KernelVariant, p: Told & { failing: readonly string[]; release: Pick<Step, 'line' | 'text'> }): Mutant {
  const unwind = stepAfter(b.programs.listen, 'rollback');
  const release: Step = {
    id: 'release-before-rollback', fn: 'inet_listen', file: AF_INET_C, line: p.release.line,
    text: p.release.text, scope: 'socket', locks: { lock_sock: 'release' }, footprint: fp('socket.lockOwner w lock_sock'),
    run: (k, c) => { k.setLockOwner(c.sk, -1); },
  };
  const skipRollback = (id: string): Edit => ({
    program: 'listen', patch: id, with: (s) => ({
      run: (k, c) => {
        const to = s.run(k, c);
        return to === 'rollback' ? unwind : to;
      },
    }),
  });
  return applyMutation(b, {
    ...told('rollback-after-release-sock', undefined, p, 'A listen() of the same socket on another thread, between the two, sees TCP_LISTEN and returns 0 for a socket that is not hashed and about to be TCP_CLOSE.'),
    steps: ['release-before-rollback', 'rollback', ...p.failing, unwind],
    edits: [
      ...p.failing.map(skipRollback),
      { program: 'listen', move: 'rollback', after: unwind },
      { program: 'listen', replace: unwind, by: (s) => [{ ...s, run: (k, c) => { s.run(k, c); } }, release] },
      {
        program: 'listen', patch: 'rollback', with: (s) => ({
          text: `${statement(s)}  /* after release_sock: lock_sock no longer held */`,
          locks: {},
          footprint: reprotect(s.footprint ?? [], 'lock_sock', 'plain'),
          run: (k, c) => { s.run(k, c); return RETURN; },
        }),
      },
    ],
  });
}

const ROLLBACK_AFTER_RELEASE_SOCK = [
  rollbackAfterReleaseSock(linux43, {
    failing: ['get-port'], // inet_hash cannot fail in 4.3
    release: { line: '244', text: 'release_sock(sk)  /* before the failed listen() has reset sk_state */' },
    change: 'The failure path stores sk_state = TCP_CLOSE (icsk.c 823) after release_sock (af_inet.c 244) instead of under lock_sock.',
  }),
  rollbackAfterReleaseSock(linux618, {
    failing: ['get-port', 'hash'], // icsk.c 1361 and 1366 both reach the rollback
    release: { line: '245', text: 'release_sock(sk)  /* before the failed listen() has stored TCP_CLOSE */' },
    change: 'The failure path stores TCP_CLOSE (icsk.c 1372) after release_sock (af_inet.c 245) instead of under lock_sock.',
  }),
];

export const LISTEN_START_MUTANTS: readonly Mutant[] = [
  ...M1, ...M5, ...M6, ...M8, ...ROLLBACK_AFTER_RELEASE_SOCK,
];
