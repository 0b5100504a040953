// Mutants of inet_csk_listen_start / inet_listen (icsk.c 794-826, af_inet.c 194-247): where
// LISTEN is published, what the failure path undoes, and when the socket is hashed.

import { AF_INET_C, RES_OK, TCP_LISTEN } from '../kernel.ts';
import { findStep, moveAfter, patchStep, replaceStep, RETURN, type Step } from '../program.ts';
import { inetCskGetPort } from '../variants/linux-4.3/get-port.ts';
import { inetHash } from '../variants/linux-4.3/hashtables.ts';
import { BASE, mutant43 } from './common.ts';

const L = BASE.programs.listen;
const getPort = findStep(L, 'get-port');
const hash = findStep(L, 'hash');
const rollback = findStep(L, 'rollback');
const queueDestroy = findStep(L, 'queue-destroy');
const setSport = findStep(L, 'set-sport');

/** The listening bucket 4.3's hash(sk) uses; an unbound socket hashes as port 0, bucket 0 here. */
const bucketOf = (k: Parameters<Step['run']>[0], sk: number) =>
  BASE.listenBucket(Math.max(0, k.inet_num(sk)), k.rcv_saddr(sk), k.L.addrs);

// M1 — icsk.c 812: `sk->sk_state = TCP_LISTEN` moved after a successful get_port (813), so the
// failure path has nothing to roll back (822 goes). get_port then runs with the socket still
// TCP_CLOSE: the fastreuse fast path is open to it, and nobody sees it in the scan.
export const publishAfterGetPort = mutant43({
  id: 'publish-after-get-port',
  catalogue: 'M1',
  change: 'inet_csk_listen_start stores sk_state = TCP_LISTEN (icsk.c 812) only after get_port (813) succeeded; the failure path has no rollback.',
  effect: 'Without the store-then-check protocol two listeners on one address:port without SO_REUSEPORT both succeed.',
  history: 'The opposite of what the kernel does on purpose: the early store dates from the 2.6 era and is unchanged in 6.18 (shared/kernel-listen-path.md §6.2, §8).',
  steps: ['publish-listen', 'get-port'],
  programs: {
    listen: patchStep(
      patchStep(moveAfter(L, 'publish-listen', 'get-port'), 'get-port', {
        text: 'if (!sk->sk_prot->get_port(sk, inet->inet_num))  /* M1: sk_state is still TCP_CLOSE here */',
        run: (k, c) => {
          const unbound = k.inet_num(c.sk) < 0;
          const r = inetCskGetPort(k, c.sk, k.inet_num(c.sk));
          k.setRet(c.t, r);
          if (r !== 0) return 'queue-destroy'; // nothing was published, nothing to roll back
          if (unbound) k.life(c.sk, 'BIND_OK'); // autobound while still TCP_CLOSE: plainly bound
        },
      }),
      'publish-listen',
      {
        line: '813-814',
        text: 'sk->sk_state = TCP_LISTEN  /* M1: published after get_port succeeded */',
        run: (k, c) => {
          k.set_sk_state(c.sk, TCP_LISTEN);
          k.setValidated(c.sk, true);
          k.life(c.sk, 'PUBLISH_LISTEN');
          k.life(c.sk, 'GET_PORT_OK');
        },
      },
    ),
  },
});

// M5 — icsk.c 822: the failure path's `sk->sk_state = TCP_CLOSE` is dropped.
export const noRollback = mutant43({
  id: 'no-rollback',
  catalogue: 'M5',
  change: 'The failure path of inet_csk_listen_start no longer stores sk_state = TCP_CLOSE (icsk.c 822).',
  effect: 'A failed listen() leaves a phantom TCP_LISTEN owner that blocks the port for others, unhashed, and a retried listen() returns 0 without hashing.',
  steps: ['rollback'],
  programs: {
    listen: patchStep(L, 'rollback', {
      text: '/* M5: sk->sk_state = TCP_CLOSE dropped */',
      run: () => {},
    }),
  },
});

// M6 — icsk.c 823-824: `return -EADDRINUSE` becomes `return err` with err still 0, so inet_listen
// carries on as after a success (af_inet.c 240-241).
export const listenReturns0OnFailure = mutant43({
  id: 'listen-returns-0-on-failure',
  catalogue: 'M6',
  change: 'The failure path of inet_csk_listen_start returns err, whose `err = -EADDRINUSE` assignment was lost, so it is still 0 (icsk.c 823-824).',
  effect: 'listen() returns 0 after get_port failed: the socket is TCP_CLOSE and unhashed, accept() gives EINVAL and SYNs get a RST.',
  history: 'The backport of "net/ulp: prevent ULP without clone op from entering the LISTEN status" to 5.15.88, 5.4.229, 4.19.270 and 4.14.303 dropped the assignment; fixed by "tcp: Fix listen() regression in 5.15.88." and its siblings (§8 B11).',
  steps: ['queue-destroy'],
  programs: {
    listen: patchStep(L, 'queue-destroy', {
      text: '__reqsk_queue_destroy(&icsk->icsk_accept_queue); return err  /* M6: err = -EADDRINUSE lost, err == 0 */',
      run: (k, c) => {
        queueDestroy.run(k, c);
        k.setErr(c.t, RES_OK);
        return 'set-backlog'; // inet_listen: `if (err) goto out` not taken
      },
    }),
  },
});

