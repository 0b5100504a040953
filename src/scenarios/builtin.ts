// The built-in scenarios: the races shared/kernel-listen-path.md §6 describes, and a family
// listen-race-N for the benchmarks. Port 8080 is symbolic; the kernel harness maps it.

import type { Scenario } from '../../model/scenario.ts';

const P = 8080;
const LO = '127.0.0.1' as const;

/** A and B, both SO_REUSEADDR, bound to 127.0.0.1:P before the threads start, and one of them listening. */
function bothBoundOneListening(listener: 'A' | 'B'): Pick<Scenario, 'sockets' | 'setup'> {
  return {
    sockets: [{ name: 'A', reuseaddr: true }, { name: 'B', reuseaddr: true }],
    setup: [{ op: 'bind', sk: 'A', addr: LO, port: P }, { op: 'bind', sk: 'B', addr: LO, port: P }, { op: 'listen', sk: listener }],
  };
}

/** N sockets bound to 127.0.0.1:P with SO_REUSEADDR, all calling listen() at once (§6.2). */
export function listenRace(n: number): Scenario {
  const names = Array.from({ length: n }, (_, i) => String.fromCharCode(65 + i));
  return {
    name: `listen-race-${n}`,
    description: `${n} sockets bound to ${LO}:${P} with SO_REUSEADDR call listen() at the same time`,
    sockets: names.map((name) => ({ name, reuseaddr: true })),
    setup: names.map((sk) => ({ op: 'bind' as const, sk, addr: LO, port: P })),
    threads: names.map((sk) => [{ op: 'listen' as const, sk }]),
  };
}

