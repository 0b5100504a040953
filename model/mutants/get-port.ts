// Mutants of inet_csk_get_port and the conflict rule (4.3: icsk.c 46-249; 6.18: icsk.c 170-609):
// the pairwise rule, the fast-path cache, and the head lock that makes the scan and the owner
// insert one step. A rule mutant turns one of the kernel's own rule knobs (GetPortRules,
// GetPortRules618); bind() and listen() change alike, as the kernel's one get_port would.

import { ICSK_C, RES_EADDRINUSE } from '../kernel.ts';
import { Kernel } from '../kernel-view.ts';
import { reprotect } from '../footprint.ts';
import type { Ctx, Step } from '../program.ts';
import type { KernelVariant } from '../variant.ts';
import { linux43 } from '../variants/linux-4.3/index.ts';
import { linux618 } from '../variants/linux-6.18/index.ts';
import { applyMutation, told, type Mutant, type Told } from './common.ts';

// ---- A check of get_port turned off: one recipe for M2, M3, M4, M10, M11, M15 ----------------

/** A rule knob of a kernel turned, and the note its get-port steps carry. */
interface RuleChange<R> extends Told {
  rules: Partial<R>;
  note: string;
}

function ruleMutant<R>(b: KernelVariant<R>, id: string, catalogue: string, p: RuleChange<R>, effect?: string): Mutant {
  const mark = { with: (s: Step) => ({ text: `${s.text}  /* ${p.note} */` }), patch: 'get-port' } as const;
  return applyMutation(b, {
    ...told(id, catalogue, p, effect), steps: ['get-port'],
    parts: { rules: p.rules },
    edits: [{ program: 'bind', ...mark }, { program: 'listen', ...mark }],
  });
}

type RulesOf<V> = V extends KernelVariant<infer R> ? R : never;

/** One rule mutant on both kernels: its id and catalogue entry once, each kernel's change in its own words. */
function onBothKernels(id: string, catalogue: string, on43: RuleChange<RulesOf<typeof linux43>>, on618: RuleChange<RulesOf<typeof linux618>>, effect?: string): Mutant[] {
  return [ruleMutant(linux43, id, catalogue, on43, effect), ruleMutant(linux618, id, catalogue, on618, effect)];
}

// M2 — the escape for two SO_REUSEADDR sockets no longer ends at a listening sk2: 4.3 icsk.c
// 61-82, escape R loses `|| sk2->sk_state == TCP_LISTEN` from `(!reuse || !sk2->sk_reuse ||
// sk2->sk_state == TCP_LISTEN)`; 6.18 icsk.c 183-184, case R loses `&& sk2->sk_state != TCP_LISTEN`.
const M2 = onBothKernels('conflict-ignores-listen', 'M2', {
  change: 'inet_csk_bind_conflict lets two SO_REUSEADDR sockets share a port whatever the state of sk2 (the sk2->sk_state == TCP_LISTEN term of icsk.c 61-82 is gone).',
  rules: { escapeRSeesListen: false },
  note: 'M2: escape R ignores sk2 LISTEN',
}, {
  change: 'inet_bind_conflict lets two SO_REUSEADDR sockets share a port whatever the state of sk2 (the sk2->sk_state != TCP_LISTEN term of icsk.c 183-184 is gone).',
  rules: { caseRSeesListen: false },
  note: 'M2: case R ignores sk2 TCP_LISTEN',
}, 'A SO_REUSEADDR bind() or listen() succeeds beside a listener: two listeners on one address:port.');

// M3, M4 — 4.3 only: tb->fastreuse is never set on 6.18 (linux-6.18.ts).
// M3 — icsk.c 193-194: the fastreuse fast path drops `sk->sk_state != TCP_LISTEN`.
const reuseIgnoresOwnState = ruleMutant(linux43, 'reuse-ignores-own-state', 'M3', {
  change: 'The fastreuse fast path of inet_csk_get_port no longer requires the socket itself not to be TCP_LISTEN (icsk.c 193-194).',
  effect: 'listen() validates its port by the cached tb->fastreuse without a scan, so a second SO_REUSEADDR listener succeeds.',
  rules: { fastPathSeesListen: false },
  note: 'M3: fast path ignores own TCP_LISTEN',
});

// M4 — icsk.c 218-225: the fastreuse update drops `sk->sk_state == TCP_LISTEN`.
const fastreuseUpdateIgnoresListen = ruleMutant(linux43, 'fastreuse-update-ignores-listen', 'M4', {
  change: 'inet_csk_get_port keeps tb->fastreuse set when a SO_REUSEADDR socket validates its port for listen() (the TCP_LISTEN test of icsk.c 218-225 is gone).',
  effect: 'A later SO_REUSEADDR bind() takes the fast path and succeeds beside the listener (the bind column of §5.2 row 6 flips to 0).',
  rules: { fastUpdateSeesListen: false },
  note: 'M4: fastreuse kept for a listener',
});

