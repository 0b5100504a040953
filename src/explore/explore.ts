// The exhaustive explorer: every interleaving of a scenario's threads, over the same step
// function `check` uses, with a visited set of 64-bit fingerprints of the whole state (kernel
// tables, sockets, locks, each thread's position, locals and results).
//
// Semantics of a verdict:
// - violated: a counterexample exists (breadth-first: the first found is a shortest one);
// - holds: every reachable state was visited and none violates it (a proof for this scenario,
//   up to fingerprint collisions, whose chance is reported);
// - not proven: a bound (states or seconds) ended the search first. Truncated means not proven,
//   not proven wrong.
//
// One algorithm a file: search.ts (the search), paths.ts (counterexample paths), verdicts.ts,
// coverage.ts and outcomes.ts; this file puts them together.

import type { Scenario } from '../../model/scenario.ts';
import { compileSystem } from '../../model/system.ts';
import type { Variant } from '../../model/variant.ts';
import type { Property } from '../../properties/types.ts';
import { expectedOn } from '../engine/check.ts';
import { coverage, type Coverage } from './coverage.ts';
import { witnessOutcomes, type Outcome } from './outcomes.ts';
import { movesTo, pathTo, toSegments } from './paths.ts';
import { search, type ExploreStats, type Found, type SearchOptions, type SearchResult } from './search.ts';
import type { System } from '../../model/system.ts';
import type { Symmetry } from './symmetry.ts';
import { findSymmetry } from './symmetry.ts';
import { verdictOf, type PropertyOutcome } from './verdicts.ts';
import { nonAtomicSteps } from '../../model/atomicity.ts';
import { where } from '../../model/program.ts';
import { RaceFinder, type Race } from './races.ts';
import { parallelRefusal, parallelSearch } from './parallel.ts';

export type { ExploreStats } from './search.ts';
export type { Outcome } from './outcomes.ts';

export interface ExploreOptions {
  variant: Variant;
  scenario: Scenario;
  properties: readonly Property[];
  strategy?: 'bfs' | 'dfs';
  maxStates?: number;
  maxSeconds?: number;
  /** Bound on the search structures (visited set, parent records, frontier), in bytes. */
  maxBytes?: number;
  /** At maxBytes, stop instead of going on with a bitstate table (not a proof; see bitstate.ts). */
  exact?: boolean;
  symmetry?: boolean;
  merge?: boolean;
  /** Partial-order reduction (persistent sets, src/explore/persistent-set.ts); off unless asked for. */
  por?: boolean;
  /** Stop at the first violation that is not a documented kernel behaviour. */
  stopAtFirstViolation?: boolean;
  /** Collect the final outcomes with a shortest witness each. */
  outcomes?: boolean;
  /** Called about every 100 ms with the figures so far. */
  progress?: (s: ExploreStats) => void | 'stop';
  /** Look for data races at every state (src/explore/races.ts). */
  races?: boolean;
  /**
   * Worker threads for the breadth-first search (parallel.ts), with the same result; unset or 1:
   * the sequential search. What parallelRefusal() names (depth-first, races, an unregistered
   * variant or property) runs on one thread.
   */
  workers?: number;
  /** With workers: states stored on the calling thread before they start (parallel.ts, PARALLEL_FROM). */
  workersFrom?: number;
}

export interface ExploreResult {
  scenario: string;
  variant: string;
  strategy: 'bfs' | 'dfs';
  symmetry: boolean;
  merge: boolean;
  por: boolean;
  /** The search ended at a bound before visiting every state. */
  truncated: boolean;
  /** Why it was truncated: "states", "seconds" or "memory". */
  bound?: string;
  properties: PropertyOutcome[];
  stats: ExploreStats;
  coverage: Coverage;
  outcomes?: Outcome[];
  /** Orbits used by symmetry reduction, as socket names. */
  orbits: string[][];
  /**
   * Steps of the programs this scenario runs that fail Lipton's atomicity rule (model/atomicity.ts):
   * the explorer runs them as one move anyway, so every verdict holds only assuming they are atomic.
   */
  notAtomic: { step: string; where: string; rule: string }[];
  /** With `races`: every unordered pair of conflicting accesses not both marked. */
  races?: Race[];
}

