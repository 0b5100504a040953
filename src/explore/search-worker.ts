// The entry of a parallel-search worker thread (built to dist/explore-worker.js: workers start
// from plain JS). For each search it compiles the same system as the main thread from the
// scenario and the registered variant and properties, then expands the chunks it is sent (expand-worker.ts) and
// answers on its own port, raising the shared signal so that the main thread, waiting with
// Atomics.wait, wakes up.

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { compileSystem } from '../../model/system.ts';
import { findVariant } from '../../model/registry.ts';
import type { Scenario } from '../../model/scenario.ts';
import { findProperty } from '../../properties/registry.ts';
import { findSymmetry } from './symmetry.ts';
import { SharedFilter, WorkerSearch } from './expand-worker.ts';

/** Given when the worker starts. */
export interface WorkerData {
  port: MessagePort;
  /** [0]: raised after each answer; [1]: the epoch, raised when the chunks sent so far are no longer wanted; [2]: workers loaded. */
  signal: Int32Array;
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
  filter?: SharedArrayBuffer;
}

export type WorkerMessage = { setup: WorkerSetup } | { job: ChunkJob };

const { port, signal } = workerData as WorkerData;
let filter: SharedFilter | null = null;
let search: WorkerSearch | string = 'no search set up';

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
  if ('setup' in msg) { search = start(msg.setup); filter = null; return; }
  const m = msg.job;
  if (m.filter !== undefined) filter = new SharedFilter(m.filter);
  try {
    if (typeof search === 'string') throw new Error(search);
    if (m.events !== undefined) search.giveBuffer(m.events);
    const r = search.runChunk(m.parents, m.count, m.foundIds, m.forced, filter, () => Atomics.load(signal, 1) !== m.epoch);
    port.postMessage({ job: m.job, ...r }, [r.events.buffer as ArrayBuffer, r.parents.buffer as ArrayBuffer]);
  } catch (e) {
    port.postMessage({ job: m.job, error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
});
Atomics.add(signal, 2, 1);
Atomics.notify(signal, 2);
