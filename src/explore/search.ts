// The state-space search: every interleaving of a system's threads, breadth- or depth-first,
// over the same step function `check` uses, with a visited set of 64-bit fingerprints of the
// whole state. It records, for each property, where it was first violated, and how each stored
// state was first reached (parent and move), so that paths.ts can rebuild a counterexample.

import { Kernel } from '../../model/kernel-view.ts';
import { LIFE } from '../../model/lifecycle/table.ts';
import { LIFE_EVENTS } from '../../model/lifecycle/machine.ts';
import type { Ctx, Step } from '../../model/program.ts';
import { COVERAGE_STRIDE, enabled, threadDone, transition, type System } from '../../model/system.ts';
import type { Change, Property, Violation } from '../../properties/types.ts';
import { Checker } from '../engine/checker.ts';
import { BitstateTable } from './bitstate.ts';
import { FingerprintSet, RecentFingerprints, Zobrist, collisionProbability, type VisitedSet } from './fingerprint-set.ts';
import { outcomeKey } from './outcomes.ts';
import { NO_PARENT } from './paths.ts';
import { PersistentSets } from './persistent-set.ts';
import { changesVisible, visibleBytes } from './visibility.ts';
import { StateQueue } from './state-queue.ts';
import type { Symmetry } from './symmetry.ts';

export interface SearchOptions {
  strategy: 'bfs' | 'dfs';
  merge: boolean;
  maxStates?: number;
  maxSeconds?: number;
  /** Bound on the search structures (visited set, parent records, frontier), in bytes. */
  maxBytes?: number;
  /**
   * At maxBytes, stop (true) instead of going on with a bitstate table in the visited set's
   * memory (bitstate.ts; the result is then not a proof).
   */
  exact?: boolean;
  /** Stop at the first violation of a property for which `stopsSearch` says so. */
  stopsSearch?: (p: Property) => boolean;
  /** Stop once every one of these properties has been found violated. */
  stopWhenFound?: ReadonlySet<string>;
  /** Partial-order reduction: expand only a persistent set of threads where that is sound (persistent-set.ts). */
  por?: boolean;
  /** Collect each final outcome with the first state that reaches it. */
  outcomes?: boolean;
  /** Called about every 100 ms with the figures so far. */
  progress?: (s: ExploreStats) => void | 'stop';
  /** Called with each state before it is expanded (the race analysis); not to be changed. */
  visit?: (state: Uint8Array) => void;
  /** Test the incremental fingerprint of every successor against the whole state's (slow: for the tests). */
  verifyFingerprints?: boolean;
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
  /** Set once the visited set became a bitstate table at the memory bound. */
  bitstate?: BitstateStats;
}

export interface BitstateStats {
  /** States stored exactly before the switch. */
  fromState: number;
  tableBytes: number;
  /** Estimated share of the states reached that were left out (bitstate.ts gives the formula). */
  omittedFraction: number;
}

/** Where a violation was seen: after move `thread` from state `from`, or at state `at`. */
export interface Found {
  violation: Violation;
  from: number;
  thread: number;
  at: number;
}

export interface SearchResult {
  found: Map<string, Found>;
  /** parent[id] and move[id]: the state and thread move by which state id was first reached. */
  parent: Uint32Array;
  move: Uint8Array;
  truncated: boolean;
  /** Why it was truncated: "states", "seconds" or "memory". */
  bound?: string;
  /** A violation stopped the search (stopsSearch). */
  stopped: boolean;
  /** stepsRun[program.id * COVERAGE_STRIDE + pc] = 1 for each step run. */
  stepsRun: Uint8Array;
  /** Lifecycle moves taken: [state * events + event] = 1. */
  lifeCoverage: Uint8Array;
  /** Outcome key -> first finished state with it. */
  outcomeAt: Map<string, number>;
  /** States expanded with a smaller persistent set than every enabled move (partial-order reduction). */
  reducedStates: number;
  /** The figures, with the time measured up to `now`. */
  stats(now: number): ExploreStats;
}

export function search(sys: System, properties: readonly Property[], sym: Symmetry | null, o: SearchOptions): SearchResult {
  return new Search(sys, properties, sym, o).run();
}

/** The property is checked on states and moves along the way (not only on final or stuck states). */
export const readsAlongTheWay = (p: Property) => p.kind === 'invariant' || p.kind === 'step' || p.kind === 'postcondition';

