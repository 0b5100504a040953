// Mutants of inet_csk_get_port and inet_csk_bind_conflict (icsk.c 46-249): the pairwise rule, the
// fast-path cache, and the head lock that makes the scan and the owner insert one step. They
// change bind() and listen() alike, as the kernel's one get_port would.

import { ICSK_C, RES_EADDRINUSE, TCP_LISTEN } from '../kernel.ts';
import type { Kernel } from '../kernel-view.ts';
import { findStep, replaceStep, type Ctx, type Program, type Step } from '../program.ts';
import { addressesOverlap } from '../variants/linux-4.3/bind-conflict.ts';
import { inetCskGetPort, RULES_4_3, type ConflictRule, type GetPortRules } from '../variants/linux-4.3/get-port.ts';
import { bindProgram, listenProgram } from '../variants/linux-4.3/programs.ts';
import { BASE, mutant43 } from './common.ts';

/** The knobs of the 4.3 pairwise rule (icsk.c 61-82) that the mutants turn. */
interface PairKnobs {
  /** `sk2->sk_state == TCP_LISTEN` ends escape R. */
  escapeRSeesListen: boolean;
  /** `!uid_eq(uid, sock_i_uid(sk2))` ends escape P. */
  escapePChecksUid: boolean;
  /** `!sk2->sk_rcv_saddr || !sk->sk_rcv_saddr ||`: 0.0.0.0 overlaps every address. */
  wildcardOverlaps: boolean;
}

const RULE_4_3: PairKnobs = { escapeRSeesListen: true, escapePChecksUid: true, wildcardOverlaps: true };

/** inet_csk_bind_conflict with the pairwise rule of bind-conflict.ts, some knobs turned. */
export function conflictRule(knobs: Partial<PairKnobs>): ConflictRule {
  const f = { ...RULE_4_3, ...knobs };
  const pair = (k: Kernel, sk: number, sk2: number, relax: boolean) => {
    const a = k.rcv_saddr(sk), b = k.rcv_saddr(sk2);
    if (!(f.wildcardOverlaps ? addressesOverlap(a, b) : a === b)) return false;
    const escapeR = k.reuse(sk) && k.reuse(sk2) && !(f.escapeRSeesListen && k.get_sk_state(sk2) === TCP_LISTEN);
    const escapeP = k.reuseport(sk) && k.reuseport(sk2) && (!f.escapePChecksUid || k.uid(sk) === k.uid(sk2));
    if (!escapeR && !escapeP) return true;
    return !relax && escapeR;
  };
  return (k, sk, port, relax) => {
    for (let sk2 = 0; sk2 < k.L.sockets; sk2++) {
      if (sk2 !== sk && k.bindHash(sk2) === port && pair(k, sk, sk2, relax)) return true;
    }
    return false;
  };
}

/** bind() and listen() built with other get_port rules; their get-port steps carry a note. */
function withRules(rules: Partial<GetPortRules>, note: string): Pick<typeof BASE.programs, 'bind' | 'listen'> {
  const r = { ...RULES_4_3, ...rules };
  const mark = (p: Program): Program => replaceStep(p, 'get-port', [{ ...findStep(p, 'get-port'), text: `${findStep(p, 'get-port').text}  /* ${note} */` }]);
  return { bind: mark(bindProgram(r)), listen: mark(listenProgram(r)) };
}

// M2 — icsk.c 61-82, escape R: `|| sk2->sk_state == TCP_LISTEN` dropped from
// `(!reuse || !sk2->sk_reuse || sk2->sk_state == TCP_LISTEN)`.
export const conflictIgnoresListen = mutant43({
  id: 'conflict-ignores-listen',
  catalogue: 'M2',
  change: 'inet_csk_bind_conflict lets two SO_REUSEADDR sockets share a port whatever the state of sk2 (the sk2->sk_state == TCP_LISTEN term of icsk.c 61-82 is gone).',
  effect: 'A SO_REUSEADDR bind() or listen() succeeds beside a listener: two listeners on one address:port.',
  steps: ['get-port'],
  programs: withRules({ conflict: conflictRule({ escapeRSeesListen: false }) }, 'M2: escape R ignores sk2 LISTEN'),
});

// M3 — icsk.c 193-194: the fastreuse fast path drops `sk->sk_state != TCP_LISTEN`.
export const reuseIgnoresOwnState = mutant43({
  id: 'reuse-ignores-own-state',
  catalogue: 'M3',
  change: 'The fastreuse fast path of inet_csk_get_port no longer requires the socket itself not to be TCP_LISTEN (icsk.c 193-194).',
  effect: 'listen() validates its port by the cached tb->fastreuse without a scan, so a second SO_REUSEADDR listener succeeds.',
  steps: ['get-port'],
  programs: withRules({ fastPathSeesListen: false }, 'M3: fast path ignores own TCP_LISTEN'),
});

// M4 — icsk.c 218-225: the fastreuse update drops `sk->sk_state == TCP_LISTEN`.
export const fastreuseUpdateIgnoresListen = mutant43({
  id: 'fastreuse-update-ignores-listen',
  catalogue: 'M4',
  change: 'inet_csk_get_port keeps tb->fastreuse set when a SO_REUSEADDR socket validates its port for listen() (the TCP_LISTEN test of icsk.c 218-225 is gone).',
  effect: 'A later SO_REUSEADDR bind() takes the fast path and succeeds beside the listener (the bind column of §5.2 row 6 flips to 0).',
  steps: ['get-port'],
  programs: withRules({ fastUpdateSeesListen: false }, 'M4: fastreuse kept for a listener'),
});

