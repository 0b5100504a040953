// The SO_REUSEADDR / SO_REUSEPORT table: for two sockets on one port, every combination of
// flags, addresses, the first socket's state and the owners, what the second socket's bind() and
// bind()-then-listen() return on each kernel of the model. Each combination is one sequential
// scenario run by the same step function as everything else, so it has exactly one outcome.
//
// Definition (also at the top of docs/SEMANTICS.md): socket A (uid 0) binds addrA:P and, when its
// state is "listening", calls listen(). Then socket B binds addrB:P and calls listen(). The
// "bind" cell is what B's bind() returned. The "listen" cell is what B's listen() returned when
// that bind() returned 0; when the bind failed, listen() is not the question (it would autobind
// another port), and the cell reads "bind: <errno>".

import type { Address, Op, Scenario, ScenarioSocket } from '../../model/scenario.ts';
import type { Variant } from '../../model/variant.ts';
import { modelAnswers } from '../conform/conform.ts';

export const FLAGS = ['none', 'SO_REUSEADDR', 'SO_REUSEPORT', 'both'] as const;
export type Flags = (typeof FLAGS)[number];

/** The five ways two sockets' addresses relate (127.0.0.2 stands for any other specific address). */
export const ADDRESS_PAIRS = [
  { id: 'same specific', a: '127.0.0.1', b: '127.0.0.1' },
  { id: 'both wildcard', a: '0.0.0.0', b: '0.0.0.0' },
  { id: 'A wildcard, B specific', a: '0.0.0.0', b: '127.0.0.1' },
  { id: 'A specific, B wildcard', a: '127.0.0.1', b: '0.0.0.0' },
  { id: 'different specific', a: '127.0.0.1', b: '127.0.0.2' },
] as const satisfies readonly { id: string; a: Address; b: Address }[];
export type AddressPair = (typeof ADDRESS_PAIRS)[number]['id'];

export const FIRST_STATES = ['bound', 'listening'] as const;
export type FirstState = (typeof FIRST_STATES)[number];
export const USERS = ['same', 'different'] as const;
type User = (typeof USERS)[number];
export const CALLS = ['bind', 'listen'] as const;
export type Call = (typeof CALLS)[number];

/** The symbolic port every table scenario uses. */
export const PORT = 8080;

/** One row of the table: everything but the call. Both calls are answered by one run. */
export interface Combination {
  a: Flags;
  b: Flags;
  addresses: AddressPair;
  state: FirstState;
  user: User;
}

/** One cell: a combination and the second socket's call. */
interface Cell extends Combination {
  call: Call;
}

export const combinationKey = (c: Combination): string => `A ${c.a}, B ${c.b}, ${c.addresses}, A ${c.state}, ${c.user} user`;
export const cellId = (c: Cell): string => `${combinationKey(c)}, B ${c.call}`;

/** Every combination, in the order of the page: flags of A, flags of B, addresses, state, user. */
export function combinations(): Combination[] {
  return FLAGS.flatMap((a) => FLAGS.flatMap((b) => ADDRESS_PAIRS.flatMap(({ id }) =>
    FIRST_STATES.flatMap((state) => USERS.map((user): Combination => ({ a, b, addresses: id, state, user }))))));
}

export function cells(): Cell[] {
  return combinations().flatMap((c) => CALLS.map((call) => ({ ...c, call })));
}

export function socketOf(name: string, flags: Flags, uid: number): ScenarioSocket {
  return {
    name,
    ...(flags === 'SO_REUSEADDR' || flags === 'both' ? { reuseaddr: true } : {}),
    ...(flags === 'SO_REUSEPORT' || flags === 'both' ? { reuseport: true } : {}),
    ...(uid ? { uid } : {}),
  };
}

/** The setup a socket needs to be in `state` on addr:PORT. */
export function placeOps(sk: string, addr: Address, state: FirstState): Op[] {
  return [{ op: 'bind', sk, addr, port: PORT }, ...(state === 'listening' ? [{ op: 'listen' as const, sk }] : [])];
}

/** The one-thread scenario of a combination: A's ops, then B's bind() and listen(). */
export function combinationScenario(c: Combination): Scenario {
  const pair = ADDRESS_PAIRS.find((p) => p.id === c.addresses)!;
  return {
    name: `semantics: ${combinationKey(c)}`,
    sockets: [socketOf('A', c.a, 0), socketOf('B', c.b, c.user === 'same' ? 0 : 1)],
    threads: [[...placeOps('A', pair.a, c.state), { op: 'bind', sk: 'B', addr: pair.b, port: PORT }, { op: 'listen', sk: 'B' }]],
  };
}

/** The answers to both calls, read from the results of the last socket's bind and listen. */
export interface Answers {
  bind: string;
  listen: string;
}

/**
 * Reads the last socket's answers from a run's results (in op order, its bind then its listen).
 * Throws when an op before them failed: the setup must hold for the question to make sense.
 */
export function answersOf(results: readonly string[], scenario: string): Answers {
  const setup = results.slice(0, -2);
  const bad = setup.findIndex((r) => r !== '0');
  if (bad >= 0) throw new Error(`${scenario}: setup op ${bad + 1} returned ${setup[bad]}`);
  const [bind, listen] = results.slice(-2);
  return { bind, listen: bind === '0' ? listen : `bind: ${bind}` };
}

export const answerOf = (x: Answers, call: Call) => (call === 'bind' ? x.bind : x.listen);

/** What the model of `variant` answers for a one-thread scenario ending in bind() and listen(). */
export function modelSequence(scenario: Scenario, variant: Variant): Answers {
  return answersOf(modelAnswers(scenario, variant).map((x) => x.result), scenario.name);
}

export interface TableRow extends Combination {
  /** Kernel id -> the answers on that kernel. */
  model: Record<string, Answers>;
}

export function modelTable(kernels: readonly Variant[]): TableRow[] {
  return combinations().map((c) => {
    const s = combinationScenario(c);
    return { ...c, model: Object.fromEntries(kernels.map((k) => [k.id, modelSequence(s, k)])) };
  });
}
