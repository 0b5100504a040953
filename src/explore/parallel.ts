// The parallel breadth-first search (`explore --workers N`): worker threads expand the frontier,
// the main thread merges what they found in frontier order, exactly as the sequential search
// (search.ts) would have, so every state gets the number it gets there and every output is the
// same, byte for byte.
//
// The main thread pops the frontier in chunks and sends them to the workers ahead of merging
// (a chunk's expansion depends only on its states and on which properties were found so far).
// A worker runs each move, its checks and its successor's fingerprint, and sends back per parent,
// in order, the events of its expansion (expand-worker.ts). The main thread replays them: it
// dedupes each successor against the visited set, numbers the new ones, records violations as
// the sequential search records them, and applies the time, state and memory bounds at the
// same pops. A fingerprint table in shared memory, written by the main thread only, lets the
// workers drop successors already stored. Should the main thread record a violation the worker
// could not foresee (an invariant on a state that proved new), the rest of the chunk, computed
// with that property still active, is expanded again from that move on (`forced`); chunks sent
// since are sent again.
//
// The main thread waits for answers with Atomics.wait, so `explore()` stays synchronous.

import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import type { System } from '../../model/system.ts';
import { findVariant } from '../../model/registry.ts';
import type { Scenario } from '../../model/scenario.ts';
import type { Variant } from '../../model/variant.ts';
import type { Property, Violation } from '../../properties/types.ts';
import { findProperty } from '../../properties/registry.ts';
import { rootPath } from '../paths.ts';
import { EV, PARENT_HEADER, type ChunkResult } from './expand-worker.ts';
import { Search, type SearchOptions, type SearchResult } from './search.ts';
import type { ChunkJob, WorkerData, WorkerMessage, WorkerSetup } from './search-worker.ts';
import type { Symmetry } from './symmetry.ts';

/** The worker bundle (scripts/build.mjs): tsx's loader does not reach worker threads on Node 20. */
const WORKER_FILE = rootPath('dist', 'explore-worker.js');

/** The most workers a search may ask for: the cores there are. */
export const maxWorkers = () => availableParallelism();

/** What the workers need besides the system: they compile it again from these. */
interface ParallelInput {
  scenario: Scenario;
  variant: Variant;
  workers: number;
  /**
   * States stored on the main thread alone before the workers start (they take about a quarter
   * of a second to load): a search smaller than this never starts them. Default PARALLEL_FROM;
   * 0 waits for them and has them expand every state.
   */
  from?: number;
}

/** The default `from`: about what one thread stores in the time workers take to start. */
const PARALLEL_FROM = 50_000;

/**
 * Why this search cannot run on workers (and runs on one thread), or null when it can. Workers
 * compile the system from the registries, so the variant and every property must be the
 * registered ones; depth-first order, the race analysis (which looks at every state) are
 * sequential only.
 */
export function parallelRefusal(o: { variant: Variant; properties: readonly Property[]; strategy?: string; races?: boolean }): string | null {
  if (o.strategy === 'dfs') return 'the depth-first search is sequential';
  if (o.races) return 'the race analysis (--races) is sequential';
  if (findVariant(o.variant.id) !== o.variant) return `variant ${o.variant.id} is not a registered one (workers load variants from the registry)`;
  const own = o.properties.find((p) => findProperty(p.id) !== p);
  if (own) return `property ${own.id} is not a registered one (workers load properties from the registry)`;
  if (!existsSync(WORKER_FILE)) return `${WORKER_FILE} is missing (run npm run build)`;
  return null;
}

/**
 * How often a merge found a chunk stale: `resumed`, a parent expanded again from a move on;
 * `resent`, chunks sent again. Tests check that these paths are taken.
 */
export const staleCounts = { resumed: 0, resent: 0 };

/** Worker threads alive now, started by this module (a test checks none is left behind). */
let alive = 0;
export const liveSearchWorkers = () => alive;

/** Parents a chunk holds at most. */
const CHUNK_MAX = 1024;

/** Job numbers, unique in the process: a kept pool may still answer an earlier search's chunks. */
let nextJob = 0;

interface Job {
  id: number;
  /** Moved to the worker while it has the chunk (null then), and back with its answer. */
  parents: Int32Array | null;
  count: number;
  /** found.size when sent: the worker started from the first that many found properties. */
  foundSize: number;
  /** Its first parent is one the main thread already merged in part, up to move `skipThrough`. */
  resumed: boolean;
  skipThrough: number;
  forced: number[];
  result?: ChunkResult;
}

