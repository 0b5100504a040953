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

import { Kernel } from '../../model/kernel-view.ts';
import { LIFE, REFUSED } from '../../model/lifecycle/table.ts';
import { LIFE_EVENTS } from '../../model/lifecycle/machine.ts';
import type { Scenario } from '../../model/scenario.ts';
import { compileSystem, COVERAGE_STRIDE, resultsOf, threadDone, transition, type System } from '../../model/system.ts';
import type { Variant } from '../../model/variant.ts';
import { SK, SK_SIZE } from '../../model/state.ts';
import type { Property, Violation } from '../../properties/types.ts';
import { Checker } from '../engine/checker.ts';
import { expectedOn } from '../engine/check.ts';
import { runSchedule, type RunResult, type Segment } from '../engine/run.ts';
import { minimizeSchedule } from '../engine/shrink.ts';
import { FingerprintSet, fingerprint } from './fingerprint-set.ts';
import { StateQueue } from './state-queue.ts';
import { findSymmetry } from './symmetry.ts';

export interface ExploreOptions {
  variant: Variant;
  scenario: Scenario;
  properties: readonly Property[];
  strategy?: 'bfs' | 'dfs';
  maxStates?: number;
  maxSeconds?: number;
  /** Bound on the search structures (visited set, parent records, frontier), in bytes. */
  maxBytes?: number;
  symmetry?: boolean;
  merge?: boolean;
  /** Stop at the first violation that is not a documented kernel behaviour. */
  stopAtFirstViolation?: boolean;
  /** Collect the final outcomes with a shortest witness each. */
  outcomes?: boolean;
  /** Called about every 100 ms with the figures so far. */
  progress?: (s: ExploreStats) => void | 'stop';
}

export type ExploreVerdict = 'holds' | 'violated' | 'violated as expected' | 'not proven' | 'not applicable';

export interface ExploreCounterexample {
  propertyId: string;
  message: string;
  /** Transitions from the initial state to the violation. */
  depth: number;
  schedule: Segment[];
  run: RunResult;
}

export interface ExploreStats {
  states: number;
  transitions: number;
  maxDepth: number;
  seconds: number;
  statesPerSecond: number;
  /** Bytes of the visited set and parent records, per stored state. */
  bytesPerState: number;
  /** Peak bytes of the visited set, parent records and frontier together. */
  peakBytes: number;
  collisionProbability: number;
}

export interface Outcome {
  /** Thread name -> what each of its ops returned. */
  returns: Record<string, string[]>;
  /** Sockets in the listening hash at the end. */
  listening: string[];
  witness: Segment[];
  run: RunResult;
}

export interface ExploreResult {
  scenario: string;
  variant: string;
  strategy: 'bfs' | 'dfs';
  symmetry: boolean;
  merge: boolean;
  /** The search ended at a bound before visiting every state. */
  truncated: boolean;
  /** Why it was truncated: "states", "seconds" or "memory". */
  bound?: string;
  properties: { id: string; kind: Property['kind']; verdict: ExploreVerdict; counterexample?: ExploreCounterexample }[];
  stats: ExploreStats;
  coverage: { stepsNeverRun: string[]; lifecycleMovesNeverTaken: string[] };
  outcomes?: Outcome[];
  /** Orbits used by symmetry reduction, as socket names. */
  orbits: string[][];
}

/** Where a violation was seen: after move `thread` from state `from`, or at state `at`. */
interface Found {
  violation: Violation;
  from: number;
  thread: number;
  at: number;
}

