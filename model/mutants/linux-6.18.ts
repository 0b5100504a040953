// Mutants of linux-6.18: the linux-4.3 catalogue applied where it makes sense on 6.18, and the
// §7.3 entries only 6.18's structures have (bhash2's 0.0.0.0 bucket, the STRICT fast-path cache).
// Each is derived from the 6.18 programs by one change. Line numbers: 6.18.2 (from 6.18.21 on,
// inet_connection_sock.c lines after 155 are 14 lower).
//
// Left out, because on 6.18 (or in the model) they are equivalent to the base kernel:
// - M3, M4 (the fastreuse fast path and its update ignoring the LISTEN state): tb->fastreuse is
//   never set on 6.18 (see the top of variants/linux-6.18/get-port.ts), so neither test is ever
//   reached with fastreuse > 0.
// - M7 (listen() ignores an inet_hash error): inet_hash never fails with bind, listen, close and
//   syn (its ENOMEM is not modelled, its EBUSY is unreachable: variants/linux-6.18/hashtables.ts).
// - M9 (reuseport group join without the tb check, or without the uid check): the model's lhash2
//   buckets are per (port, address) with no collisions, so the tb test is implied by the bucket;
//   and no two listeners of different users are ever hashed on one address:port, because get_port
//   (with the store-then-check protocol) refuses the second, so the uid test never decides.
// - M12 (conflict scan misses TIME_WAIT owners): the model has no TIME_WAIT sockets.

import { ADDR_ANY, AF_INET_C, ICSK_C, IH_C, RES_EADDRINUSE, RES_OK, TCP_CLOSE, TCP_LISTEN } from '../kernel.ts';
import type { Kernel } from '../kernel-view.ts';
import { findStep, moveAfter, patchStep, replaceStep, RETURN, type Ctx, type Program, type Step } from '../program.ts';
import type { PairRule } from '../variants/linux-6.18/bind-conflict.ts';
import {
  FASTREUSEPORT_STRICT, inetCskGetPort, RULES_6_18, skReuseportMatch, type GetPortRules618,
} from '../variants/linux-6.18/get-port.ts';
import { inetHash, listenBucket618 } from '../variants/linux-6.18/hashtables.ts';
import { bindProgram, listenProgram, synProgram } from '../variants/linux-6.18/programs.ts';
import { BASE_6_18 as BASE, mutant618 } from './common.ts';

const L = BASE.programs.listen;
const C = BASE.programs.close;
const getPort = findStep(L, 'get-port');
const hash = findStep(L, 'hash');
const rollback = findStep(L, 'rollback');
const returnErr = findStep(L, 'return-err');
const setSport = findStep(L, 'set-sport');
const unhash = findStep(C, 'unhash');

/** The lhash2 bucket inet_hash uses; an unbound socket (inet_num 0) hashes as port index 0 here. */
const bucketOf = (k: Kernel, sk: number) => listenBucket618(Math.max(0, k.inet_num(sk)), k.rcv_saddr(sk), k.L.addrs);

// ---- inet_csk_listen_start (icsk.c 1340-1374) ----------------------------------------------