// M10 — icsk.c 61-82, escape P: `!uid_eq(uid, sock_i_uid(sk2))` dropped.
export const reuseportIgnoresUid = mutant43({
  id: 'reuseport-ignores-uid',
  catalogue: 'M10',
  change: 'inet_csk_bind_conflict lets two SO_REUSEPORT sockets share a port whatever their owners (the uid_eq test of icsk.c 61-82 is gone).',
  effect: 'Another user binds and listens on a SO_REUSEPORT service\'s address:port and takes a share of its connections (port hijack).',
  steps: ['get-port'],
  programs: withRules({ conflict: conflictRule({ escapePChecksUid: false }) }, 'M10: escape P ignores uid'),
});

// M11 — icsk.c 61-82 (both address tests): `!sk2->sk_rcv_saddr || !sk->sk_rcv_saddr ||` dropped,
// so only equal addresses overlap.
export const wildcardNoOverlap = mutant43({
  id: 'wildcard-no-overlap',
  catalogue: 'M11',
  change: 'inet_csk_bind_conflict treats 0.0.0.0 and a specific address as not overlapping (the wildcard terms of the address tests in icsk.c 61-82 are gone).',
  effect: 'A 0.0.0.0 listener and a 127.0.0.1 listener on one port coexist without SO_REUSEPORT.',
  history: 'Like the bhash2 regressions after "net: Add a bhash2 table hashed by port and address" (6.1), e.g. "tcp: Fix bind() conflict check for dual-stack wildcard address." (§8 B12, B14).',
  steps: ['get-port'],
  programs: withRules({ conflict: conflictRule({ wildcardOverlaps: false }) }, 'M11: 0.0.0.0 overlaps nothing'),
});

// M14 — icsk.c 179-184 / 243-247: inet_csk_get_port without the head lock. The decision (tb
// lookup, fast path, conflict scan) and the writes (fast flags, inet_bind_hash) become two steps:
// `get-port-scan` keeps its verdict in the thread's tmp local (0 = refused, else port + 1), and
// `get-port` writes what the scan decided without looking again.

/** Runs inet_csk_get_port on the state and undoes its writes: the scan without the insert. */
function decide(k: Kernel, sk: number, snum: number): number {
  const saved = k.s.slice();
  const port = inetCskGetPort(k, sk, snum) === 0 ? k.inet_num(sk) : -1;
  k.s.set(saved);
  return port;
}

/** The write half for a port the scan chose: fast-flag update and owner insert, no re-check. */
const BLIND: GetPortRules = { ...RULES_4_3, conflict: () => false };

function scanStep(snum: (k: Kernel, c: Ctx) => number): Step {
  return {
    id: 'get-port-scan', fn: 'inet_csk_get_port', file: ICSK_C, line: '179-213',
    text: 'tb lookup, fast path and inet_csk_bind_conflict  /* M14: spin_lock(&head->lock) dropped */', scope: 'shared',
    run: (k, c) => { k.setTmp(c.t, decide(k, c.sk, snum(k, c)) + 1); },
  };
}

function insertStep(base: Step, onDone: (k: Kernel, c: Ctx, ok: boolean) => string | void): Step {
  return {
    ...base, fn: 'inet_csk_get_port', file: ICSK_C, line: '214-241', blocked: undefined,
    text: 'fast-flag update; inet_bind_hash(sk, tb, snum)  /* M14: no head lock, no re-check since the scan */',
    run: (k, c) => {
      const port = k.tmp(c.t) - 1;
      if (port >= 0) inetCskGetPort(k, c.sk, port, BLIND);
      return onDone(k, c, port >= 0);
    },
  };
}

const bindGetPort = findStep(BASE.programs.bind, 'get-port');
const listenGetPort = findStep(BASE.programs.listen, 'get-port');

export const getPortWithoutHeadLock = mutant43({
  id: 'get-port-without-head-lock',
  catalogue: 'M14',
  change: 'inet_csk_get_port runs its conflict scan and its owner insert without the bind bucket\'s head lock (icsk.c 181, 243), as two separate steps.',
  effect: 'Two sockets both pass the scan before either joins the owners: both bind, or both listen, on one port.',
  steps: ['get-port-scan', 'get-port'],
  programs: {
    bind: replaceStep(BASE.programs.bind, 'get-port', [
      scanStep((_k, c) => c.port),
      insertStep(bindGetPort, (k, c, ok) => {
        // af_inet.c 497-501, as the base bind's get-port step.
        if (ok) { k.life(c.sk, 'BIND_OK'); return; }
        k.set_rcv_saddr(c.sk, 0);
        k.setErr(c.t, RES_EADDRINUSE);
        return 'release_sock';
      }),
    ]),
    listen: replaceStep(BASE.programs.listen, 'get-port', [
      scanStep((k, c) => k.inet_num(c.sk)),
      insertStep(listenGetPort, (k, c, ok) => {
        // icsk.c 813-822, as the base listen's get-port step.
        k.setRet(c.t, ok ? 0 : 1);
        if (!ok) { k.life(c.sk, 'GET_PORT_FAIL'); return 'rollback'; }
        k.setValidated(c.sk, true);
        k.life(c.sk, 'GET_PORT_OK');
      }),
    ]),
  },
});

export const GET_PORT_MUTANTS = [
  conflictIgnoresListen, reuseIgnoresOwnState, fastreuseUpdateIgnoresListen, reuseportIgnoresUid, wildcardNoOverlap,
  getPortWithoutHeadLock,
];