export function explore(o: ExploreOptions): ExploreResult {
  const sys = compileSystem(o.scenario, o.variant);
  const strategy = o.strategy ?? 'bfs';
  const merge = o.merge ?? true;
  const T = sys.concurrent;
  const L = sys.L;
  const padded = (L.size + 3) & ~3;
  const words = padded >> 2;
  const sym = o.symmetry ? findSymmetry(sys) : null;
  const start = performance.now();

  // Buffers: the state being expanded, its successor, the canonical successor.
  const cur = new Uint8Array(padded), next = new Uint8Array(padded), canonBuf = new Uint8Array(padded);
  const curWords = new Int32Array(cur.buffer), nextWords = new Int32Array(next.buffer), canonBufWords = new Int32Array(canonBuf.buffer);
  // Without symmetry the successor is its own canonical form: no copy.
  const canon = sym ? canonBuf : next;
  const canonWords = sym ? canonBufWords : nextWords;
  const fp = new Uint32Array(2);
  const meta = new Uint32Array(2);
  const perm = new Int32Array(sys.threads.length);
  const k = new Kernel(L, sys.socks, sys.ephemeral, next);
  k.lifeCoverage = new Uint8Array(LIFE.states.length * LIFE_EVENTS.length);

  const visited = new FingerprintSet(1 << 12);
  let parent = new Uint32Array(1 << 12);
  let move = new Uint8Array(1 << 12);
  let states = 0;
  const addState = (from: number, thread: number): number => {
    if (states === parent.length) {
      const p2 = new Uint32Array(parent.length * 2); p2.set(parent); parent = p2;
      const m2 = new Uint8Array(move.length * 2); m2.set(move); move = m2;
    }
    parent[states] = from;
    move[states] = thread;
    return states++;
  };

  const found = new Map<string, Found>();
  let active = o.properties.slice();
  let checker = new Checker(sys, active);
  const expected = (id: string) => { const p = o.properties.find((x) => x.id === id); return p ? expectedOn(p, o.variant) : false; };
  let stop = false;
  const record = (v: Violation, from: number, thread: number, at: number) => {
    if (found.has(v.propertyId)) return;
    found.set(v.propertyId, { violation: v, from, thread, at });
    active = active.filter((p) => p.id !== v.propertyId);
    checker = new Checker(sys, active);
    if (o.stopAtFirstViolation && !expected(v.propertyId)) stop = true;
  };

  const stepsRun = new Uint8Array(4 * COVERAGE_STRIDE);
  // One observer for every transition: allocating a closure per move costs more than the move.
  let stepViolation: Violation | null = null;
  const observe = (step: import('../../model/program.ts').Step, ctx: import('../../model/program.ts').Ctx, program: string, returnedOp: number, cov: number) => {
    stepsRun[cov] = 1;
    const v = checker.afterStep(k, step, ctx, program, returnedOp);
    if (v) stepViolation = v;
    return v === null;
  };
  const outcomeAt = new Map<string, number>();

  // The initial state.
  cur.set(sys.init);
  if (sym) { sym.canonicalize(cur, canonBuf, perm); cur.set(canonBuf); }
  fingerprint(curWords, words, fp);
  visited.addOrGet(fp[0], fp[1], 0);
  addState(0xffffffff, 0);
  const queue = new StateQueue(words, strategy === 'dfs');
  queue.push(curWords, 0, 0);
  k.s = cur;
  { const v = checker.afterTransition(k); if (v) record(v, -1, 0, 0); }

  let transitions = 0, maxDepth = 0, truncated = false, bound: string | undefined;
  let lastProgress = start, pops = 0;
  const maxStates = o.maxStates ?? Infinity, maxMs = (o.maxSeconds ?? Infinity) * 1000, maxBytes = o.maxBytes ?? Infinity;
  // Memory is checked every 1,024 expansions, each adding at most one state per thread: leave
  // room for what the structures can grow to before the next check.
  const headroom = 1024 * Math.max(1, T);
  const memoryNeeded = () => visited.bytesAfter(headroom) + (parent.byteLength + move.byteLength) * (states + headroom > parent.length ? 2 : 1) + queue.bytes + (1 << 24);

  while (queue.length > 0 && !stop) {
    if ((++pops & 1023) === 0) {
      const now = performance.now();
      if (now - start > maxMs) { truncated = true; bound = 'seconds'; break; }
      if (memoryNeeded() > maxBytes) { truncated = true; bound = 'memory'; break; }
      // A progress callback that returns 'stop' ends the search (the CLI's Ctrl-C).
      if (o.progress && now - lastProgress > 100) { lastProgress = now; if (o.progress(stats(now)) === 'stop') { truncated = true; bound = 'interrupted'; break; } }
    }
    if (states >= maxStates) { truncated = true; bound = 'states'; break; }
    queue.pop(curWords, meta);
    const id = meta[0], depth = meta[1];
    if (depth > maxDepth) maxDepth = depth;
    let unfinished = false, moved = false;
    // `next` still equals `cur` after a blocked thread: transition() writes nothing then.
    let nextIsCur = false;
    k.s = cur;
    for (let t = 0; t < T; t++) {
      if (threadDone(sys, k, t)) continue;
      unfinished = true;
      if (!nextIsCur) next.set(cur);
      nextIsCur = true;
      k.s = next;
      k.refused = null;
      stepViolation = null;
      // Blocked (0 steps) is the same test as enabled(), asked once instead of twice.
      if (transition(sys, k, t, merge, observe) === 0) { k.s = cur; continue; }
      nextIsCur = false;
      moved = true;
      transitions++;
      if (stepViolation !== null) record(stepViolation, id, t, -1);
      if (k.refused !== null && !found.has('lifecycle-legal') && active.some((p) => p.id === 'lifecycle-legal')) {
        record({ propertyId: 'lifecycle-legal', message: k.refused }, id, t, -1);
      }
      if (sym) sym.canonicalize(next, canonBuf, perm);
      fingerprint(canonWords, words, fp);
      if (visited.addOrGet(fp[0], fp[1], states) >= 0) { k.s = cur; continue; }
      const nid = addState(id, t);
      k.s = canon;
      const v = checker.afterTransition(k);
      if (v) record(v, id, t, -1);
      queue.push(canonWords, nid, depth + 1);
      k.s = cur;
      if (stop) break;
    }
    if (unfinished && !moved) {
      const stuck = sys.threads.slice(0, T).filter((_, t) => !threadDone(sys, k, t)).map((th) => th.name);
      const v = checker.deadlock(stuck);
      if (v) record(v, -1, 0, id);
    }
    if (!unfinished) {
      const v = checker.atEnd(k);
      if (v) record(v, -1, 0, id);
      if (o.outcomes) {
        const key = outcomeKey(sys, cur);
        if (!outcomeAt.has(key)) outcomeAt.set(key, id);
      }
    }
  }

  function stats(now: number): ExploreStats {
    const seconds = (now - start) / 1000;
    const stored = visited.bytes + parent.byteLength + move.byteLength;
    return {
      states, transitions, maxDepth, seconds: round(seconds, 3),
      statesPerSecond: Math.round(states / Math.max(seconds, 1e-6)),
      bytesPerState: round(stored / Math.max(states, 1), 1),
      peakBytes: stored + queue.peakBytes,
      collisionProbability: visited.collisionProbability(),
    };
  }

  // Rebuild each counterexample as a concrete schedule and replay it with a trace.
  const pathTo = (id: number): number[] => {
    const moves: number[] = [];
    for (let at = id; at !== 0 && at !== 0xffffffff; at = parent[at]) moves.push(move[at]);
    return moves.reverse();
  };
  const concrete = (moves: number[]): Segment[] => toSegments(sys, moves, merge, sym);
  const replay = (schedule: Segment[], props: readonly Property[]) => runSchedule(sys, schedule, { properties: props, merge, trace: true });

  const properties = o.properties.map((p) => {
    const f = found.get(p.id);
    const applicable = p.kind !== 'outcome' || p.appliesTo(sys);
    if (!f) {
      const verdict: ExploreVerdict = !applicable ? 'not applicable' : truncated || stop ? 'not proven' : 'holds';
      return { id: p.id, kind: p.kind, verdict };
    }
    const moves = f.at >= 0 ? pathTo(f.at) : [...(f.from >= 0 ? pathTo(f.from) : []), f.thread];
    const violates = (s: Segment[]) => runSchedule(sys, s, { properties: [p], merge }).violation !== null;
    const schedule = minimizeSchedule(sys, concrete(moves), violates, merge);
    const run = replay(schedule, [p]);
    return {
      id: p.id, kind: p.kind, verdict: (expectedOn(p, o.variant) ? 'violated as expected' : 'violated') as ExploreVerdict,
      counterexample: { propertyId: p.id, message: f.violation.message, depth: moves.length, schedule, run },
    };
  });

  const allSteps = new Map<string, number>();
  sys.threads.slice(0, T).forEach((th) => th.programs.forEach((pr) => pr.steps.forEach((s, pc) => allSteps.set(`${pr.name}:${s.id}`, pr.id * COVERAGE_STRIDE + pc))));
  const lifecycleMovesNeverTaken: string[] = [];
  LIFE.states.forEach((st, si) => LIFE_EVENTS.forEach((ev, ei) => {
    const cell = si * LIFE_EVENTS.length + ei;
    if (LIFE.next[cell] !== REFUSED && !k.lifeCoverage![cell]) lifecycleMovesNeverTaken.push(`${st} --${ev}--> ${LIFE.states[LIFE.next[cell]]}`);
  }));

  const outcomes = o.outcomes
    ? [...outcomeAt.entries()].map(([key, id]) => {
        const reaches = (s: Segment[]) => outcomeKey(sys, runSchedule(sys, s, { properties: [], merge }).final) === key;
        const witness = minimizeSchedule(sys, concrete(pathTo(id)), reaches, merge);
        const run = replay(witness, []);
        const kk = new Kernel(L, sys.socks, sys.ephemeral, run.final);
        return { returns: run.results, listening: sys.names.sockets.filter((_, sk) => kk.isHashed(sk)), witness, run };
      }).sort((a, b) => compareOutcomes(a, b))
    : undefined;

  return {
    scenario: o.scenario.name, variant: o.variant.id, strategy, symmetry: sym !== null, merge, truncated,
    ...(bound ? { bound } : {}),
    properties,
    stats: stats(performance.now()),
    coverage: { stepsNeverRun: [...allSteps].filter(([, at]) => !stepsRun[at]).map(([key]) => key).sort(), lifecycleMovesNeverTaken },
    ...(outcomes ? { outcomes } : {}),
    orbits: sym ? sym.orbits.map((orbit) => orbit.map((m) => sys.names.sockets[m.sk])) : [],
  };
}

