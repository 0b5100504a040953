// The parallel breadth-first search (`explore --workers N`): worker threads expand the frontier,
// the main thread merges what they found in frontier order, exactly as the sequential search
// (search.ts) would have, so every state gets the number it gets there and every output is the
// same, byte for byte.
//
// The main thread pops the frontier in chunks and sends them to the workers ahead of merging
// (a chunk's expansion depends only on its states and on which properties were found so far).
// A worker runs each move, its checks and its successor's fingerprint, puts the successor into
// the visited set in shared memory with the key of its discovery (shared-visited.ts), and sends
// back per parent, in order, the events of its expansion, a successor only when its key was the
// least so far (expand-worker.ts). The main thread replays them: a successor is new iff its slot
// still holds its key (one load: every earlier discovery was inserted before), and the main
// thread numbers it, records violations as the sequential search records them, and applies the
// time, state and memory bounds at the same pops. Should the main thread record a violation the
// worker could not foresee (an invariant on a state that proved new), the rest of the chunk,
// computed with that property still active, is expanded again from that move on (`forced`);
// chunks sent since are sent again, the keys of their discoveries reset first. The table grows
// between chunks, when none is out. Past the memory bound the search goes on with a bitstate
// table (search.ts) that only the main thread can probe in order: the workers then drop only
// what their own chunk reached twice, and the main thread dedupes the rest.
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
import { EV, PARENT_HEADER, SIGNAL, signalWords, type ChunkResult } from './expand-worker.ts';
import { Search, type SearchOptions, type SearchResult } from './search.ts';
import type { ChunkJob, WorkerData, WorkerMessage, WorkerSetup } from './search-worker.ts';
import { SharedVisited, discoveryKey, keyFits } from './shared-visited.ts';
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

/** A search worker ended or stopped answering: the search cannot finish. */
export class SearchWorkerDied extends Error {
  override name = 'SearchWorkerDied';
}