const round = (x: number, d: number) => Math.round(x * 10 ** d) / 10 ** d;

/** The search's working state; one instance per search (parallel.ts and expand-worker.ts extend it). */
export class Search {
  readonly start = performance.now();
  readonly T: number;
  readonly words: number;
  // Buffers: the state being expanded, its successor, the canonical successor.
  readonly cur: Uint8Array;
  readonly next: Uint8Array;
  readonly canonBuf: Uint8Array;
  readonly curWords: Int32Array;
  readonly canon: Uint8Array;
  readonly canonWords: Int32Array;
  /** What the last move changed, for the invariants that judge only that (Property.checkFrom). */
  readonly change: Change;
  readonly fp = new Uint32Array(2);
  /** The state being expanded: number, depth, fingerprint (two words). */
  readonly meta = new Uint32Array(4);
  readonly zobrist: Zobrist;
  readonly perm: Int32Array;
  readonly k: Kernel;
  visited: VisitedSet | null = new FingerprintSet(1 << 12);
  /** Replaces `visited` at the memory bound, unless the search is exact. */
  bits: BitstateTable | null = null;
  bitsFrom = 0;
  readonly recent = new RecentFingerprints();
  readonly queue: StateQueue;
  parent = new Uint32Array(1 << 12);
  move = new Uint8Array(1 << 12);
  states = 0;
  transitions = 0;
  maxDepth = 0;
  truncated = false;
  bound: string | undefined;
  stopped = false;
  readonly found = new Map<string, Found>();
  active: Property[];
  checker: Checker;
  /** Properties that depend on the transition, not only on the state reached (see Property). */
  perTransition: Property[];
  readonly stepsRun = new Uint8Array(4 * COVERAGE_STRIDE);
  readonly outcomeAt = new Map<string, number>();
  stepViolation: Violation | null = null;
  readonly por: PersistentSets | null;
  /** Some property still unviolated is checked along the way, not only on final or stuck states: the visibility proviso applies. */
  needsProviso: boolean;
  /** States expanded with a persistent set smaller than the enabled moves. */
  reducedStates = 0;
  /** With `por`: the bytes some property checked along the way reads (visibility.ts). */
  readonly visibleAt: Uint8Array;
  /** One observer for every transition: allocating a closure per move costs more than the move. */
  readonly observe: (step: Step, ctx: Ctx, program: string, returnedOp: number, cov: number) => boolean;

  constructor(readonly sys: System, readonly properties: readonly Property[], readonly sym: Symmetry | null, readonly o: SearchOptions) {
    this.T = sys.concurrent;
    const padded = (sys.L.size + 3) & ~3;
    this.words = padded >> 2;
    this.cur = new Uint8Array(padded);
    this.next = new Uint8Array(padded);
    this.canonBuf = new Uint8Array(padded);
    this.curWords = new Int32Array(this.cur.buffer);
    // Without symmetry the successor is its own canonical form: no copy.
    this.canon = sym ? this.canonBuf : this.next;
    this.canonWords = new Int32Array(this.canon.buffer);
    this.change = { before: this.curWords, after: this.canonWords, offsets: null, count: 0 };
    this.perm = new Int32Array(sys.threads.length);
    this.zobrist = new Zobrist(this.words);
    this.k = new Kernel(sys.L, sys.socks, sys.ephemeral, this.next);
    this.k.lifeCoverage = new Uint8Array(LIFE.states.length * LIFE_EVENTS.length);
    // A transition's writes, for its fingerprint (afterMove); a longer one falls back to comparing states.
    this.k.writes = new Int32Array(256);
    // Without symmetry a successor's fingerprint is its parent's and the writes' (judgeMove).
    if (sym === null) this.k.zobrist = this.zobrist.table;
    this.queue = new StateQueue(this.words, o.strategy === 'dfs');
    this.por = o.por ? new PersistentSets(sys) : null;
    this.visibleAt = visibleBytes(sys.L);
    this.active = properties.slice();
    this.checker = new Checker(sys, this.active);
    this.perTransition = this.active.filter((p) => p.kind === 'invariant' && p.everyTransition);
    this.needsProviso = this.active.some(readsAlongTheWay);
    this.observe = (step, ctx, program, returnedOp, cov) => {
      this.stepsRun[cov] = 1;
      const v = this.checker.afterStep(this.k, step, ctx, program, returnedOp, cov);
      if (v) this.stepViolation = v;
      return v === null;
    };
  }

