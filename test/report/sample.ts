// A small but realistic report input: two threads racing listen() on SO_REUSEPORT sockets bound
// to the same port, as a linux-4.3 check would report it.

import type { ReportInput } from '../../src/report/types.ts';

export const STATECHART = `stateDiagram-v2
  direction LR
  [*] --> CLOSED: socket()
  CLOSED --> BOUND: bind() / inet_csk_get_port
  BOUND --> LISTEN_START: listen() / inet_csk_listen_start
  LISTEN_START --> LISTENING: sk_state = TCP_LISTEN, hashed into lhash2
  LISTEN_START --> BOUND: get_port fails / EADDRINUSE
  LISTENING --> CLOSING: close() / inet_csk_listen_stop
  BOUND --> CLOSING: close()
  CLOSING --> DEAD: unhashed, bucket freed
  DEAD --> [*]
  note right of LISTEN_START
    race window: the socket is in the bind bucket
    but not yet in the listening hash
  end note`;

export const SEQUENCE = `sequenceDiagram
  autonumber
  participant T0 as thread 0 (A)
  participant K as kernel: port 1 bucket
  participant T1 as thread 1 (B)
  T0->>K: listen(A)
  activate K
  Note over K: inet_csk_get_port: tb->fastreuseport = 1
  rect rgb(255, 241, 168)
    T1->>K: listen(B)
    Note over T0,T1: race window: A is in the bucket, not yet TCP_LISTEN
    K-->>T1: EADDRINUSE
  end
  K-->>T0: 0
  deactivate K
  Note right of T1: B saw a conflict with a socket that is "about to" listen & <lost>`;

const state = (a: string, b: string, lhash: string[], owners: string[]) => ({
  sockets: {
    A: { state: a, addr: '0.0.0.0', port: 1, reuseport: true, uid: 0 },
    B: { state: b, addr: '0.0.0.0', port: 1, reuseport: true, uid: 0 },
  },
  bhash: { '1': { fastreuse: 0, fastreuseport: 1, owners } },
  lhash2: { '0.0.0.0:1': lhash },
});

export const SAMPLE: ReportInput = {
  title: 'tcp-listen-model check: linux-4.3',
  subtitle: 'variant linux-4.3 · seed 42 · 2 threads · exhaustive interleavings',
  verdicts: [
    {
      id: 'some-concurrent-listener-succeeds',
      sentence: 'When two SO_REUSEPORT sockets bound to the same port listen concurrently, at least one succeeds.',
      kind: 'safety',
      verdict: 'violated as expected',
      runs: 1204,
    },
    {
      id: 'syn-reaches-a-listener',
      sentence: 'A SYN to a port with a listener is delivered to one of its listeners.',
      kind: 'safety',
      verdict: 'holds',
      runs: 25000,
    },
    {
      id: 'no-double-bucket',
      sentence: 'A port never has two bind buckets in the same network namespace.',
      kind: 'invariant',
      verdict: 'violated',
      runs: 318,
    },
    {
      id: 'close-frees-port',
      sentence: 'After every socket bound to a port is closed, the port can be bound again.',
      kind: 'liveness',
      verdict: 'not proven',
      runs: 0,
    },
  ],
  statechart: STATECHART,
  counterexamples: [
    {
      id: 'cx-some-concurrent-listener-succeeds',
      title: 'some-concurrent-listener-succeeds violated (expected)',
      propertyId: 'some-concurrent-listener-succeeds',
      sentence: 'When two SO_REUSEPORT sockets bound to the same port listen concurrently, at least one succeeds.',
      sequenceDiagram: SEQUENCE,
      steps: [
        {
          n: 1,
          thread: 'T0',
          where: 'inet_csk_listen_start:842',
          did: 'listen(A) enters; takes the bucket lock',
          changes: ['sockets.A.state: BOUND → LISTEN_START'],
          raceWindow: false,
          state: state('LISTEN_START', 'BOUND', [], ['A', 'B']),
        },
        {
          n: 2,
          thread: 'T1',
          where: 'inet_csk_listen_start:842',
          did: 'listen(B) enters',
          changes: ['sockets.B.state: BOUND → LISTEN_START'],
          raceWindow: true,
          state: state('LISTEN_START', 'LISTEN_START', [], ['A', 'B']),
        },
        {
          n: 3,
          thread: 'T1',
          where: 'inet_csk_bind_conflict:71',
          did: 'sees A with sk_state != TCP_LISTEN: conflict',
          changes: ['sockets.B.state: LISTEN_START → BOUND', 'result T1: EADDRINUSE'],
          raceWindow: true,
          state: state('LISTEN_START', 'BOUND', [], ['A', 'B']),
        },
        {
          n: 4,
          thread: 'T0',
          where: 'inet_hash:466',
          did: 'A is hashed into lhash2',
          changes: ['sockets.A.state: LISTEN_START → LISTEN', 'lhash2["0.0.0.0:1"] += A'],
          raceWindow: false,
          state: state('LISTEN', 'BOUND', ['A'], ['A', 'B']),
        },
      ],
      replay: "npx tsx src/cli/main.ts replay --variant linux-4.3 --seed 42 --schedule 'T0,T1,T1,T0'",
    },
    {
      id: 'cx-no-double-bucket',
      title: 'no-double-bucket violated',
      propertyId: 'no-double-bucket',
      sentence: 'A port never has two bind buckets in the same network namespace.',
      sequenceDiagram: `sequenceDiagram
  participant T0 as thread 0
  participant T1 as thread 1
  T0->>T1: bind(A, 0.0.0.0:1)
  T1-->>T0: 0`,
      steps: [
        {
          n: 1,
          thread: 'T0',
          where: 'inet_bind_bucket_create:64',
          did: 'creates bucket for port 1',
          changes: ['bhash["1"] created'],
          raceWindow: true,
          state: { bhash: { '1': { owners: [] } } },
        },
      ],
      replay: 'npx tsx src/cli/main.ts replay --variant linux-4.3 --seed 7',
    },
  ],
};