// M10 — the SO_REUSEPORT escape no longer checks the owner: 4.3 icsk.c 61-82, escape P loses
// `!uid_eq(uid, sock_i_uid(sk2))`; 6.18 icsk.c 192-193 loses `(sk2->sk_state != TCP_TIME_WAIT &&
// !uid_eq(uid, sk_uid(sk2)))`.
const M10 = onBothKernels('reuseport-ignores-uid', 'M10', {
  change: 'inet_csk_bind_conflict lets two SO_REUSEPORT sockets share a port whatever their owners (the uid_eq test of icsk.c 61-82 is gone).',
  effect: 'Another user binds and listens on a SO_REUSEPORT service\'s address:port and takes a share of its connections (port hijack).',
  rules: { escapePChecksUid: false },
  note: 'M10: escape P ignores uid',
}, {
  change: 'inet_bind_conflict lets two SO_REUSEPORT sockets share a port whatever their owners (the uid test of icsk.c 192-193 is gone).',
  effect: 'Another user binds and listens on a SO_REUSEPORT service\'s address:port (port hijack); inet_reuseport_add_sock still checks the uid, so it gets a reuseport group of its own.',
  rules: { escapeChecksUid: false },
  note: 'M10: SO_REUSEPORT escape ignores uid',
});

// M11 — 0.0.0.0 no longer overlaps a specific address. 4.3 icsk.c 61-82 (both address tests):
// `!sk2->sk_rcv_saddr || !sk->sk_rcv_saddr ||` dropped, so only equal addresses overlap. 6.18
// icsk.c 287-322: inet_bhash2_addr_any_conflict finds no (port, 0.0.0.0) tb2 (its
// inet_bind2_bucket_match_addr_any test, 304-310, never matches); both callers (the port search,
// 378-381, and a given port, 564-567) then check a specific-address socket only against owners of
// its own address, while a wildcard socket's own scan (270-276) still sees every address.
const M11 = onBothKernels('wildcard-no-overlap', 'M11', {
  change: 'inet_csk_bind_conflict treats 0.0.0.0 and a specific address as not overlapping (the wildcard terms of the address tests in icsk.c 61-82 are gone).',
  effect: 'A 0.0.0.0 listener and a 127.0.0.1 listener on one port coexist without SO_REUSEPORT.',
  history: 'Like the bhash2 regressions after "net: Add a bhash2 table hashed by port and address" (6.1), e.g. "tcp: Fix bind() conflict check for dual-stack wildcard address." (§8 B12, B14).',
  rules: { wildcardOverlaps: false },
  note: 'M11: 0.0.0.0 overlaps nothing',
}, {
  change: 'inet_bhash2_addr_any_conflict never finds the port\'s 0.0.0.0 bind2 bucket (icsk.c 304-310), so a socket bound to a specific address is not checked against 0.0.0.0 owners.',
  effect: 'A 127.0.0.1 socket binds and listens beside a 0.0.0.0 listener on the same port without SO_REUSEPORT (the reverse order is still refused).',
  history: 'The bhash2 table ("net: Add a bhash2 table hashed by port and address", 28044fc1d495, 6.1, §8 B12) split the overlap check over two buckets; regressions followed in which a wildcard owner was missed, e.g. "tcp: Fix bind() conflict check for dual-stack wildcard address." (d9ba99342855, §8 B14).',
  rules: { findsAddrAnyBucket: false },
  note: 'M11: the 0.0.0.0 bind2 bucket is never found',
});

// M15 — 6.18 only (4.3 has no STRICT cache), icsk.c 452-453: sk_reuseport_match compares the
// cached address and the socket's with wildcards matching both ways (`true, true`), as before 5.8,
// so a 0.0.0.0 binder matches a STRICT cache holding a specific address. Both users change: the
// fast path (560) and the cache update (491).
const strictCacheWildcardBothWays = ruleMutant(linux618, 'strict-cache-wildcard-both-ways', 'M15', {
  change: 'sk_reuseport_match lets the binder\'s own 0.0.0.0 match a specific address in a FASTREUSEPORT_STRICT cache (icsk.c 452-453 compare wildcards both ways).',
  effect: 'A 0.0.0.0 SO_REUSEPORT socket takes the fast path past the conflict check and binds and listens beside a specific-address owner without SO_REUSEPORT.',
  history: 'Before "net: inet_csk: Fix so_reuseport bind-address cache in tb->fast*" (88d7fcfa3b1f, 5.8 and stable) the cache matched wildcards in both directions: bind [::1] without SO_REUSEPORT, [::2] with it, then [::] with it succeeded (§8 B7).',
  rules: { strictWildcardBothWays: true },
  note: 'M15: a 0.0.0.0 binder matches a specific cached address',
});

// ---- M14: get_port without the head lock ---------------------------------------------------