/** Largest shared filter, in slots: past it, it stops growing and is only a partial filter. */
const FILTER_MAX_SLOTS = 1 << 26;
const FILTER_LOAD = 0.6;

/** The main thread's copy of the stored fingerprints in shared memory, for the workers to read. */
class FilterWriter {
  buffer: SharedArrayBuffer;
  private slots: Uint32Array;
  private mask: number;
  private size = 0;
  private full = false;

  constructor(slots = 1 << 16) {
    this.buffer = new SharedArrayBuffer(slots * 8);
    this.slots = new Uint32Array(this.buffer);
    this.mask = slots - 1;
  }

  add(h: number, l: number): void {
    if (this.full) return;
    if (this.size >= (this.mask + 1) * FILTER_LOAD) {
      if (this.mask + 1 >= FILTER_MAX_SLOTS) { this.full = true; return; }
      this.grow();
    }
    this.put(this.slots, this.mask, h, l);
    this.size++;
  }

  private put(slots: Uint32Array, mask: number, h: number, l: number): void {
    let i = h & mask;
    while (slots[i << 1] !== 0) i = (i + 1) & mask;
    // l first: a reader that sees l without h goes on probing (SharedFilter.has).
    slots[i << 1] = l;
    slots[(i << 1) + 1] = h;
  }

  /** A new, larger buffer: workers take it with their next chunk and read the old one until then. */
  private grow(): void {
    const old = this.slots;
    const cap = (this.mask + 1) * 2;
    this.buffer = new SharedArrayBuffer(cap * 8);
    this.slots = new Uint32Array(this.buffer);
    this.mask = cap - 1;
    for (let at = 0; at < old.length; at += 2) if (old[at] !== 0) this.put(this.slots, this.mask, old[at + 1], old[at]);
  }
}

/**
 * The worker threads and the one signal they raise after each answer. A pool serves one search
 * at a time and is kept, idle, for the next search a moment longer (its code is then already
 * compiled and warm): see acquirePool and releasePool.
 */
class Pool {
  readonly workers: Worker[] = [];
  readonly ports: MessagePort[] = [];
  /** Chunks sent to each worker and not yet answered. */
  readonly outstanding: number[] = [];
  /** The filter buffer each worker last got. */
  readonly sentFilter: (SharedArrayBuffer | null)[] = [];
  /** [0]: answers, [1]: epoch, [2]: workers loaded (see WorkerSetup). */
  readonly signal = new Int32Array(new SharedArrayBuffer(16));
  closed = false;

  constructor(n: number) {
    for (let i = 0; i < n; i++) {
      const { port1, port2 } = new MessageChannel();
      const w = new Worker(WORKER_FILE, { workerData: { port: port1, signal: this.signal } satisfies WorkerData, transferList: [port1] });
      alive++;
      w.once('exit', () => { alive--; });
      // An idle pool must not keep the process alive.
      w.unref();
      this.workers.push(w);
      this.ports.push(port2);
      this.outstanding.push(0);
      this.sentFilter.push(null);
    }
  }

  /** Every worker compiles this search's system before its next chunk (messages keep their order). */
  setup(setup: WorkerSetup): void {
    this.sentFilter.fill(null);
    for (const w of this.workers) w.postMessage({ setup } satisfies WorkerMessage);
  }

  get ready(): boolean {
    return Atomics.load(this.signal, 2) === this.workers.length;
  }

  waitReady(): void {
    for (let n = Atomics.load(this.signal, 2); n < this.workers.length; n = Atomics.load(this.signal, 2)) Atomics.wait(this.signal, 2, n, 50);
  }

  get epoch(): number {
    return Atomics.load(this.signal, 1);
  }

  /** Chunks sent so far are no longer wanted: workers give them up at their next check. */
  abandon(): void {
    Atomics.add(this.signal, 1, 1);
  }

  /** Sends the chunk; its parents (and a spare events buffer) move to the worker, not copied. */
  send(j: Job, foundIds: string[], filter: SharedArrayBuffer, events: ArrayBuffer | undefined): void {
    let w = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.outstanding[i] < this.outstanding[w]) w = i;
    this.outstanding[w]++;
    const parents = j.parents!;
    j.parents = null;
    const job: ChunkJob = { job: j.id, epoch: this.epoch, parents, count: j.count, foundIds, forced: j.forced, ...(events ? { events } : {}) };
    if (this.sentFilter[w] !== filter) { job.filter = filter; this.sentFilter[w] = filter; }
    this.workers[w].postMessage({ job } satisfies WorkerMessage, events ? [parents.buffer as ArrayBuffer, events] : [parents.buffer as ArrayBuffer]);
  }

  /** Every answer that has arrived (answers to an earlier search's chunks too: their job numbers are unknown). */
  drain(take: (m: ChunkResult & { job: number; error?: string }) => void): void {
    for (let i = 0; i < this.ports.length; i++) {
      for (let m = receiveMessageOnPort(this.ports[i]); m !== undefined; m = receiveMessageOnPort(this.ports[i])) {
        this.outstanding[i]--;
        take(m.message);
      }
    }
  }

  /** Sleeps until some worker answers or `ms` pass. */
  wait(seen: number, ms: number): void {
    Atomics.wait(this.signal, 0, seen, ms);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abandon();
    for (const p of this.ports) p.close();
    for (const w of this.workers) void w.terminate();
  }
}