/** What a finished run returned and which sockets listen: the outcome's identity. */
function outcomeKey(sys: System, s: Uint8Array): string {
  const k = new Kernel(sys.L, sys.socks, sys.ephemeral, s);
  const res = resultsOf(sys, k);
  const listening: string[] = [];
  for (let sk = 0; sk < sys.L.sockets; sk++) if (s[sys.L.skBase + sk * SK_SIZE + SK.lhash] !== 0) listening.push(sys.names.sockets[sk]);
  return JSON.stringify([res, listening]);
}

function compareOutcomes(a: Outcome, b: Outcome): number {
  const ka = JSON.stringify([a.returns, a.listening]), kb = JSON.stringify([b.returns, b.listening]);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/**
 * Turns a path of moves between canonical states into a concrete schedule: each move names a
 * thread of the canonical state; the concrete thread is found by undoing the renaming that
 * made that state canonical.
 */
function toSegments(sys: System, moves: number[], merge: boolean, sym: ReturnType<typeof findSymmetry>): Segment[] {
  const threads: number[] = [];
  if (!sym) threads.push(...moves);
  else {
    const padded = (sys.L.size + 3) & ~3;
    const s = new Uint8Array(padded), canon = new Uint8Array(padded);
    s.set(sys.init);
    const perm = new Int32Array(sys.threads.length);
    const k = new Kernel(sys.L, sys.socks, sys.ephemeral, s);
    for (const m of moves) {
      sym.canonicalize(s, canon, perm);
      const t = perm.indexOf(m); // perm maps concrete -> canonical
      threads.push(t);
      transition(sys, k, t, merge);
    }
  }
  const segments: Segment[] = [];
  for (const t of threads) {
    const last = segments[segments.length - 1];
    if (last && last.thread === t) last.steps++;
    else segments.push({ thread: t, steps: 1 });
  }
  return segments;
}

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** Results of a finished run as "thread: results" for tables. */
export function showReturns(r: Record<string, string[]>): string {
  return Object.entries(r).map(([t, v]) => `${t}=${v.join('/')}`).join(' ');
}