  addState(from: number, thread: number): number {
    if (this.states === this.parent.length) {
      const p2 = new Uint32Array(this.parent.length * 2); p2.set(this.parent); this.parent = p2;
      const m2 = new Uint8Array(this.move.length * 2); m2.set(this.move); this.move = m2;
    }
    this.parent[this.states] = from;
    this.move[this.states] = thread;
    return this.states++;
  }

  record(v: Violation, from: number, thread: number, at: number): void {
    if (this.found.has(v.propertyId)) return;
    this.found.set(v.propertyId, { violation: v, from, thread, at });
    this.active = this.active.filter((p) => p.id !== v.propertyId);
    this.checker = new Checker(this.sys, this.active);
    this.perTransition = this.perTransition.filter((p) => p.id !== v.propertyId);
    this.needsProviso = this.active.some(readsAlongTheWay);
    const p = this.properties.find((x) => x.id === v.propertyId);
    if (p && this.o.stopsSearch?.(p)) this.stopped = true;
    const until = this.o.stopWhenFound;
    if (until !== undefined && [...until].every((id) => this.found.has(id))) this.stopped = true;
  }

  run(): SearchResult {
    this.pushInitial();
    const maxStates = this.o.maxStates ?? Infinity;
    let pops = 0;
    while (this.queue.length > 0 && !this.stopped) {
      if ((++pops & 1023) === 0 && this.atBound()) break;
      if (this.states >= maxStates) { this.truncated = true; this.bound = 'states'; break; }
      this.queue.pop(this.curWords, this.meta);
      this.expand(this.meta[0], this.meta[1]);
    }
    return {
      found: this.found, parent: this.parent, move: this.move, truncated: this.truncated,
      ...(this.bound ? { bound: this.bound } : {}), stopped: this.stopped, stepsRun: this.stepsRun,
      lifeCoverage: this.k.lifeCoverage!, outcomeAt: this.outcomeAt, reducedStates: this.reducedStates, stats: (now) => this.stats(now),
    };
  }

  protected pushInitial(): void {
    const { cur, sym } = this;
    cur.set(this.sys.init);
    if (sym) { sym.canonicalize(cur, this.canonBuf, this.perm); cur.set(this.canonBuf); }
    this.zobrist.full(this.curWords, this.fp);
    this.visited!.add(this.fp[0], this.fp[1]);
    this.addState(NO_PARENT, 0);
    this.queue.push(this.curWords, 0, 0, this.fp[0], this.fp[1]);
    this.k.s = cur;
    for (const v of this.checker.violationsAfterTransition(this.k)) this.record(v, -1, 0, 0);
  }

  /** Checked every 1,024 expansions: the time and memory bounds, and the progress report. */
  private lastProgress = performance.now();
  protected atBound(): boolean {
    const now = performance.now();
    if (now - this.start > (this.o.maxSeconds ?? Infinity) * 1000) { this.truncated = true; this.bound = 'seconds'; return true; }
    if (this.pastMemoryBound()) { this.truncated = true; this.bound = 'memory'; return true; }
    // A progress callback that returns 'stop' ends the search (the CLI's Ctrl-C).
    if (this.o.progress && now - this.lastProgress > 100) {
      this.lastProgress = now;
      if (this.o.progress(this.stats(now)) === 'stop') { this.truncated = true; this.bound = 'interrupted'; return true; }
    }
    return false;
  }

  /**
   * The structures would pass maxBytes: true to stop. A bitstate table helps only when the
   * visited set's growth is what passes the bound, and once: past it again in bitstate mode,
   * the parent records and frontier outgrew it.
   */
  private pastMemoryBound(): boolean {
    const max = this.o.maxBytes ?? Infinity, needed = this.memoryNeeded();
    if (needed <= max) return false;
    const visited = this.visited;
    if (this.o.exact || visited === null) return true;
    const others = needed - visited.bytesAfter(this.headroom);
    if (others + visited.bytes > max) return true;
    this.toBitstate(max - others);
    return false;
  }

