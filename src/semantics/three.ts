// Three sockets on one port where the pairwise table does not predict the third socket's answer.
//
// The pairwise prediction for C beside A and B: C's bind() succeeds when the two-socket table
// says it succeeds beside A alone and beside B alone (each in its own state, with its own flags,
// address relation and owner relation); C's listen() likewise. A three-socket run that answers
// otherwise is a case where what A and B did together matters, which on these kernels is the
// bind bucket's fast-path cache (tb->fastreuse, tb->fastreuseport and its cached address), set by
// one socket and read for another. The search covers every combination; the page lists the hits.

import { ADDRESSES, type Address } from '../../model/scenario.ts';
import type { Variant } from '../../model/variant.ts';
import {
  CALLS, FIRST_STATES, FLAGS, PORT, answerOf, modelSequence, placeOps, socketOf,
  type AddressPair, type Answers, type Combination, type FirstState, type Flags, type TableRow,
} from './table.ts';
import type { Scenario } from '../../model/scenario.ts';

/** Owner patterns of A, B, C up to renaming: who shares a uid with whom. */
const UID_PATTERNS = [[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1], [0, 1, 2]] as const;

interface Placed {
  flags: Flags;
  addr: Address;
  state: FirstState;
  uid: number;
}

export interface ThreeCombination {
  a: Placed;
  b: Placed;
  c: { flags: Flags; addr: Address; uid: number };
}

/** A combination whose answers on `kernel` are not the pairwise prediction. */
export interface ThreeCase extends ThreeCombination {
  kernel: string;
  actual: Answers;
  predicted: Answers;
}

function addressRelation(x: Address, y: Address): AddressPair {
  const wild = (a: Address) => a === '0.0.0.0';
  if (wild(x) && wild(y)) return 'both wildcard';
  if (wild(x)) return 'A wildcard, B specific';
  if (wild(y)) return 'A specific, B wildcard';
  return x === y ? 'same specific' : 'different specific';
}

export function threeScenario(t: ThreeCombination): Scenario {
  return {
    name: `semantics-three: ${showThree(t)}`,
    sockets: [socketOf('A', t.a.flags, t.a.uid), socketOf('B', t.b.flags, t.b.uid), socketOf('C', t.c.flags, t.c.uid)],
    threads: [[...placeOps('A', t.a.addr, t.a.state), ...placeOps('B', t.b.addr, t.b.state),
      { op: 'bind', sk: 'C', addr: t.c.addr, port: PORT }, { op: 'listen', sk: 'C' }]],
  };
}

export function showThree(t: ThreeCombination): string {
  const sock = (n: string, p: { flags: Flags; addr: Address; uid: number; state?: FirstState }) =>
    `${n} ${p.flags} ${p.addr}${p.state ? ` ${p.state}` : ''} uid ${p.uid}`;
  return `${sock('A', t.a)}; ${sock('B', t.b)}; ${sock('C', t.c)}`;
}

/** Every three-socket combination, A and B in every state, owners up to renaming. */
function threeCombinations(): ThreeCombination[] {
  const out: ThreeCombination[] = [];
  for (const fa of FLAGS) for (const fb of FLAGS) for (const fc of FLAGS)
    for (const aa of ADDRESSES) for (const ab of ADDRESSES) for (const ac of ADDRESSES)
      for (const sa of FIRST_STATES) for (const sb of FIRST_STATES)
        for (const [ua, ub, uc] of UID_PATTERNS) {
          out.push({ a: { flags: fa, addr: aa, state: sa, uid: ua }, b: { flags: fb, addr: ab, state: sb, uid: ub }, c: { flags: fc, addr: ac, uid: uc } });
        }
  return out;
}

/** The pairwise table of one kernel, looked up by combination. */
export function pairLookup(rows: readonly TableRow[], kernel: string): (c: Combination) => Answers {
  const key = (c: Combination) => `${c.a}|${c.b}|${c.addresses}|${c.state}|${c.user}`;
  const m = new Map(rows.map((r) => [key(r), r.model[kernel]]));
  return (c) => m.get(key(c))!;
}

/** The pairwise answer for `second` placed beside `first`. */
function pair(lookup: (c: Combination) => Answers, first: Placed, second: { flags: Flags; addr: Address; uid: number }): Answers {
  return lookup({ a: first.flags, b: second.flags, addresses: addressRelation(first.addr, second.addr), state: first.state, user: first.uid === second.uid ? 'same' : 'different' });
}

/** What the pairwise table predicts for C: it succeeds only where it succeeds beside each alone. */
export function predict(lookup: (c: Combination) => Answers, t: ThreeCombination): Answers {
  const withA = pair(lookup, t.a, t.c), withB = pair(lookup, t.b, t.c);
  const bind = withA.bind !== '0' ? withA.bind : withB.bind;
  if (bind !== '0') return { bind, listen: `bind: ${bind}` };
  return { bind, listen: withA.listen !== '0' ? withA.listen : withB.listen };
}

/** Searches every three-socket combination on each kernel; returns the cells the pairs mispredict. */
export function threeSocketCases(kernels: readonly Variant[], rows: readonly TableRow[]): { searched: number; cases: ThreeCase[] } {
  const cases: ThreeCase[] = [];
  let searched = 0;
  for (const k of kernels) {
    const lookup = pairLookup(rows, k.id);
    for (const t of threeCombinations()) {
      // B must be where the combination puts it: the pairwise table says whether it gets there.
      const b = pair(lookup, t.a, t.b);
      if (answerOf(b, t.b.state === 'bound' ? 'bind' : 'listen') !== '0') continue;
      searched++;
      const actual = modelSequence(threeScenario(t), k);
      const predicted = predict(lookup, t);
      if (CALLS.some((call) => answerOf(actual, call) !== answerOf(predicted, call))) cases.push({ ...t, kernel: k.id, actual, predicted });
    }
  }
  return { searched, cases };
}