/** How long a worker with chunks out may go without a heartbeat before it is taken for dead (killed without running JS, out of memory). */
const STALL_MS = 60_000;

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
  /** The visited set's buffer each worker last got (undefined: none yet). */
  readonly sentTable: (SharedArrayBuffer | null | undefined)[] = [];
  /** Each worker's heartbeat when last seen to change, and when. */
  private readonly beat: number[] = [];
  private readonly beatAt: number[] = [];
  /** See SIGNAL (search-worker.ts). */
  readonly signal: Int32Array;
  closed = false;

  constructor(n: number) {
    this.signal = new Int32Array(new SharedArrayBuffer(signalWords(n) * 4));
    for (let i = 0; i < n; i++) {
      const { port1, port2 } = new MessageChannel();
      const w = new Worker(WORKER_FILE, { workerData: { port: port1, signal: this.signal, index: i } satisfies WorkerData, transferList: [port1] });
      alive++;
      w.once('exit', () => { alive--; });
      // An idle pool must not keep the process alive.
      w.unref();
      this.workers.push(w);
      this.ports.push(port2);
      this.outstanding.push(0);
      this.sentTable.push(undefined);
      this.beat.push(0);
      this.beatAt.push(performance.now());
    }
  }

  /** Every worker compiles this search's system before its next chunk (messages keep their order). */
  setup(setup: WorkerSetup): void {
    this.sentTable.fill(undefined);
    for (const w of this.workers) w.postMessage({ setup } satisfies WorkerMessage);
  }

  get ready(): boolean {
    this.checkAlive();
    return Atomics.load(this.signal, SIGNAL.LOADED) === this.workers.length;
  }

  waitReady(): void {
    for (let n = Atomics.load(this.signal, SIGNAL.LOADED); n < this.workers.length; n = Atomics.load(this.signal, SIGNAL.LOADED)) {
      this.checkAlive();
      Atomics.wait(this.signal, SIGNAL.LOADED, n, 50);
    }
  }

  /**
   * Throws SearchWorkerDied (the pool closed) when a worker ended, or had chunks out and no
   * heartbeat for STALL_MS. Before they load, every worker counts as busy.
   */
  checkAlive(): void {
    const now = performance.now(), loading = Atomics.load(this.signal, SIGNAL.LOADED) < this.workers.length;
    for (let i = 0; i < this.workers.length; i++) {
      const exited = Atomics.load(this.signal, SIGNAL.exited(i));
      const beat = Atomics.load(this.signal, SIGNAL.heartbeat(i));
      if (beat !== this.beat[i] || (this.outstanding[i] === 0 && !loading)) { this.beat[i] = beat; this.beatAt[i] = now; }
      const stalled = now - this.beatAt[i] > STALL_MS;
      if (exited === 0 && !stalled) continue;
      this.close();
      const who = `explore: search worker ${i + 1} of ${this.workers.length}`;
      throw new SearchWorkerDied(exited !== 0
        ? `${who} exited (code ${exited - 1}) before the search ended; run again with --workers 1`
        : `${who} gave no sign of life for ${STALL_MS / 1000} s with work out (out of memory?); run again with --workers 1`);
    }
  }

  get epoch(): number {
    return Atomics.load(this.signal, SIGNAL.EPOCH);
  }

  /** Chunks sent so far are no longer wanted: workers give them up at their next check. */
  abandon(): void {
    Atomics.add(this.signal, SIGNAL.EPOCH, 1);
  }

  /** Sends the chunk; its parents (and a spare events buffer) move to the worker, not copied. */
  send(j: Job, foundIds: string[], table: SharedArrayBuffer | null, events: ArrayBuffer | undefined): void {
    let w = 0;
    for (let i = 1; i < this.workers.length; i++) if (this.outstanding[i] < this.outstanding[w]) w = i;
    if (this.outstanding[w] === 0) this.beatAt[w] = performance.now();
    this.outstanding[w]++;
    const parents = j.parents!;
    j.parents = null;
    const job: ChunkJob = { job: j.id, epoch: this.epoch, parents, count: j.count, foundIds, forced: j.forced, ...(events ? { events } : {}) };
    if (this.sentTable[w] !== table) { job.table = table; this.sentTable[w] = table; }
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
    Atomics.wait(this.signal, SIGNAL.ANSWERS, seen, ms);
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
  if (kept !== null && !kept.closed && kept.workers.length === n && kept.workers.every((_, i) => Atomics.load(kept!.signal, SIGNAL.exited(i)) === 0)) return kept;
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
  /** The visited set, in shared memory: `visited` until a bitstate table takes over at the memory bound. */
  private readonly table = SharedVisited.create(1 << 12);
  private readonly jobs = new Map<number, Job>();

  private pops = 0;
  /** Buffers read and ready for another chunk: allocating a megabyte a chunk kept the collector busy. */
  private readonly spareParents: ArrayBuffer[] = [];
  private readonly spareEvents: ArrayBuffer[] = [];

  constructor(sys: System, properties: readonly Property[], sym: Symmetry | null, o: SearchOptions, private readonly input: ParallelInput) {
    super(sys, properties, sym, o);
    this.visited = this.table;
  }

  /** Chunks out at most. */
  private get ahead(): number {
    return this.input.workers * 4;
  }

  /** At most one discovery per move, one move per thread: what a chunk of `parents` may claim in the table. */
  private claims(parents: number): number {
    return parents * Math.max(1, this.T);
  }

  /** The memory check counts the table as grown for every chunk that may be out (see fill). */
  protected override get headroom(): number {
    return this.claims(this.ahead * CHUNK_MAX + 1024);
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
      // Past 32-bit discovery keys (hundreds of millions of states) the main thread goes on alone.
      if (this.alone(this.input.from ?? PARALLEL_FROM) && this.loop() === 'alone') this.alone(Infinity);
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
  private alone(from: number): boolean {
    const maxStates = this.o.maxStates ?? Infinity;
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

  /**
   * Chunks sent ahead of the merge: enough to keep every worker busy while the main thread merges.
   * A chunk goes out only if the table has room for every discovery of the chunks out: it grows
   * when none is (loop).
   */
  private fill(pending: Job[]): void {
    const ahead = this.ahead, record = PARENT_HEADER + this.words;
    let out = 0;
    for (const j of pending) out += j.count;
    while (pending.length < ahead && this.queue.length > 0) {
      const count = Math.min(this.queue.length, CHUNK_MAX, Math.max(8, Math.ceil(this.queue.length / ahead)));
      if (this.visited !== null && (this.table.claimed + this.claims(out + count) > this.table.limit || !keyFits(this.states, this.T))) return;
      const parents = new Int32Array(this.spareParents.pop() ?? new ArrayBuffer(CHUNK_MAX * record * 4));
      // A parent's record in a chunk is its record in the queue.
      for (let p = 0; p < count; p++) this.queue.popRecord(parents, p * record);
      out += count;
      pending.push(this.send({ parents, count, resumed: false, skipThrough: -1, forced: [] }));
    }
  }

  private send(j: Omit<Job, 'id' | 'foundSize'>, foundIds = this.foundIds): Job {
    // A new job: never the old one's answer.
    const job: Job = { id: nextJob++, parents: j.parents, count: j.count, foundSize: foundIds.length, resumed: j.resumed, skipThrough: j.skipThrough, forced: j.forced };
    this.jobs.set(job.id, job);
    this.pool!.send(job, foundIds, this.visited !== null ? this.table.buffer : null, this.spareEvents.pop());
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
      const seen = Atomics.load(this.pool!.signal, SIGNAL.ANSWERS);
      this.pool!.drain(take);
      if (job.result !== undefined) return true;
      if (this.atBound()) return false;
      this.pool!.checkAlive();
      this.pool!.wait(seen, 50);
    }
  }

  /** 'alone' when the rest of the search is the main thread's (the discovery keys ran out). */
  private loop(): 'done' | 'alone' {
    let pending: Job[] = [];
    for (;;) {
      if (!this.stopped) this.fill(pending);
      const job = pending.shift();
      if (job === undefined) {
        if (this.stopped || this.queue.length === 0) return 'done';
        // None out, none sent: the table is too small for the next chunk, or the keys ran out.
        if (!keyFits(this.states, this.T)) return 'alone';
        // The memory check first: it may stop, or turn the visited set into a bitstate table.
        if (this.atBound()) return 'done';
        if (this.visited !== null) this.table.grow(this.claims(this.ahead * CHUNK_MAX));
        continue;
      }
      // Once stopped, only the parent being finished (resumed) is merged.
      if (this.stopped && !job.resumed) return 'done';
      if (!this.await(job)) return 'done';
      // Properties were found since it was sent: the worker expanded it with one too many active.
      if (!job.resumed && job.foundSize !== this.found.size) {
        const again = this.resend([job, ...pending]);
        if (again === null) return 'done';
        pending = again;
        continue;
      }
      const r = this.merge(job, job.result!);
      if (r === 'done') this.recycle(job);
      if (r === 'stop') return 'done';
      if (r !== 'done') {
        const again = this.resend([r, ...pending]);
        if (again === null) return 'done';
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
   * back from the workers (who give up a chunk no longer wanted at once) and the keys of the
   * discoveries not merged are reset; null if a bound or Ctrl-C ended the search meanwhile.
   */
  private resend(jobs: (Job | Omit<Job, 'id' | 'foundSize'> & { foundIds: string[] })[]): Job[] | null {
    this.pool!.abandon();
    for (const j of jobs) if ('id' in j && j.result === undefined && !this.await(j)) return null;
    // Chunks computed with a property too many may have made other moves, with other keys.
    if (this.visited !== null) this.table.resetUnmerged();
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
          const t = ev[i + 1], slot = ev[i + 2], h = ev[i + 3] >>> 0, l = ev[i + 4] >>> 0, vi = ev[i + 5], vn = ev[i + 6];
          const from = i + 7;
          i = from + words;
          if (skip || !this.isNew(slot, discoveryKey(id, this.T, moves), h, l)) break;
          if (!this.stored(id, t, depth, h, l, ev, from, res.violations.slice(vi, vi + vn))) break;
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
   * Whether the discovery with `key` stores its state: in the shared table, iff its slot holds
   * its key (each earlier discovery was merged before); in bitstate mode, as the sequential
   * search asks the bitstate table (a discovery the worker dropped had a smaller key, so its
   * state's bits were set before).
   */
  private isNew(slot: number, key: number, h: number, l: number): boolean {
    if (this.visited === null) return this.bits!.add(h, l);
    if (!this.table.storesAt(slot, key)) return false;
    this.table.markStored(slot);
    return true;
  }

  /** Search.afterMove's second half for a new successor a worker sent: true when it recorded a violation the worker did not. */
  private stored(id: number, t: number, depth: number, h: number, l: number, ev: Int32Array, from: number, vs: readonly Violation[]): boolean {
    const nid = this.addState(id, t);
    const before = this.found.size;
    for (const v of vs) this.record(v, id, t, -1);
    this.queue.pushFrom(ev, from, nid, depth + 1, h, l);
    return this.found.size !== before;
  }
}

/** The breadth-first search on `input.workers` worker threads; the same result as search(). */
export function parallelSearch(sys: System, properties: readonly Property[], sym: Symmetry | null, o: SearchOptions, input: ParallelInput): SearchResult {
  if (o.strategy !== 'bfs' || o.visit !== undefined) throw new Error('parallelSearch: breadth-first without a visit callback only');
  return new ParallelSearch(sys, properties, sym, o, input).run();
}