  /** States the structures may gain before the next check (every 1,024 expansions, each adding at most one state per thread). */
  protected get headroom(): number {
    return 1024 * Math.max(1, this.T);
  }

  /** Bytes the structures may reach before the next check: room for what they can grow to. */
  private memoryNeeded(): number {
    const headroom = this.headroom;
    const records = (this.parent.byteLength + this.move.byteLength) * (this.states + headroom > this.parent.length ? 2 : 1);
    const visited = this.visited !== null ? this.visited.bytesAfter(headroom) : this.bits!.bytes;
    return visited + records + this.queue.bytes + (1 << 24);
  }

  /**
   * The visited set would pass the memory bound: its fingerprints move into a bitstate table and
   * the search goes on, no longer a proof (truncated). Of the `room` the other structures leave,
   * the table takes half (a power of two); the other half is for the parent records and the
   * frontier to grow into.
   */
  private toBitstate(room: number): void {
    const exact = this.visited!;
    let bytes = 4096;
    while (bytes * 4 <= room) bytes *= 2;
    const bits = new BitstateTable(bytes);
    exact.forEach((h, l) => bits.addKnown(h, l));
    this.bits = bits;
    this.bitsFrom = this.states;
    this.visited = null;
    this.truncated = true;
    this.bound = 'memory';
  }

  /** Every move of every thread from state `id` (in `cur`): new states are stored and queued. */
  protected expand(id: number, depth: number): void {
    const { sys, k, cur } = this;
    if (depth > this.maxDepth) this.maxDepth = depth;
    if (this.o.visit !== undefined) this.o.visit(cur);
    k.s = cur;
    let unfinished = 0;
    for (let t = 0; t < this.T; t++) if (!threadDone(sys, k, t)) unfinished |= 1 << t;
    if (unfinished === 0) { this.finished(id); return; }
    let moved: number;
    if (this.por === null || (this.needsProviso && !this.por.anyInvisibleSeed(cur, unfinished))) {
      moved = this.moves(id, depth, unfinished, false);
    } else {
      // Partial-order reduction: a persistent set first; the other threads too unless every
      // move in the set is invisible (visibility.ts: no property checked along the way can
      // tell it from its being made later). The state graph is acyclic,
      // so no cycle proviso is needed (README, "Partial-order reduction").
      let ready = 0;
      for (let t = 0; t < this.T; t++) if ((unfinished & (1 << t)) !== 0 && enabled(sys, k, t)) ready |= 1 << t;
      const persistent = this.por.choose(cur, ready, unfinished, this.needsProviso);
      const proper = persistent !== ready;
      moved = this.moves(id, depth, persistent, proper && this.needsProviso);
      if (proper && this.visible && !this.stopped) moved += this.moves(id, depth, ready & ~persistent, false);
      else if (proper) this.reducedStates++;
    }
    if (moved === 0) {
      const stuck = sys.threads.slice(0, this.T).filter((_, t) => !threadDone(sys, k, t)).map((th) => th.name);
      const v = this.checker.deadlock(stuck);
      if (v) this.record(v, -1, 0, id);
    }
  }

  /** Set by `moves` with `judge`: some move changed more than its own thread's locals, or found a violation. */
  private visible = false;

  /** Moves each thread of the mask that can move from state `id`; returns how many moved. */
  private moves(id: number, depth: number, mask: number, judge: boolean): number {
    const { sys, k, cur, next } = this;
    let moved = 0;
    this.visible = false;
    // `next` still equals `cur` after a blocked thread: transition() writes nothing then.
    let nextIsCur = false;
    for (let t = 0; t < this.T; t++) {
      if ((mask & (1 << t)) === 0) continue;
      if (!nextIsCur) next.set(cur);
      nextIsCur = true;
      k.s = next;
      k.refused = null;
      k.written = 0;
      k.dh = 0;
      k.dl = 0;
      this.stepViolation = null;
      // Blocked (0 steps) is the same test as enabled(), asked once instead of twice.
      if (transition(sys, k, t, this.o.merge, this.observe) === 0) { k.s = cur; continue; }
      nextIsCur = false;
      moved++;
      if (judge && !this.visible) this.visible = this.stepViolation !== null || k.refused !== null || changesVisible(this.visibleAt, cur, next, k.written <= k.writes!.length ? k.writes : null, k.written);
      this.transitions++;
      this.afterMove(id, t, depth);
      k.s = cur;
      if (this.stopped) break;
    }
    return moved;
  }

