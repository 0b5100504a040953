// The entry of a parallel-search worker thread (built to dist/explore-worker.js: workers start
// from plain JS). It compiles the same system as the main thread from the scenario and the
// registered variant and properties, then expands the chunks it is sent (expand-worker.ts) and
// answers on its own port, raising the shared signal so that the main thread, waiting with
// Atomics.wait, wakes up.

import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { compileSystem } from '../../model/system.ts';
import { findVariant } from '../../model/registry.ts';
import type { Scenario } from '../../model/scenario.ts';
import { findProperty } from '../../properties/registry.ts';
import { findSymmetry } from './symmetry.ts';
import { SharedFilter, WorkerSearch } from './expand-worker.ts';

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
  port: MessagePort;
  /** [0]: raised after each answer; [1]: the epoch, raised when the chunks sent so far are no longer wanted. */
  signal: Int32Array;
}

export interface ChunkJob {
  job: number;
  epoch: number;
  parents: Int32Array;
  count: number;
  foundIds: string[];
  forced: number[];
  filter?: SharedArrayBuffer;
}

const setup = workerData as WorkerSetup;
let filter: SharedFilter | null = null;

/** The search, or why it could not be set up: every chunk is then answered with that error. */
function start(): WorkerSearch | string {
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
const search = start();

// The main thread blocks in Atomics.wait, so an 'error' event would never reach it: every
// failure is an answer.
parentPort!.on('message', (m: ChunkJob) => {
  if (m.filter !== undefined) filter = new SharedFilter(m.filter);
  try {
    if (typeof search === 'string') throw new Error(search);
    const r = search.runChunk(m.parents, m.count, m.foundIds, m.forced, filter, () => Atomics.load(setup.signal, 1) !== m.epoch);
    setup.port.postMessage({ job: m.job, ...r }, [r.events.buffer as ArrayBuffer]);
  } catch (e) {
    setup.port.postMessage({ job: m.job, error: e instanceof Error ? e.stack ?? e.message : String(e) });
  }
  Atomics.add(setup.signal, 0, 1);
  Atomics.notify(setup.signal, 0);
});