/** The pool kept between searches, and the timer that ends it once idle. */
let kept: Pool | null = null;
let idle: ReturnType<typeof setTimeout> | undefined;
/** How long an idle pool waits for the next search (tests and benches run many in a row). */
const KEEP_IDLE_MS = 1000;

function acquirePool(n: number): Pool {
  clearTimeout(idle);
  if (kept !== null && !kept.closed && kept.workers.length === n) return kept;
  kept?.close();
  kept = new Pool(n);
  return kept;
}

/** After a search: the pool ends at once if it was interrupted (Ctrl-C leaves no worker), else once idle a while. */
function releasePool(pool: Pool, now: boolean): void {
  pool.abandon();
  if (now) { pool.close(); return; }
  idle = setTimeout(() => pool.close(), KEEP_IDLE_MS);
  idle.unref();
}

/** Ends the kept pool now (a library user who wants no thread left before exiting). */
export function closeSearchWorkers(): void {
  clearTimeout(idle);
  kept?.close();
  kept = null;
}

/** The sequential search's bookkeeping on the main thread, fed by the workers' events. */
class ParallelSearch extends Search {
  private pool: Pool | null = null;
  private filter = new FilterWriter();
  private readonly jobs = new Map<number, Job>();

  private pops = 0;
  private readonly scratch: Int32Array;
  /** Buffers read and ready for another chunk: allocating a megabyte a chunk kept the collector busy. */
  private readonly spareParents: ArrayBuffer[] = [];
  private readonly spareEvents: ArrayBuffer[] = [];

  constructor(sys: System, properties: readonly Property[], sym: Symmetry | null, o: SearchOptions, private readonly input: ParallelInput) {
    super(sys, properties, sym, o);
    this.scratch = new Int32Array(this.words);
  }

  private startPool(): Pool {
    const { properties, sym, o, input } = this;
    const pool = acquirePool(input.workers);
    pool.setup({
      scenario: input.scenario, variant: input.variant.id, properties: properties.map((p) => p.id), symmetry: sym !== null,
      merge: o.merge, por: !!o.por, outcomes: !!o.outcomes,
      stopIds: o.stopsSearch ? properties.filter((p) => o.stopsSearch!(p)).map((p) => p.id) : [],
      ...(o.stopWhenFound ? { stopWhenFound: [...o.stopWhenFound] } : {}),
    });
    return pool;
  }

  override run(): SearchResult {
    try {
      this.pushInitial();
      if (this.alone()) {
        // The fingerprints stored so far, for the workers to drop (none in bitstate mode: a filter only).
        this.visited?.forEach((h, l) => this.filter.add(h, l));
        this.loop();
      }
    } finally {
      if (this.pool !== null) releasePool(this.pool, this.bound === 'interrupted');
    }
    return {
      found: this.found, parent: this.parent, move: this.move, truncated: this.truncated,
      ...(this.bound ? { bound: this.bound } : {}), stopped: this.stopped, stepsRun: this.stepsRun,
      lifeCoverage: this.k.lifeCoverage!, outcomeAt: this.outcomeAt, reducedStates: this.reducedStates, stats: (now) => this.stats(now),
    };
  }

  /**
   * The sequential search's loop (Search.run) on this thread until `from` states are stored and
   * the workers, started then, are ready. False if the search ended first.
   */
  private alone(): boolean {
    const from = this.input.from ?? PARALLEL_FROM, maxStates = this.o.maxStates ?? Infinity;
    for (;;) {
      if (this.queue.length === 0 || this.stopped) return false;
      if (this.states >= from) {
        this.pool ??= this.startPool();
        // From 0: every state is expanded by the workers (the tests' setting).
        if (from === 0) this.pool.waitReady();
        if (this.pool.ready) return true;
      }
      if ((++this.pops & 1023) === 0 && this.atBound()) return false;
      if (this.states >= maxStates) { this.truncated = true; this.bound = 'states'; return false; }
      this.queue.pop(this.curWords, this.meta);
      this.expand(this.meta[0], this.meta[1]);
    }
  }