  /** After thread t moved from state id into `next`: its checks, and the new state if it is one. */
  protected afterMove(id: number, t: number, depth: number): void {
    const { k, fp } = this;
    this.judgeMove(id, t);
    if (this.recent.seen(fp[0], fp[1])) return;
    if (!(this.visited !== null ? this.visited.add(fp[0], fp[1]) : this.bits!.add(fp[0], fp[1]))) return;
    const nid = this.addState(id, t);
    k.s = this.canon;
    // Every invariant asked, each violation recorded: the parent passed every invariant still
    // asked, so those that read none of the bytes the move wrote are skipped.
    for (const v of this.checker.violationsAfterTransition(k, this.moveChange(), true)) this.record(v, id, t, -1);
    this.queue.push(this.canonWords, nid, depth + 1, fp[0], fp[1]);
  }

  /**
   * What a move is judged by before the visited set: its step and per-move checks, and the
   * successor's fingerprint, into `fp`. Without symmetry the fingerprint is the parent's XOR
   * what the move's writes changed (the view gathers it as it writes, Kernel.zobrist); a
   * canonical form may differ everywhere, so it is fingerprinted whole.
   */
  protected judgeMove(id: number, t: number): void {
    const { k, fp } = this;
    if (this.stepViolation !== null) this.record(this.stepViolation, id, t, -1);
    for (const p of this.perTransition) {
      const m = p.kind === 'invariant' ? p.check(k, this.sys) : null;
      if (m !== null) this.record({ propertyId: p.id, message: m }, id, t, -1);
    }
    if (this.sym) {
      this.sym.canonicalize(this.next, this.canonBuf, this.perm);
      this.zobrist.full(this.canonWords, fp);
    } else {
      fp[0] = (this.meta[2] ^ k.dh) >>> 0;
      fp[1] = (((this.meta[3] & ~1) ^ k.dl) | 1) >>> 0;
    }
    if (this.o.verifyFingerprints) this.verifyFingerprint(t);
  }

  /** What the last move changed, for the invariants that judge only that: the write log only without symmetry (a canonical form is renamed). */
  protected moveChange(): Change {
    const k = this.k, logged = this.sym === null && k.written <= k.writes!.length;
    this.change.offsets = logged ? k.writes : null;
    this.change.count = logged ? k.written : 0;
    return this.change;
  }

  /** The check `verifyFingerprints` asks for: the fingerprint just made is the whole state's. */
  private verifyFingerprint(t: number): void {
    const whole = new Uint32Array(2);
    this.zobrist.full(this.canonWords, whole);
    if (whole[0] !== this.fp[0] || whole[1] !== this.fp[1]) {
      throw new Error(`the fingerprint after a move of ${this.sys.threads[t].name} is ${this.fp[0]}:${this.fp[1]}, the whole state's ${whole[0]}:${whole[1]}: some write was not logged`);
    }
  }

  /** A state where every thread finished: the outcome properties, and its outcome. */
  protected finished(id: number): void {
    const v = this.checker.atEnd(this.k);
    if (v) this.record(v, -1, 0, id);
    if (this.o.outcomes) {
      const key = outcomeKey(this.sys, this.cur);
      if (!this.outcomeAt.has(key)) this.outcomeAt.set(key, id);
    }
  }

  stats(now: number): ExploreStats {
    const seconds = (now - this.start) / 1000;
    const table = this.visited !== null ? this.visited.bytes : this.bits!.bytes;
    const stored = table + this.parent.byteLength + this.move.byteLength;
    return {
      states: this.states, transitions: this.transitions, maxDepth: this.maxDepth, seconds: round(seconds, 3),
      statesPerSecond: Math.round(this.states / Math.max(seconds, 1e-6)),
      bytesPerState: round(stored / Math.max(this.states, 1), 1),
      peakBytes: stored + this.queue.peakBytes,
      collisionProbability: collisionProbability(this.bits !== null ? this.bitsFrom : this.visited!.size),
      ...(this.bits !== null ? { bitstate: {
        fromState: this.bitsFrom, tableBytes: this.bits.bytes, omittedFraction: this.bits.omittedFraction(this.states),
      } } : {}),
    };
  }
}