// M8 — icsk.c 817: `sk->sk_prot->hash(sk)` moved from after a successful get_port to right after
// the LISTEN store (812), before get_port (813) has looked at the port. The lifecycle has no state
// for "hashed in the race window": the socket's HASH_OK is sent where the success path ends, so
// that sequential runs (scenario setups) stay legal; the kill is hashed-implies-validated.
export const hashBeforeGetPort = mutant43({
  id: 'hash-before-get-port',
  catalogue: 'M8',
  change: 'inet_csk_listen_start calls hash(sk) (icsk.c 817) right after publishing TCP_LISTEN (812), before get_port (813).',
  effect: 'SYNs can be delivered to a listener whose port was never validated, and one whose get_port fails stays hashed.',
  steps: ['hash', 'set-sport'],
  programs: {
    listen: patchStep(
      patchStep(moveAfter(L, 'hash', 'publish-listen'), 'hash', {
        text: 'sk->sk_prot->hash(sk)  /* M8: before get_port validated the port */',
        run: (k, c) => { inetHash(k, c.sk, bucketOf(k, c.sk)); },
      }),
      'set-sport',
      {
        run: (k, c) => {
          setSport.run(k, c);
          k.life(c.sk, 'HASH_OK');
          return 'set-backlog';
        },
      },
    ),
  },
});

// M8, second form — icsk.c 813-817: the hash(sk) call is taken out of the
// `if (!get_port(...))` block and runs whatever get_port returned; the rollback (822) follows.
export const hashEvenOnFailure = mutant43({
  id: 'hash-even-on-failure',
  catalogue: 'M8',
  change: 'inet_csk_listen_start calls hash(sk) (icsk.c 817) after get_port (813) whether or not it succeeded, then rolls back to TCP_CLOSE on failure (822).',
  effect: 'A socket whose port get_port refused enters the listening hash, and stays there after the rollback.',
  steps: ['hash', 'get-port'],
  programs: {
    listen: patchStep(
      patchStep(L, 'get-port', {
        run: (k, c) => {
          const to = getPort.run(k, c);
          return to === 'rollback' ? 'hash' : to;
        },
      }),
      'hash',
      {
        text: 'sk->sk_prot->hash(sk)  /* M8: outside the if (!get_port(...)) block */',
        run: (k, c) => {
          if (k.ret(c.t) === 0) return hash.run(k, c);
          inetHash(k, c.sk, bucketOf(k, c.sk));
          return 'rollback';
        },
      },
    ),
  },
});

// Not in §7.3 — af_inet.c 244 / icsk.c 822: the failure path's `sk->sk_state = TCP_CLOSE` runs
// after release_sock, e.g. a refactor that resets the state in inet_listen's exit path. Between
// the two, another thread's listen() or close() of the same socket takes lock_sock and sees the
// failed socket as TCP_LISTEN.
const releaseBeforeRollback: Step = {
  id: 'release-before-rollback', fn: 'inet_listen', file: AF_INET_C, line: '244',
  text: 'release_sock(sk)  /* before the failed listen() has reset sk_state */', scope: 'socket',
  run: (k, c) => { k.setLockOwner(c.sk, -1); },
};

export const rollbackAfterReleaseSock = mutant43({
  id: 'rollback-after-release-sock',
  change: 'The failure path stores sk_state = TCP_CLOSE (icsk.c 822) after release_sock (af_inet.c 244) instead of under lock_sock.',
  effect: 'A listen() of the same socket on another thread, between the two, sees TCP_LISTEN and returns 0 for a socket that is not hashed and about to be TCP_CLOSE.',
  steps: ['release-before-rollback', 'rollback', 'get-port', 'queue-destroy'],
  programs: {
    listen: patchStep(
      replaceStep(
        moveAfter(
          patchStep(L, 'get-port', {
            run: (k, c) => {
              const to = getPort.run(k, c);
              return to === 'rollback' ? 'queue-destroy' : to;
            },
          }),
          'rollback', 'queue-destroy',
        ),
        'queue-destroy',
        [{ ...queueDestroy, run: (k, c) => { queueDestroy.run(k, c); } }, releaseBeforeRollback],
      ),
      'rollback',
      {
        text: 'sk->sk_state = TCP_CLOSE  /* after release_sock: lock_sock no longer held */',
        run: (k, c) => { rollback.run(k, c); return RETURN; },
      },
    ),
  },
});

export const LISTEN_START_MUTANTS = [
  publishAfterGetPort, noRollback, listenReturns0OnFailure, hashBeforeGetPort, hashEvenOnFailure, rollbackAfterReleaseSock,
];