export function explore(o: ExploreOptions): ExploreResult {
  const sys = compileSystem(o.scenario, o.variant);
  const strategy = o.strategy ?? 'bfs';
  const merge = o.merge ?? true;
  const sym = o.symmetry ? findSymmetry(sys) : null;
  // The race analysis looks at every state: the reduction would hide some.
  const por = !!o.por && !o.races;
  const finder = o.races ? new RaceFinder(sys) : undefined;
  const options = {
    ...(finder ? { visit: (s: Uint8Array) => finder.visit(s) } : {}),
    strategy, merge, maxStates: o.maxStates, maxSeconds: o.maxSeconds, maxBytes: o.maxBytes, exact: o.exact, outcomes: o.outcomes, progress: o.progress,
    stopsSearch: (p: Property) => !!o.stopAtFirstViolation && !expectedOn(p, o.variant),
  };
  const parallel = (o.workers ?? 1) > 1 && parallelRefusal({ ...o, strategy }) === null ? { scenario: o.scenario, variant: o.variant, workers: o.workers!, from: o.workersFrom } : null;
  const searchWith: SearchFn = parallel ? (...a) => parallelSearch(...a, parallel) : search;
  const r = searchWith(sys, o.properties, sym, { ...options, por });
  const exact = por && strategy === 'bfs' ? shortestPaths(sys, o.properties, sym, options, r, searchWith) : { paths: new Map<string, { found: Found; moves: number[] }>() };
  const shortest = exact.paths;
  // The plain search for the shortest paths stopped at a bound (or Ctrl-C) first: the result is
  // not complete, its counterexamples are not known to be shortest.
  const truncated = r.truncated || exact.bound !== undefined;
  const bound = r.bound ?? exact.bound;
  const found = new Map([...r.found].map(([id, f]) => [id, shortest.get(id)?.found ?? f]));
  const exactMoves = new Map([...shortest.values()].map((x) => [x.found, x.moves]));
  // Rebuild each counterexample and outcome as a concrete schedule and replay it with a trace.
  const schedule = (moves: number[]) => toSegments(sys, moves, merge, sym);
  const properties = o.properties.map((p) => verdictOf(p, {
    sys, variant: o.variant, merge, found, complete: !truncated && !r.stopped,
    movesTo: (f) => exactMoves.get(f) ?? movesTo(r.parent, r.move, f), schedule,
  }));
  const outcomes = o.outcomes ? witnessOutcomes(sys, r.outcomeAt, (id) => schedule(pathTo(r.parent, r.move, id)), merge) : undefined;
  return {
    scenario: o.scenario.name, variant: o.variant.id, strategy, symmetry: sym !== null, merge, por, truncated,
    ...(bound ? { bound } : {}),
    properties,
    stats: r.stats(performance.now()),
    coverage: coverage(sys, r.stepsRun, r.lifeCoverage),
    ...(outcomes ? { outcomes } : {}),
    orbits: sym ? sym.orbits.map((orbit) => orbit.map((m) => sys.names.sockets[m.sk])) : [],
    ...(finder ? { races: finder.races() } : {}),
    notAtomic: nonAtomicSteps([...new Set(sys.threads.slice(0, sys.concurrent).flatMap((t) => t.programs))])
      .map((o) => ({ step: o.step, where: where(o.where), rule: o.rule })),
  };
}

/**
 * The reduction keeps every violation, deadlock and final state, and the shortest path to a
 * deadlock or a final state (a persistent set only reorders moves that commute). A state
 * property can be reached sooner in the full graph, though: a path that makes no move of the
 * set reaches the violation without the invisible move the reduced search made first. So the
 * violations of invariants, step and return properties get their shortest path from a plain
 * breadth-first search that stops once it has found them all: the same path the search
 * without reduction reports. Returns, per such property, the violation so found and the moves to
 * it, and the bound that stopped that search before it found them all, if one did.
 */
type SearchFn = typeof search;

function shortestPaths(sys: System, properties: readonly Property[], sym: Symmetry | null, o: SearchOptions, reduced: SearchResult, search: SearchFn): { paths: Map<string, { found: Found; moves: number[] }>; bound?: string } {
  const out = new Map<string, { found: Found; moves: number[] }>();
  // A search that never used a smaller set made the plain search's moves in its order.
  if (reduced.reducedStates === 0) return { paths: out };
  const needed = properties.filter((p) => p.kind !== 'outcome' && p.kind !== 'progress' && reduced.found.has(p.id)).map((p) => p.id);
  if (needed.length === 0) return { paths: out };
  const plain = search(sys, properties, sym, { ...o, stopWhenFound: new Set(needed) });
  for (const id of needed) {
    const f = plain.found.get(id);
    if (f !== undefined) out.set(id, { found: f, moves: movesTo(plain.parent, plain.move, f) });
  }
  return { paths: out, ...(plain.truncated && out.size < needed.length ? { bound: plain.bound } : {}) };
}