export const BUILTIN_SCENARIOS: readonly Scenario[] = [
  listenRace(2),
  {
    name: 'listen-vs-bind',
    description: 'A (bound, SO_REUSEADDR) listens while B (SO_REUSEADDR) binds the same address:port and listens, and a SYN arrives (§6.3)',
    sockets: [{ name: 'A', reuseaddr: true }, { name: 'B', reuseaddr: true }],
    setup: [{ op: 'bind', sk: 'A', addr: LO, port: P }],
    threads: [
      [{ op: 'listen', sk: 'A' }],
      [{ op: 'bind', sk: 'B', addr: LO, port: P }, { op: 'listen', sk: 'B' }],
      [{ op: 'syn', addr: LO, port: P }],
    ],
  },
  {
    name: 'listen-unbound',
    description: 'Two unbound sockets call listen(), which autobinds an ephemeral port each, and a SYN goes to A\'s port',
    sockets: [{ name: 'A' }, { name: 'B', reuseaddr: true }],
    threads: [
      [{ op: 'listen', sk: 'A' }],
      [{ op: 'listen', sk: 'B' }],
      [{ op: 'syn', addr: LO, portOf: 'A' }],
    ],
  },
  {
    name: 'listen-vs-close',
    description: 'A listens on 127.0.0.1:P and closes while B (bound there too, both SO_REUSEADDR) calls listen(), and a SYN arrives (§6.3)',
    ...bothBoundOneListening('A'),
    threads: [
      [{ op: 'close', sk: 'A' }],
      [{ op: 'listen', sk: 'B' }],
      [{ op: 'syn', addr: LO, port: P }],
    ],
  },
  {
    name: 'close-vs-rebind',
    description: 'A, the only owner of 127.0.0.1:P, listens and closes while B (no flags) binds there and listens: B succeeds only once close() has released the port (§3.8, §6.3)',
    sockets: [{ name: 'A' }, { name: 'B' }],
    setup: [{ op: 'bind', sk: 'A', addr: LO, port: P }, { op: 'listen', sk: 'A' }],
    threads: [
      [{ op: 'close', sk: 'A' }],
      [{ op: 'bind', sk: 'B', addr: LO, port: P }, { op: 'listen', sk: 'B' }],
    ],
  },
  {
    name: 'close-autobound',
    description: 'A listened on an ephemeral port (autobind) and closes while a SYN arrives for that port: the port is released inside tcp_set_state, before the state store (§2.7, §3.8)',
    sockets: [{ name: 'A' }],
    setup: [{ op: 'listen', sk: 'A' }],
    threads: [[{ op: 'close', sk: 'A' }], [{ op: 'syn', addr: LO, portOf: 'A' }]],
  },
  {
    name: 'mixed-three',
    description: 'Three sockets with mixed flags and addresses bind and listen on one port at once: A SO_REUSEPORT on 0.0.0.0, B both flags on 127.0.0.1, C SO_REUSEADDR on 127.0.0.1',
    sockets: [
      { name: 'A', reuseport: true },
      { name: 'B', reuseaddr: true, reuseport: true },
      { name: 'C', reuseaddr: true },
    ],
    threads: [
      [{ op: 'bind', sk: 'A', addr: '0.0.0.0', port: P }, { op: 'listen', sk: 'A' }],
      [{ op: 'bind', sk: 'B', addr: LO, port: P }, { op: 'listen', sk: 'B' }],
      [{ op: 'bind', sk: 'C', addr: LO, port: P }, { op: 'listen', sk: 'C' }],
    ],
  },
  {
    name: 'reuseport-two-users',
    description: 'Two SO_REUSEPORT sockets of different users bind and listen on one address:port, and a SYN arrives',
    sockets: [{ name: 'A', reuseport: true, uid: 0 }, { name: 'B', reuseport: true, uid: 1 }],
    threads: [
      [{ op: 'bind', sk: 'A', addr: LO, port: P }, { op: 'listen', sk: 'A' }],
      [{ op: 'bind', sk: 'B', addr: LO, port: P }, { op: 'listen', sk: 'B' }],
      [{ op: 'syn', addr: LO, port: P }],
    ],
  },
  {
    name: 'bind-beside-listener',
    description: 'A listens on 127.0.0.1:P with SO_REUSEADDR; then B, also SO_REUSEADDR, tries to bind there and listen (one thread: §5.2 row 6 says EADDRINUSE)',
    sockets: [{ name: 'A', reuseaddr: true }, { name: 'B', reuseaddr: true }],
    setup: [{ op: 'bind', sk: 'A', addr: LO, port: P }, { op: 'listen', sk: 'A' }],
    threads: [[{ op: 'bind', sk: 'B', addr: LO, port: P }, { op: 'listen', sk: 'B' }, { op: 'syn', addr: LO, port: P }]],
  },
  {
    name: 'bind-beside-reuseport-listener',
    description: 'A (SO_REUSEADDR and SO_REUSEPORT) listens on 127.0.0.1:P; then B (SO_REUSEADDR only) binds there and listens (one thread: §5.2 row 14 says EADDRINUSE for both)',
    sockets: [{ name: 'A', reuseaddr: true, reuseport: true }, { name: 'B', reuseaddr: true }],
    setup: [{ op: 'bind', sk: 'A', addr: LO, port: P }, { op: 'listen', sk: 'A' }],
    threads: [[{ op: 'bind', sk: 'B', addr: LO, port: P }, { op: 'listen', sk: 'B' }]],
  },
  {
    name: 'reuseport-pair',
    description: 'Two SO_REUSEPORT sockets of one user bind and listen on 127.0.0.1:P at once; both may listen',
    sockets: [{ name: 'A', reuseport: true }, { name: 'B', reuseport: true }],
    threads: [
      [{ op: 'bind', sk: 'A', addr: LO, port: P }, { op: 'listen', sk: 'A' }],
      [{ op: 'bind', sk: 'B', addr: LO, port: P }, { op: 'listen', sk: 'B' }],
    ],
  },
  {
    // Two threads on one socket: the only built-in race on lock_sock itself. Each listen() must
    // see the other's failure only after the rollback to TCP_CLOSE (§6.1 item 2, §7.1 (c)).
    name: 'listen-same-socket-twice',
    description: 'B listens on 127.0.0.1:P; A, bound there before B listened (both SO_REUSEADDR), gets listen() from two threads at once: both must fail with EADDRINUSE',
    ...bothBoundOneListening('B'),
    threads: [[{ op: 'listen', sk: 'A' }], [{ op: 'listen', sk: 'A' }]],
  },
  {
    // The IPv4 form of the §8 B7 reproducer. On 6.18 B's bind leaves a FASTREUSEPORT_STRICT cache
    // holding 127.0.0.2; only the cached address may act as a wildcard (icsk.c 452-453), so C's
    // 0.0.0.0 does not match it and C gets the full check, which sees A.
    name: 'wildcard-reuseport-beside-listener',
    description: 'A (no flags) listens on 127.0.0.1:P; B (SO_REUSEPORT) binds 127.0.0.2:P; then C (SO_REUSEPORT) binds 0.0.0.0:P and listens (one thread: the bind must fail with EADDRINUSE, §8 B7)',
    sockets: [{ name: 'A' }, { name: 'B', reuseport: true }, { name: 'C', reuseport: true }],
    setup: [
      { op: 'bind', sk: 'A', addr: LO, port: P },
      { op: 'listen', sk: 'A' },
      { op: 'bind', sk: 'B', addr: '127.0.0.2', port: P },
    ],
    threads: [[{ op: 'bind', sk: 'C', addr: '0.0.0.0', port: P }, { op: 'listen', sk: 'C' }]],
  },
  {
    // Issue 9: the SYN lookup is not atomic (and `witness` runs this scenario on the kernel). On 6.18 it walks lhash2[127.0.0.1:P], then
    // lhash2[0.0.0.0:P]; S can be hashed just after the first walk and W unhashed just before the
    // second, and the SYN is reset although one of them listened at every instant.
    name: 'syn-two-walks',
    description: 'W (SO_REUSEPORT) listens on 0.0.0.0:P; S (SO_REUSEPORT) is bound to 127.0.0.1:P; S listens and then W closes while a SYN for 127.0.0.1:P arrives: the SYN can be reset although a listener existed throughout',
    sockets: [{ name: 'W', reuseport: true }, { name: 'S', reuseport: true }],
    setup: [
      { op: 'bind', sk: 'W', addr: '0.0.0.0', port: P },
      { op: 'listen', sk: 'W' },
      { op: 'bind', sk: 'S', addr: LO, port: P },
    ],
    threads: [[{ op: 'listen', sk: 'S' }, { op: 'close', sk: 'W' }], [{ op: 'syn', addr: LO, port: P }]],
  },
  {
    // 4.3's form of syn-two-walks: one chain per port, newest first. X, hashed after W, sits ahead
    // of it; a walker that read X from the head misses S (hashed at the head after that) and,
    // once W is unhashed, X's next is the chain's end.
    name: 'syn-chain-ahead',
    description: 'W (SO_REUSEPORT) listens on 0.0.0.0:P, then X (SO_REUSEPORT) on 127.0.0.2:P, ahead of W in 4.3\'s one chain; S (SO_REUSEPORT) is bound to 127.0.0.1:P; S listens and then W closes while a SYN for 127.0.0.1:P arrives',
    sockets: [{ name: 'W', reuseport: true }, { name: 'X', reuseport: true }, { name: 'S', reuseport: true }],
    setup: [
      { op: 'bind', sk: 'W', addr: '0.0.0.0', port: P },
      { op: 'listen', sk: 'W' },
      { op: 'bind', sk: 'X', addr: '127.0.0.2', port: P },
      { op: 'listen', sk: 'X' },
      { op: 'bind', sk: 'S', addr: LO, port: P },
    ],
    threads: [[{ op: 'listen', sk: 'S' }, { op: 'close', sk: 'W' }], [{ op: 'syn', addr: LO, port: P }]],
  },
];

/** A built-in scenario by name; listen-race-N for any N from 1 to 12. */
export function builtinScenario(name: string): Scenario | undefined {
  const m = /^listen-race-(\d+)$/.exec(name);
  if (m) {
    const n = Number(m[1]);
    return n >= 1 && n <= 12 ? listenRace(n) : undefined;
  }
  return BUILTIN_SCENARIOS.find((s) => s.name === name);
}