// M1 — icsk.c 1360: inet_sk_state_store(sk, TCP_LISTEN) moved after a successful get_port (1361),
// so the failure path has nothing to roll back (1372 is skipped). get_port runs with the socket
// still TCP_CLOSE: nobody's scan sees it, and its own `reuse` (516) is true.
export const publishAfterGetPort = mutant618({
  id: 'publish-after-get-port',
  catalogue: 'M1',
  change: 'inet_csk_listen_start stores TCP_LISTEN (icsk.c 1360) only after get_port (1361) succeeded; a failure returns without the TCP_CLOSE store (1372).',
  effect: 'Without the store-then-check protocol two listeners on one address:port without SO_REUSEPORT both succeed.',
  history: 'The opposite of what the kernel does on purpose: the early store dates from the 2.6 era and is unchanged in 6.18, now a release store (shared/kernel-listen-path.md §6.2, §8).',
  steps: ['publish-listen', 'get-port'],
  programs: {
    listen: patchStep(
      patchStep(moveAfter(L, 'publish-listen', 'get-port'), 'get-port', {
        text: 'err = sk->sk_prot->get_port(sk, inet->inet_num)  /* M1: sk_state is still TCP_CLOSE here */',
        run: (k, c) => {
          const unbound = k.inet_num(c.sk) < 0;
          const err = inetCskGetPort(k, c.sk, k.inet_num(c.sk));
          k.setRet(c.t, err);
          if (err !== 0) { k.setErr(c.t, err); return 'return-err'; } // nothing was published, nothing to roll back
          if (unbound) k.life(c.sk, 'BIND_OK'); // autobound while still TCP_CLOSE: plainly bound
        },
      }),
      'publish-listen',
      {
        line: '1362',
        text: 'inet_sk_state_store(sk, TCP_LISTEN)  /* M1: published after get_port succeeded */',
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

// M5 — icsk.c 1372: the failure path's inet_sk_set_state(sk, TCP_CLOSE) is dropped.
export const noRollback = mutant618({
  id: 'no-rollback',
  catalogue: 'M5',
  change: 'The failure path of inet_csk_listen_start no longer stores TCP_CLOSE (icsk.c 1372).',
  effect: 'A failed listen() leaves a phantom TCP_LISTEN owner that blocks the port for others, unhashed, and a retried listen() returns 0 without hashing.',
  steps: ['rollback'],
  programs: {
    listen: patchStep(L, 'rollback', {
      text: '/* M5: inet_sk_set_state(sk, TCP_CLOSE) dropped */',
      run: () => {},
    }),
  },
});

// M6 — icsk.c 1361: `err = sk->sk_prot->get_port(...); if (!err)` written back as
// `if (!sk->sk_prot->get_port(...))`, the shape of the 5.15.88 backport: err keeps the 0 that
// inet_ulp_can_listen returned (1346-1348), and the failure path returns it (1373).
export const listenReturns0OnFailure = mutant618({
  id: 'listen-returns-0-on-failure',
  catalogue: 'M6',
  change: 'inet_csk_listen_start tests get_port\'s result without storing it in err (icsk.c 1361), so after the rollback it returns the 0 left by inet_ulp_can_listen (1346-1348).',
  effect: 'listen() returns 0 after get_port failed: the socket is TCP_CLOSE and unhashed, accept() gives EINVAL and SYNs get a RST.',
  history: 'The backport of "net/ulp: prevent ULP without clone op from entering the LISTEN status" (dadd0dcaa67d) to 5.15.88, 5.4.229, 4.19.270 and 4.14.303 took part of "net: Return errno in sk->sk_prot->get_port()." (7a7160edf1bf) and dropped `err = -EADDRINUSE` while `if (!get_port(...))` stayed, so err was the 0 of inet_ulp_can_listen; fixed by "tcp: Fix listen() regression in 5.15.88." and its siblings (§8 B11).',
  steps: ['get-port'],
  programs: {
    listen: patchStep(L, 'get-port', {
      text: 'if (!sk->sk_prot->get_port(sk, inet->inet_num))  /* M6: err is still the 0 of inet_ulp_can_listen (1346) */',
      run: (k, c) => {
        const to = getPort.run(k, c);
        if (to === 'rollback') k.setErr(c.t, RES_OK);
        return to;
      },
    }),
  },
});

// M8 — icsk.c 1366: the hash(sk) call moved from after a successful get_port to right after the
// LISTEN store (1360), before get_port (1361). As in the 4.3 mutant, the lifecycle has no state for
// "hashed in the race window": HASH_OK is sent where the success path ends, so sequential setups
// stay legal; the kill is hashed-implies-validated. (inet_hash never fails in the model.)
export const hashBeforeGetPort = mutant618({
  id: 'hash-before-get-port',
  catalogue: 'M8',
  change: 'inet_csk_listen_start calls hash(sk) (icsk.c 1366) right after publishing TCP_LISTEN (1360), before get_port (1361).',
  effect: 'SYNs can be delivered to a listener whose port was never validated, and one whose get_port fails stays hashed.',
  steps: ['hash', 'set-sport'],
  programs: {
    listen: patchStep(
      patchStep(moveAfter(L, 'hash', 'publish-listen'), 'hash', {
        text: 'err = sk->sk_prot->hash(sk)  /* M8: before get_port validated the port */',
        blocked: (k, c) => { const h = k.listenLock(bucketOf(k, c.sk)); return h >= 0 && h !== c.t; },
        run: (k, c) => { inetHash(k, c.sk, bucketOf(k, c.sk)); },
      }),
      'set-sport',
      {
        run: (k, c) => {
          setSport.run(k, c);
          k.life(c.sk, 'HASH_OK');
          k.setErr(c.t, RES_OK);
          return 'release_sock';
        },
      },
    ),
  },
});

// M8, second form — icsk.c 1361-1369: the hash(sk) call taken out of the `if (!err)` block; it
// runs whatever get_port returned, and a failed get_port still rolls back (1372) with its error.
export const hashEvenOnFailure = mutant618({
  id: 'hash-even-on-failure',
  catalogue: 'M8',
  change: 'inet_csk_listen_start calls hash(sk) (icsk.c 1366) after get_port (1361) whether or not it succeeded, then rolls back to TCP_CLOSE on failure (1372).',
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
        text: 'sk->sk_prot->hash(sk)  /* M8: outside the if (!err) block */',
        run: (k, c) => {
          if (k.ret(c.t) === 0) return hash.run(k, c);
          inetHash(k, c.sk, bucketOf(k, c.sk));
          return 'rollback';
        },
      },
    ),
  },
});

// Not in §7.3 — icsk.c 1372 / af_inet.c 245: the failure path's TCP_CLOSE store runs after
// release_sock. Between the two, another thread's listen() of the same socket takes lock_sock,
// sees TCP_LISTEN and only updates the backlog (__inet_listen_sk 205, 226).
const releaseBeforeRollback: Step = {
  id: 'release-before-rollback', fn: 'inet_listen', file: AF_INET_C, line: '245',
  text: 'release_sock(sk)  /* before the failed listen() has stored TCP_CLOSE */', scope: 'socket',
  run: (k, c) => { k.setLockOwner(c.sk, -1); },
};

const toReturnErr = (s: Step): Partial<Step> => ({
  run: (k, c) => {
    const to = s.run(k, c);
    return to === 'rollback' ? 'return-err' : to;
  },
});

export const rollbackAfterReleaseSock = mutant618({
  id: 'rollback-after-release-sock',
  change: 'The failure path stores TCP_CLOSE (icsk.c 1372) after release_sock (af_inet.c 245) instead of under lock_sock.',
  effect: 'A listen() of the same socket on another thread, between the two, sees TCP_LISTEN and returns 0 for a socket that is not hashed and about to be TCP_CLOSE.',
  steps: ['release-before-rollback', 'rollback', 'get-port', 'hash', 'return-err'],
  programs: {
    listen: patchStep(
      replaceStep(
        moveAfter(patchStep(patchStep(L, 'get-port', toReturnErr(getPort)), 'hash', toReturnErr(hash)), 'rollback', 'return-err'),
        'return-err',
        [{ ...returnErr, run: (k, c) => { returnErr.run(k, c); } }, releaseBeforeRollback],
      ),
      'rollback',
      {
        text: 'inet_sk_set_state(sk, TCP_CLOSE)  /* after release_sock: lock_sock no longer held */',
        run: (k, c) => { rollback.run(k, c); return RETURN; },
      },
    ),
  },
});

// ---- inet_csk_get_port and the conflict rule (icsk.c 170-609) ------------------------------

/** The knobs of inet_bind_conflict (icsk.c 170-198) that the mutants turn. */
interface PairKnobs {
  /** `sk2->sk_state != TCP_LISTEN` (184) ends case R. */
  caseRSeesListen: boolean;
  /** `!uid_eq(uid, sk_uid(sk2))` (192-193) ends the SO_REUSEPORT escape. */
  escapeChecksUid: boolean;
}

/** inet_bind_conflict with some knobs turned; with none turned it is the 6.18 rule (a test checks). */
export function pairRule(knobs: Partial<PairKnobs>): PairRule {
  const f: PairKnobs = { caseRSeesListen: true, escapeChecksUid: true, ...knobs };
  return (k, sk, sk2, relax, cbOk, reuseportOk) => {
    if (sk === sk2) return false; // 176-177
    const sameUid = k.uid(sk) === k.uid(sk2);
    if (k.reuse(sk) && k.reuse(sk2) && !(f.caseRSeesListen && k.get_sk_state(sk2) === TCP_LISTEN)) {
      return !relax || (!reuseportOk && k.reuseport(sk) && k.reuseport(sk2) && cbOk && sameUid); // 183-189
    }
    return !reuseportOk || !k.reuseport(sk) || !k.reuseport(sk2) || !cbOk || (f.escapeChecksUid && !sameUid); // 190-195
  };
}

/** bind() and listen() built with other get_port rules; their get-port steps carry a note. */
function withRules(rules: Partial<GetPortRules618>, note: string): Pick<typeof BASE.programs, 'bind' | 'listen'> {
  const r = { ...RULES_6_18, ...rules };
  const mark = (p: Program): Program => patchStep(p, 'get-port', { text: `${findStep(p, 'get-port').text}  /* ${note} */` });
  return { bind: mark(bindProgram(r)), listen: mark(listenProgram(undefined, undefined, r)) };
}

// M2 — icsk.c 183-184, case R: `&& sk2->sk_state != TCP_LISTEN` dropped.
export const conflictIgnoresListen = mutant618({
  id: 'conflict-ignores-listen',
  catalogue: 'M2',
  change: 'inet_bind_conflict lets two SO_REUSEADDR sockets share a port whatever the state of sk2 (the sk2->sk_state != TCP_LISTEN term of icsk.c 183-184 is gone).',
  effect: 'A SO_REUSEADDR bind() or listen() succeeds beside a listener: two listeners on one address:port.',
  steps: ['get-port'],
  programs: withRules({ pair: pairRule({ caseRSeesListen: false }) }, 'M2: case R ignores sk2 TCP_LISTEN'),
});

// M10 — icsk.c 192-193, the SO_REUSEPORT escape: `(sk2->sk_state != TCP_TIME_WAIT &&
// !uid_eq(uid, sk_uid(sk2)))` dropped.
export const reuseportIgnoresUid = mutant618({
  id: 'reuseport-ignores-uid',
  catalogue: 'M10',
  change: 'inet_bind_conflict lets two SO_REUSEPORT sockets share a port whatever their owners (the uid test of icsk.c 192-193 is gone).',
  effect: 'Another user binds and listens on a SO_REUSEPORT service\'s address:port (port hijack); inet_reuseport_add_sock still checks the uid, so it gets a reuseport group of its own.',
  steps: ['get-port'],
  programs: withRules({ pair: pairRule({ escapeChecksUid: false }) }, 'M10: SO_REUSEPORT escape ignores uid'),
});

// M11 — icsk.c 287-322: inet_bhash2_addr_any_conflict finds no (port, 0.0.0.0) tb2 (its
// inet_bind2_bucket_match_addr_any test, 304-310, never matches). Both callers (the port search,
// 378-381, and a given port, 564-567) then check a specific-address socket only against owners of
// its own address; a wildcard socket's own scan (270-276) still sees every address.
export const wildcardNoOverlap = mutant618({
  id: 'wildcard-no-overlap',
  catalogue: 'M11',
  change: 'inet_bhash2_addr_any_conflict never finds the port\'s 0.0.0.0 bind2 bucket (icsk.c 304-310), so a socket bound to a specific address is not checked against 0.0.0.0 owners.',
  effect: 'A 127.0.0.1 socket binds and listens beside a 0.0.0.0 listener on the same port without SO_REUSEPORT (the reverse order is still refused).',
  history: 'The bhash2 table ("net: Add a bhash2 table hashed by port and address", 28044fc1d495, 6.1, §8 B12) split the overlap check over two buckets; regressions followed in which a wildcard owner was missed, e.g. "tcp: Fix bind() conflict check for dual-stack wildcard address." (d9ba99342855, §8 B14).',
  steps: ['get-port'],
  programs: withRules({ addrAnyConflict: () => false }, 'M11: the 0.0.0.0 bind2 bucket is never found'),
});

// M15 — icsk.c 452-453: sk_reuseport_match compares the cached address and the socket's with
// wildcards matching both ways (`true, true`), as before 5.8, so a 0.0.0.0 binder matches a
// STRICT cache holding a specific address. Both users change: the fast path (560) and the cache
// update (491).
const matchWildcardBothWays = (k: Kernel, sk: number, port: number): boolean =>
  skReuseportMatch(k, sk, port) ||
  (k.fastreuseport(port) === FASTREUSEPORT_STRICT && k.reuseport(sk) && k.group(sk) < 0 &&
    k.fastuid(port) === k.uid(sk) && k.rcv_saddr(sk) === ADDR_ANY);

export const strictCacheWildcardBothWays = mutant618({
  id: 'strict-cache-wildcard-both-ways',
  catalogue: 'M15',
  change: 'sk_reuseport_match lets the binder\'s own 0.0.0.0 match a specific address in a FASTREUSEPORT_STRICT cache (icsk.c 452-453 compare wildcards both ways).',
  effect: 'A 0.0.0.0 SO_REUSEPORT socket takes the fast path past the conflict check and binds and listens beside a specific-address owner without SO_REUSEPORT.',
  history: 'Before "net: inet_csk: Fix so_reuseport bind-address cache in tb->fast*" (88d7fcfa3b1f, 5.8 and stable) the cache matched wildcards in both directions: bind [::1] without SO_REUSEPORT, [::2] with it, then [::] with it succeeded (§8 B7).',
  steps: ['get-port'],
  programs: withRules({ reuseportMatch: matchWildcardBothWays }, 'M15: a 0.0.0.0 binder matches a specific cached address'),
});

// M14 — icsk.c 377 / 542 and 606: inet_csk_get_port without the head lock. The decision (find
// tb, the fast path, the conflict checks) and the writes (cache update, inet_bind_hash) become two
// steps: `get-port-scan` keeps its verdict in the thread's tmp local (0 = refused, else port + 1),
// and `get-port` writes what the scan decided without looking again.

/** Runs inet_csk_get_port on the state and undoes its writes: the scan without the insert. */
function decide(k: Kernel, sk: number, snum: number): number {
  const saved = k.s.slice();
  const port = inetCskGetPort(k, sk, snum) === 0 ? k.inet_num(sk) : -1;
  k.s.set(saved);
  return port;
}

/** The write half for a port the scan chose: buckets, cache update and owner insert, no re-check. */
const BLIND: GetPortRules618 = { ...RULES_6_18, pair: () => false, addrAnyConflict: () => false };

function scanStep(snum: (k: Kernel, c: Ctx) => number): Step {
  return {
    id: 'get-port-scan', fn: 'inet_csk_get_port', file: ICSK_C, line: '529-586',
    text: 'find tb, fast path, inet_bhash2_addr_any_conflict and inet_csk_bind_conflict  /* M14: spin_lock_bh(&head->lock) dropped */',
    scope: 'shared',
    run: (k, c) => { k.setTmp(c.t, decide(k, c.sk, snum(k, c)) + 1); },
  };
}

function writeStep(base: Step, onDone: (k: Kernel, c: Ctx, ok: boolean) => string | void): Step {
  return {
    ...base, fn: 'inet_csk_get_port', file: ICSK_C, line: '588-595', blocked: undefined,
    text: 'create tb/tb2; inet_csk_update_fastreuse; inet_bind_hash(sk, tb, tb2, port)  /* M14: no head lock, no re-check since the scan */',
    run: (k, c) => {
      const port = k.tmp(c.t) - 1;
      if (port >= 0) inetCskGetPort(k, c.sk, port, BLIND);
      return onDone(k, c, port >= 0);
    },
  };
}

export const getPortWithoutHeadLock = mutant618({
  id: 'get-port-without-head-lock',
  catalogue: 'M14',
  change: 'inet_csk_get_port runs its conflict checks and its owner insert without the bind bucket\'s head lock (icsk.c 377 / 542, 606), as two separate steps.',
  effect: 'Two sockets both pass the checks before either joins the owners: both bind, or both listen, on one port.',
  steps: ['get-port-scan', 'get-port'],
  programs: {
    bind: replaceStep(BASE.programs.bind, 'get-port', [
      scanStep((_k, c) => c.port),
      writeStep(findStep(BASE.programs.bind, 'get-port'), (k, c, ok) => {
        // af_inet.c 536-542, as the base bind's get-port step.
        k.setRet(c.t, ok ? 0 : RES_EADDRINUSE);
        if (ok) { k.life(c.sk, 'BIND_OK'); return; }
        k.set_rcv_saddr(c.sk, 0);
        k.setErr(c.t, RES_EADDRINUSE);
        return 'release_sock';
      }),
    ]),
    listen: replaceStep(L, 'get-port', [
      scanStep((k, c) => k.inet_num(c.sk)),
      writeStep(getPort, (k, c, ok) => {
        // icsk.c 1361-1362, as the base listen's get-port step.
        k.setRet(c.t, ok ? 0 : RES_EADDRINUSE);
        if (!ok) { k.setErr(c.t, RES_EADDRINUSE); k.life(c.sk, 'GET_PORT_FAIL'); return 'rollback'; }
        k.setValidated(c.sk, true);
        k.life(c.sk, 'GET_PORT_OK');
      }),
    ]),
  },
});

// ---- the hash tables (inet_hashtables.c) ---------------------------------------------------

// Not in §7.3 — ih.c 795-807: inet_hash links the socket and bumps the in-use counter without
// ilb2->lock, the counter as a read-then-write pair (as the 4.3 mutant): `hash-read-inuse` reads
// it into the thread's tmp local, `hash` links the socket and writes tmp + 1 back.
const readInuse: Step = {
  id: 'hash-read-inuse', fn: 'inet_hash', file: IH_C, line: '795-807',
  text: 'n = prot->inuse  /* spin_lock(&ilb2->lock) dropped */', scope: 'shared',
  run: (k, c) => { k.setTmp(c.t, k.inuse()); },
};

export const lhashInsertWithoutLock = mutant618({
  id: 'lhash-insert-without-lock',
  change: 'inet_hash joins the reuseport group, links the socket into its lhash2 chain and updates the in-use counter without ilb2->lock (ih.c 795-807), the counter as a read-then-write pair.',
  effect: 'Two listeners hashed at once lose one counter update: /proc/net/sockstat and memory accounting undercount listeners.',
  steps: ['hash-read-inuse', 'hash'],
  programs: {
    listen: replaceStep(L, 'hash', [readInuse, {
      ...hash, blocked: undefined,
      text: 'err = sk->sk_prot->hash(sk)  /* inet_hash without ilb2->lock: chain insert, prot->inuse = n + 1 */',
      run: (k, c) => {
        const was = k.isHashed(c.sk);
        const to = hash.run(k, c);
        if (!was && k.isHashed(c.sk)) k.addInuse(k.tmp(c.t) + 1 - k.inuse()); // the stale write
        return to;
      },
    }]),
  },
});

// Not in §7.3 — ih.c 462-504: the SYN lookup takes a TCP_LISTEN owner of the port's bind buckets
// (the (daddr, port) one first, then 0.0.0.0) instead of walking lhash2, so it trusts the published
// sk_state, which the race window makes visible before get_port validated the port.
function lookupByState(k: Kernel, daddr: number, port: number): number {
  for (const addr of [daddr, ADDR_ANY]) {
    for (let sk = 0; sk < k.L.sockets; sk++) {
      if (k.bindHash(sk) === port && k.isListen(sk) && k.rcv_saddr(sk) === addr) return sk; // M: was `k.lhash(sk) === bucket`
    }
  }
  return -1;
}

export const lookupTrustsSkState = mutant618({
  id: 'lookup-trusts-sk-state',
  change: '__inet_lookup_listener finds listeners among the port\'s bind-bucket owners by sk_state == TCP_LISTEN instead of walking lhash2 (ih.c 462-504).',
  effect: 'A SYN reaches a socket in the race window, whose port get_port has not validated and may refuse.',
  steps: ['lookup'],
  programs: {
    syn: patchStep(synProgram(listenBucket618, lookupByState), 'lookup', {
      text: 'sk = __inet_lookup_listener(...)  /* M: owners of tb2[daddr:port], then tb2[0.0.0.0:port], with sk_state == TCP_LISTEN */',
    }),
  },
});

// Not in §7.3 — ih.c 212-242: __inet_put_port no longer calls inet_bind_bucket_destroy, so a tb
// whose last tb2 went stays in bhash (its tb2 is still freed). Both put_port calls of close() change.
function keepEmptyBucket(p: Program, id: string): Program {
  const step = findStep(p, id);
  return patchStep(p, id, {
    text: `${step.text}  /* __inet_put_port without inet_bind_bucket_destroy */`,
    run: (k, c) => {
      const port = k.bindHash(c.sk);
      if (port < 0) return step.run(k, c);
      const tb = [k.fastreuse(port), k.fastreuseport(port), k.fastuid(port), k.fastAddr(port)];
      const to = step.run(k, c);
      if (!k.tbExists(port)) {
        // The bucket stays, with its fast flags as they were.
        k.setTbExists(port, true);
        k.setFastreuse(port, tb[0]); k.setFastreuseport(port, tb[1]); k.setFastuid(port, tb[2]); k.setFastAddr(port, tb[3]);
      }
      return to;
    },
  });
}

export const putPortKeepsEmptyBucket = mutant618({
  id: 'put-port-keeps-empty-bucket',
  change: '__inet_put_port leaves the bind bucket in bhash when its last bind2 bucket goes (the inet_bind_bucket_destroy call of ih.c 212-242 is gone).',
  effect: 'Closed ports leak bind buckets; a bucket with no owners lingers in the bind hash.',
  steps: ['put-port-autobound', 'destroy-put-port'],
  programs: { close: keepEmptyBucket(keepEmptyBucket(C, 'put-port-autobound'), 'destroy-put-port') },
});

// ---- close() of a listener (tcp.c 2945-3014, 3123-3304; tcp_ipv4.c 2576-2577) ---------------

// M13 — tcp.c 3012: inet_sk_state_store(sk, TCP_CLOSE) moved before sk->sk_prot->unhash(sk)
// (2999), against the comment "to avoid closed socket sitting in hash tables". As in the 4.3
// mutant, STATE_CLOSE is sent with the unhash; the kill is hashed-implies-validated.
export const closeStateBeforeUnhash = mutant618({
  id: 'close-state-before-unhash',
  catalogue: 'M13',
  change: 'tcp_set_state(TCP_CLOSE) stores TCP_CLOSE (tcp.c 3012) before it unhashes the listener (2999, inet_unhash ih.c 815-845).',
  effect: 'For a moment lhash2 holds a TCP_CLOSE socket: SYNs reach a closed socket and lock-free readers see a listener that is not one.',
  steps: ['state-close', 'unhash'],
  programs: {
    close: patchStep(
      patchStep(moveAfter(C, 'state-close', 'lock_sock'), 'state-close', {
        text: 'inet_sk_state_store(sk, TCP_CLOSE)  /* M13: before unhash */',
        run: (k, c) => { k.set_sk_state(c.sk, TCP_CLOSE); k.setValidated(c.sk, false); },
      }),
      'unhash',
      { run: (k, c) => { unhash.run(k, c); k.life(c.sk, 'STATE_CLOSE'); } },
    ),
  },
});

// M13, second form — tcp.c 3000-3002: the inet_put_port of an autobound listener moved before the
// unhash (2999).
export const closePutPortBeforeUnhash = mutant618({
  id: 'close-put-port-before-unhash',
  catalogue: 'M13',
  change: 'tcp_set_state(TCP_CLOSE) releases an autobound listener\'s port (tcp.c 3000-3002) before it unhashes the listener (2999).',
  effect: 'The port is free for others while the old listener is still in lhash2; SYNs can reach a listener that owns no port.',
  steps: ['put-port-autobound'],
  programs: {
    close: patchStep(moveAfter(C, 'put-port-autobound', 'lock_sock'), 'put-port-autobound', {
      text: `${findStep(C, 'put-port-autobound').text}  /* M13: before unhash */`,
    }),
  },
});

// Not in §7.3 — tcp_ipv4.c 2576-2577: tcp_v4_destroy_sock no longer releases an explicitly bound port.
export const destroySkipsPutPort = mutant618({
  id: 'destroy-skips-put-port',
  change: 'tcp_v4_destroy_sock no longer calls inet_put_port (tcp_ipv4.c 2576-2577), so only autobound ports are released on close.',
  effect: 'close() of an explicitly bound socket returns with the port still held: the next bind() of that port fails with EADDRINUSE for good.',
  steps: ['destroy-put-port'],
  programs: {
    close: patchStep(C, 'destroy-put-port', {
      text: '/* inet_put_port(sk) dropped */',
      run: () => {}, // the owner entry (tb2->owners, icsk_bind_hash, inet_num) stays behind
    }),
  },
});

export const LINUX_6_18_MUTANTS = [
  publishAfterGetPort, noRollback, listenReturns0OnFailure, hashBeforeGetPort, hashEvenOnFailure, rollbackAfterReleaseSock,
  conflictIgnoresListen, reuseportIgnoresUid, wildcardNoOverlap, strictCacheWildcardBothWays, getPortWithoutHeadLock,
  lhashInsertWithoutLock, lookupTrustsSkState, putPortKeepsEmptyBucket,
  closeStateBeforeUnhash, closePutPortBeforeUnhash, destroySkipsPutPort,
];
