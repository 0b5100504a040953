// The entry of a parallel-search worker thread (built to dist/explore-worker.js: workers start
// from plain JS). For each search it compiles the same system as the main thread from the
// scenario and the registered variant and properties, then expands the chunks it is sent (expand-worker.ts) and
// answers on its own port, raising the shared signal so that the main thread, waiting with
// Atomics.wait, wakes up. It beats its heartbeat word while it works, and marks its exit word as
// it ends, whatever the cause: the main thread, blocked in Atomics.wait, never sees the Worker's
// 'exit' event, and would otherwise wait for a dead worker for ever.

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { compileSystem } from '../../model/system.ts';
import { findVariant } from '../../model/registry.ts';
import type { Scenario } from '../../model/scenario.ts';
import { findProperty } from '../../properties/registry.ts';
import { findSymmetry } from './symmetry.ts';
import { SIGNAL, WorkerSearch } from './expand-worker.ts';
import { SharedVisited } from './shared-visited.ts';

/** Given when the worker starts. */
export interface WorkerData {
  port: MessagePort;
  /** See SIGNAL (expand-worker.ts). */
  signal: Int32Array;
  /** This worker's number in its pool (its heartbeat and exit words). */
  index: number;
}

/** One search's system and options: sent before its first chunk. */
export interface WorkerSetup {
  scenario: Scenario;
  variant: string;
  properties: string[];
  symmetry: boolean;
  merge: boolean;
  por: boolean;
  outcomes: boolean;
  /** Properties whose first violation stops the search. */
  stopIds: string[];
  stopWhenFound?: string[];
}

export interface ChunkJob {
  job: number;
  epoch: number;
  /** Moved here, and back with the answer. */
  parents: Int32Array;
  /** A spare buffer for the events, moved here. */
  events?: ArrayBuffer;
  count: number;
  foundIds: string[];
  forced: number[];
  /** The shared visited set's buffer when it changed since this worker's last chunk; null: none (bitstate mode). */
  table?: SharedArrayBuffer | null;
}

export type WorkerMessage = { setup: WorkerSetup } | { job: ChunkJob };

const { port, signal, index } = workerData as WorkerData;
let table: SharedVisited | null = null;
let search: WorkerSearch | string = 'no search set up';

// Whatever ends this thread (process.exit, an error thrown outside the message handler), the
// main thread learns it at once. (A worker killed without running JS, out of memory, stops
// beating its heartbeat instead: parallel.ts gives up on it after a while.)
process.on('exit', (code) => {
  Atomics.store(signal, SIGNAL.exited(index), code + 1);
  Atomics.notify(signal, SIGNAL.ANSWERS);
  Atomics.notify(signal, SIGNAL.LOADED);
});

/**
 * A test hook (test/explore/parallel.test.ts, test/cli/workers-cli.test.ts):
 * TLM_TEST_WORKER_EXIT=N makes worker 0 exit once it expanded its Nth chunk, before answering,
 * as a crashing worker would.
 */
const exitAtChunk = index === 0 ? Number(process.env.TLM_TEST_WORKER_EXIT ?? 0) : 0;
let chunks = 0;

/** The search, or why it could not be set up: every chunk is then answered with that error. */
function start(setup: WorkerSetup): WorkerSearch | string {
  try {
    const variant = findVariant(setup.variant);
    if (variant === undefined) return `unknown variant ${setup.variant}`;
    const sys = compileSystem(setup.scenario, variant);
    const properties = setup.properties.map((id) => findProperty(id) ?? (() => { throw new Error(`unknown property ${id}`); })());
    const stops = new Set(setup.stopIds);
    return new WorkerSearch(sys, properties, setup.symmetry ? findSymmetry(sys) : null, {
      strategy: 'bfs', merge: setup.merge, por: setup.por, outcomes: setup.outcomes,
      stopsSearch: (p) => stops.has(p.id),
      ...(setup.stopWhenFound ? { stopWhenFound: new Set(setup.stopWhenFound) } : {}),
    });
  } catch (e) {
    return e instanceof Error ? e.stack ?? e.message : String(e);
  }
}

// The main thread blocks in Atomics.wait, so an 'error' event would never reach it: every
// failure is an answer.
parentPort!.on('message', (msg: WorkerMessage) => {
  Atomics.add(signal, SIGNAL.heartbeat(index), 1);
  if ('setup' in msg) { search = start(msg.setup); table = null; return; }
  const m = msg.job;
  if (m.table !== undefined) table = m.table === null ? null : new SharedVisited(m.table);
  const dieHere = ++chunks === exitAtChunk;
  try {
    if (typeof search === 'string') throw new Error(search);
    if (m.events !== undefined) search.giveBuffer(m.events);
    const r = search.runChunk(m.parents, m.count, m.foundIds, m.forced, table, () => {
      Atomics.add(signal, SIGNAL.heartbeat(index), 1);
      return Atomics.load(signal, SIGNAL.EPOCH) !== m.epoch;
    });
    if (dieHere) process.exit(3);
    port.postMessage({ job: m.job, ...r }, [r.events.buffer as ArrayBuffer, r.parents.buffer as ArrayBuffer]);
  } catch (e) {
    port.postMessage({ job: m.job, error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
  Atomics.add(signal, SIGNAL.ANSWERS, 1);
  Atomics.notify(signal, SIGNAL.ANSWERS);
});
Atomics.add(signal, SIGNAL.LOADED, 1);
Atomics.notify(signal, SIGNAL.LOADED);
