// A scenario: the sockets a test creates and what each thread does with them.
// Plain JSON data, so a scenario file on disk has exactly this shape.

import { match } from 'ts-pattern';
import { ScenarioError } from '../src/errors.ts';

/** The local addresses a scenario may bind to (loopback only, plus the wildcard). */
export const ADDRESSES = ['0.0.0.0', '127.0.0.1', '127.0.0.2'] as const;
export type Address = (typeof ADDRESSES)[number];

/** One TCP socket, created with socket(AF_INET, SOCK_STREAM) and these options before any op. */
export interface ScenarioSocket {
  /** Its name in traces and results, e.g. "A". */
  name: string;
  /** SO_REUSEADDR set before bind. */
  reuseaddr?: boolean;
  /** SO_REUSEPORT set before bind. */
  reuseport?: boolean;
  /** Owner uid (sk_uid), fixed at creation. Default 0. */
  uid?: number;
}

/**
 * One syscall. Ports are symbolic: the model keeps them as written, the kernel harness maps each
 * distinct non-zero port to a free port chosen at run time. Port 0 asks for an ephemeral port.
 */
export type Op =
  | { op: 'bind'; sk: string; addr: Address; port: number }
  | { op: 'listen'; sk: string; backlog?: number }
  | { op: 'close'; sk: string }
  /** A SYN to addr:port (or to the port that socket `portOf` is bound to): which listener gets it. */
  | { op: 'syn'; addr: Address; port?: number; portOf?: string };

export interface Scenario {
  name: string;
  description?: string;
  sockets: ScenarioSocket[];
  /** Ops run one after another before the threads start (no interleaving). */
  setup?: Op[];
  /** Each thread's program; threads run concurrently, each program in order. */
  threads: Op[][];
}

/** What one op returned: "0", an errno name, or for a SYN the name of the listener that got it. */
export type OpResult = string;

/** The socket an op names, if any: its own, or for a SYN the one whose port it targets. */
const socketNamed = (o: Op): string | undefined =>
  match(o)
    .with({ op: 'bind' }, { op: 'listen' }, { op: 'close' }, (o) => o.sk)
    .with({ op: 'syn' }, (o) => o.portOf)
    .exhaustive();

/**
 * What a JSON schema cannot say of a scenario: socket names are unique, and every socket an op
 * names is one the scenario creates. Throws ScenarioError (`source` names the scenario).
 */
export function checkSocketNames(s: Scenario, source: string): void {
  const twice = s.sockets.find((x, i) => s.sockets.findIndex((y) => y.name === x.name) !== i);
  if (twice) throw new ScenarioError(`scenario ${source}: two sockets share a name: "${twice.name}" is used twice`);
  const names = new Set(s.sockets.map((x) => x.name));
  const ops = [...(s.setup ?? []).map((o, i) => [`/setup/${i}`, o] as const), ...s.threads.flatMap((th, t) => th.map((o, i) => [`/threads/${t}/${i}`, o] as const))];
  for (const [at, o] of ops) {
    const sk = socketNamed(o);
    if (sk !== undefined && !names.has(sk)) throw new ScenarioError(`scenario ${source}: ${at} names socket "${sk}", which the scenario does not create`);
  }
}