// M14 — inet_csk_get_port without the head lock (4.3 icsk.c 179-184 / 243-247; 6.18 377 / 542
// and 606). The decision (find tb, the fast path, the conflict checks) and the writes (cache
// update, inet_bind_hash) become two steps: `get-port-scan` runs the kernel's get_port, keeps
// its verdict in the thread's tmp local (0 = refused, else port + 1) and undoes its writes;
// `get-port` is the kernel's own step with a get_port that writes what the scan decided without
// looking again (its conflict checks turned off).
interface NoHeadLock extends Told {
  scan: Pick<Step, 'line' | 'text'>;
  write: Pick<Step, 'line' | 'text'>;
}

function getPortWithoutHeadLock<R extends { checksConflicts: boolean }>(b: KernelVariant<R>, p: NoHeadLock): Mutant {
  const { getPort, rules, errno } = b.parts;
  /** Runs inet_csk_get_port on the state and undoes its writes: the scan without the insert. */
  const decide = (k: Kernel, c: Ctx, snum: number): number => {
    // On a scratch copy: the kernel's scan reads, it does not write.
    const scratch = new Kernel(k.L, k.socks, k.ephemeral, k.s.slice());
    return getPort(scratch, c, snum, rules) === 0 ? scratch.inet_num(c.sk) : -1;
  };
  const scan = (snum: (k: Kernel, c: Ctx) => number, getPortStep: Step): Step => ({
    id: 'get-port-scan', fn: 'inet_csk_get_port', file: ICSK_C, line: p.scan.line, text: p.scan.text, scope: 'shared',
    locks: { lock_sock: 'held' },
    // get_port's reads, without the head lock (its writes are the next step's).
    footprint: reprotect(getPortStep.footprint ?? [], 'head->lock', 'plain').filter((a) => a.at !== 'tb.lock').map((a) => ({ ...a, rw: 'r' as const })),
    run: (k, c) => { k.setTmp(c.t, decide(k, c, snum(k, c)) + 1); },
  });
  const write: Partial<Step> = {
    fn: 'inet_csk_get_port', file: ICSK_C, line: p.write.line, text: p.write.text, blocked: undefined, locks: { lock_sock: 'held' },
  };
  const split = (snum: (k: Kernel, c: Ctx) => number) => ({
    replace: 'get-port',
    by: (s: Step) => [scan(snum, s), { ...s, ...write, footprint: reprotect((s.footprint ?? []).filter((a) => a.at !== 'tb.lock'), 'head->lock', 'plain') }],
  });
  return applyMutation(b, {
    ...told('get-port-without-head-lock', 'M14', p),
    steps: ['get-port-scan', 'get-port'],
    parts: {
      getPort: (k, c, _snum, r) => {
        const port = k.tmp(c.t) - 1;
        if (port < 0) return errno ? RES_EADDRINUSE : 1; // the scan refused
        return getPort(k, c, port, { ...r, checksConflicts: false });
      },
    },
    edits: [
      { program: 'bind', ...split((_k, c) => c.port) },
      { program: 'listen', ...split((k, c) => k.inet_num(c.sk)) },
    ],
  });
}

/** Where M14 falls in a kernel: the name of get_port's checks, the head lock's lines, the two steps' lines and C. */
interface NoHeadLockAt { checks: string; lockLines: string; scan: Pick<Step, 'line' | 'text'>; write: Pick<Step, 'line' | 'text'> }

/** M14's change and effect, written once for both kernels. */
const noHeadLock = <R extends { checksConflicts: boolean }>(b: KernelVariant<R>, at: NoHeadLockAt): Mutant => getPortWithoutHeadLock(b, {
  change: `inet_csk_get_port runs its conflict ${at.checks} and its owner insert without the bind bucket's head lock (icsk.c ${at.lockLines}), as two separate steps.`,
  effect: `Two sockets both pass the ${at.checks} before either joins the owners: both bind, or both listen, on one port.`,
  scan: at.scan, write: at.write,
});

const M14 = [
  noHeadLock(linux43, { checks: 'scan', lockLines: '181, 243',
    scan: { line: '179-213', text: 'tb lookup, fast path and inet_csk_bind_conflict  /* M14: spin_lock(&head->lock) dropped */' },
    write: { line: '214-241', text: 'fast-flag update; inet_bind_hash(sk, tb, snum)  /* M14: no head lock, no re-check since the scan */' } }),
  noHeadLock(linux618, { checks: 'checks', lockLines: '377 / 542, 606',
    scan: { line: '529-586', text: 'find tb, fast path, inet_bhash2_addr_any_conflict and inet_csk_bind_conflict  /* M14: spin_lock_bh(&head->lock) dropped */' },
    write: { line: '588-595', text: 'create tb/tb2; inet_csk_update_fastreuse; inet_bind_hash(sk, tb, tb2, port)  /* M14: no head lock, no re-check since the scan */' } }),
];

export const GET_PORT_MUTANTS: readonly Mutant[] = [
  ...M2, reuseIgnoresOwnState, fastreuseUpdateIgnoresListen, ...M10, ...M11, strictCacheWildcardBothWays, ...M14,
];