  private get foundIds(): string[] {
    return [...this.found.keys()];
  }

  /** Chunks sent ahead of the merge: enough to keep every worker busy while the main thread merges. */
  private fill(pending: Job[]): void {
    const workers = this.pool!.workers.length, ahead = workers * 4;
    const record = PARENT_HEADER + this.words;
    while (pending.length < ahead && this.queue.length > 0) {
      const count = Math.min(this.queue.length, CHUNK_MAX, Math.max(8, Math.ceil(this.queue.length / ahead)));
      const parents = new Int32Array(this.spareParents.pop() ?? new ArrayBuffer(CHUNK_MAX * record * 4));
      const meta = new Uint32Array(4);
      for (let p = 0; p < count; p++) {
        this.queue.pop(this.scratch, meta);
        const at = p * record;
        parents[at] = meta[0]; parents[at + 1] = meta[1]; parents[at + 2] = meta[2]; parents[at + 3] = meta[3];
        parents.set(this.scratch, at + PARENT_HEADER);
      }
      pending.push(this.send({ parents, count, resumed: false, skipThrough: -1, forced: [] }));
    }
  }

  private send(j: Omit<Job, 'id' | 'foundSize'>, foundIds = this.foundIds): Job {
    // A new job: never the old one's answer.
    const job: Job = { id: nextJob++, parents: j.parents, count: j.count, foundSize: foundIds.length, resumed: j.resumed, skipThrough: j.skipThrough, forced: j.forced };
    this.jobs.set(job.id, job);
    this.pool!.send(job, foundIds, this.filter.buffer, this.spareEvents.pop());
    return job;
  }

  /** Waits for the job's answer; false if a bound or Ctrl-C ended the search meanwhile. */
  private await(job: Job): boolean {
    const take = (m: ChunkResult & { job: number; error?: string }) => {
      const j = this.jobs.get(m.job);
      if (j === undefined) return; // given up, or an earlier search's
      if (m.error !== undefined) throw new Error(`explore worker failed: ${m.error}`);
      j.result = m;
      j.parents = m.parents;
      this.jobs.delete(m.job);
    };
    for (;;) {
      const seen = Atomics.load(this.pool!.signal, 0);
      this.pool!.drain(take);
      if (job.result !== undefined) return true;
      if (this.atBound()) return false;
      this.pool!.wait(seen, 50);
    }
  }

  private loop(): void {
    let pending: Job[] = [];
    for (;;) {
      if (!this.stopped) this.fill(pending);
      const job = pending.shift();
      // Once stopped, only the parent being finished (resumed) is merged.
      if (job === undefined || (this.stopped && !job.resumed)) return;
      if (!this.await(job)) return;
      // Properties were found since it was sent: the worker expanded it with one too many active.
      if (!job.resumed && job.foundSize !== this.found.size) {
        const again = this.resend([job, ...pending]);
        if (again === null) return;
        pending = again;
        continue;
      }
      const r = this.merge(job, job.result!);
      if (r === 'done') this.recycle(job);
      if (r === 'stop') return;
      if (r !== 'done') {
        const again = this.resend([r, ...pending]);
        if (again === null) return;
        pending = again;
      }
    }
  }

  private recycle(job: Job): void {
    const record = PARENT_HEADER + this.words;
    if (job.parents!.byteLength === CHUNK_MAX * record * 4) this.spareParents.push(job.parents!.buffer as ArrayBuffer);
    this.spareEvents.push(job.result!.events.buffer as ArrayBuffer);
  }

  /**
   * Sends the jobs again, as found now (the first may resume a parent), once their parents are
   * back from the workers (who give up a chunk no longer wanted at once); null if a bound or
   * Ctrl-C ended the search meanwhile.
   */
  private resend(jobs: (Job | Omit<Job, 'id' | 'foundSize'> & { foundIds: string[] })[]): Job[] | null {
    this.pool!.abandon();
    for (const j of jobs) if ('id' in j && j.result === undefined && !this.await(j)) return null;
    staleCounts.resent += jobs.length;
    if (jobs.length > 0 && jobs[0].resumed) staleCounts.resumed++;
    for (const j of jobs) if ('id' in j) this.jobs.delete(j.id);
    // Stopped: only the parent that stopped it is finished.
    if (this.stopped) jobs = jobs.slice(0, 1);
    return jobs.map((j) => this.send(j, 'foundIds' in j ? j.foundIds : this.foundIds));
  }

  /**
   * Replays a chunk's events. Returns 'done', 'stop' (the search ends here), or the rest of the
   * chunk to send again from the parent where the main thread recorded a violation the worker
   * did not.
   */
  private merge(job: Job, res: ChunkResult): 'done' | 'stop' | Omit<Job, 'id' | 'foundSize'> & { foundIds: string[] } {
    const ev = res.events, words = this.words, record = PARENT_HEADER + words, parents = job.parents!;
    const maxStates = this.o.maxStates ?? Infinity;
    let id = 0, depth = 0, pi = 0, moves = -1, skipThrough = -1, foundAtStart = 0;
    for (let i = 0; i < res.length;) {
      const code = ev[i];
      if (code === EV.PARENT) {
        pi = ev[i + 1]; i += 2;
        const at = pi * record;
        id = parents[at]; depth = parents[at + 1];
        moves = -1;
        skipThrough = pi === 0 && job.resumed ? job.skipThrough : -1;
        if (skipThrough >= 0) continue; // counted, bounded and begun when first merged
        // The sequential loop's checks before each pop, then the start of expand().
        if ((++this.pops & 1023) === 0 && this.atBound()) return 'stop';
        if (this.states >= maxStates) { this.truncated = true; this.bound = 'states'; return 'stop'; }
        foundAtStart = this.found.size;
        if (depth > this.maxDepth) this.maxDepth = depth;
        continue;
      }
      if (code === EV.END) {
        this.reducedStates += ev[i + 1]; i += 2;
        if (this.stopped) return 'stop';
        continue;
      }
      if (code === EV.MOVE) { moves++; i += 2; if (moves > skipThrough) this.transitions++; continue; }
      const skip = moves <= skipThrough && moves >= 0;
      switch (code) {
        case EV.STEP: if (!skip) this.stepsRun[ev[i + 1]] = 1; i += 2; break;
        case EV.LIFE: this.k.lifeCoverage![ev[i + 1]] = 1; i += 2; break;
        case EV.RECORD: if (!skip) this.record(res.violations[ev[i + 1]], ev[i + 2], ev[i + 3], ev[i + 4]); i += 5; break;
        case EV.OUTCOME: {
          const key = res.keys[ev[i + 1]];
          if (!this.outcomeAt.has(key)) this.outcomeAt.set(key, id);
          i += 2;
          break;
        }
        case EV.SUCC: {
          const t = ev[i + 1], h = ev[i + 2] >>> 0, l = ev[i + 3] >>> 0, vi = ev[i + 4];
          const from = i + 5;
          i = from + words;
          if (skip) break;
          if (!this.stored(id, t, depth, h, l, ev, from, vi === -1 ? null : res.violations[vi])) break;
          // Recorded here and not by the worker: the rest of its chunk is stale. Even if the
          // record stopped the search, the worker finishes the parent (as expand() would, it
          // counts a reduced state then).
          const forced = pi === 0 && job.resumed ? [...job.forced, moves] : [moves];
          return {
            parents: parents.slice(pi * record, job.count * record), count: job.count - pi,
            resumed: true, skipThrough: moves, forced, foundIds: this.foundIds.slice(0, pi === 0 && job.resumed ? job.foundSize : foundAtStart),
          };
        }
        default: throw new Error(`explore: bad event ${code} from a worker`);
      }
    }
    return 'done';
  }

  /**
   * Search.afterMove's second half for a successor a worker sent: store it if new (true when that
   * recorded a violation the worker did not).
   */
  private stored(id: number, t: number, depth: number, h: number, l: number, ev: Int32Array, from: number, v: Violation | null): boolean {
    if (this.recent.seen(h, l)) return false;
    if (!(this.visited !== null ? this.visited.add(h, l) : this.bits!.add(h, l))) return false;
    if (this.visited !== null) this.filter.add(h, l);
    const nid = this.addState(id, t);
    const before = this.found.size;
    if (v) this.record(v, id, t, -1);
    const state = this.scratch;
    for (let i = 0; i < state.length; i++) state[i] = ev[from + i];
    this.queue.push(state, nid, depth + 1, h, l);
    return this.found.size !== before;
  }
}

/** The breadth-first search on `input.workers` worker threads; the same result as search(). */
export function parallelSearch(sys: System, properties: readonly Property[], sym: Symmetry | null, o: SearchOptions, input: ParallelInput): SearchResult {
  if (o.strategy !== 'bfs' || o.visit !== undefined) throw new Error('parallelSearch: breadth-first without a visit callback only');
  return new ParallelSearch(sys, properties, sym, o, input).run();
}
