// Runs a scenario's threads truly concurrently on the real kernel, many times, and counts the
// outcomes: the witness that a racy outcome (e.g. both listen() calls failing) really happens.
//
// One worker thread per scenario thread, reused across trials. Per trial the main thread creates
// the sockets and runs `setup`, publishes the fds in shared memory, wakes the workers (they meet
// at a spin barrier, then run their ops), waits for them, and closes what is left. No connection
// is ever made, so no TIME_WAIT socket holds a port and each symbolic port is reused every trial.

import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Op, Scenario } from '../../model/scenario.ts';
import { encodeSockaddrIn, errnoName, loadLibc, type Libc } from './libc.ts';
import { ensurePrivateNetns, inPrivateNetns } from './netns.ts';
import { allocatePorts, type PortMap } from './ports.ts';
import { openScenarioSocket } from './sockets.ts';
import { ScenarioError, bindsWildcard, symbolicPorts, validateScenario } from './validate.ts';

export interface WitnessOptions {
  /** Stop after this many trials (default 10,000 when `seconds` is not given either). */
  trials?: number;
  /** Stop after this much time; with `trials` too, whichever comes first. */
  seconds?: number;
  /** As in runOnKernel: first real port, else ports the kernel picks. */
  port?: number;
  /** Enter a private network namespace first (default true; falls back to the host loopback). */
  privateNetns?: boolean;
}

/**
 * One trial's results. Keys: "<thread>" when that thread has one op, "<thread>.<op index>" when it
 * has several, and "setup.<i>" only for a setup op that did not return 0. Values: "0" or errno name.
 */
export type WitnessOutcome = Record<string, string>;

export interface WitnessResult {
  scenario: string;
  trials: number;
  seconds: number;
  trialsPerSecond: number;
  /** JSON.stringify(outcome) -> how many trials ended that way. */
  histogram: Record<string, number>;
  /** The same, parsed, most frequent first. */
  outcomes: Array<{ outcome: WitnessOutcome; count: number }>;
  ports: Record<number, number>;
  privateNetns: boolean;
  netnsNote?: string;
  /** TCP sockets on the scenario's real ports after the run, any state (TIME_WAIT would show here); expected 0. */
  leftoverSockets: number;
}

// Shared control words (Int32Array indices); the worker reads this layout from workerData.
const LAYOUT = { GEN: 0, ARRIVE: 1, DONE: 2, STOP: 3, SEQ: 4, FDS: 8 } as const;
const OP_BIND = 0;
const OP_LISTEN = 1;
const OP_CLOSE = 2;
const ALLW = process.env.MODE === 'workers';
const JIT = Number(process.env.JIT ?? 128);
let seed = 0x9e3779b9;
function xorshift(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
/** Give up on a trial whose threads have not all arrived or finished after this long. */
const WAIT_MS = 5000;

interface CompiledOp {
  kind: typeof OP_BIND | typeof OP_LISTEN | typeof OP_CLOSE;
  sock: number;
  sa: Uint8Array | null;
  backlog: number;
}

/**
 * Runs the race repeatedly; throws ScenarioError / HarnessUnavailable with one-line messages.
 *
 * Thread 0 runs on the calling (main) thread, threads 1.. on workers. With one CPU per thread,
 * everyone spins instead of sleeping: a futex wake costs tens of microseconds on this VM, more
 * than a whole trial, and a third thread spinning on two CPUs would stall the others for a time
 * slice. With fewer CPUs than threads they spin briefly and then sleep.
 */
export async function runWitness(scenario: Scenario, opts: WitnessOptions = {}): Promise<WitnessResult> {
  const s = validateScenario(scenario);
  const maxTrials = opts.trials ?? (opts.seconds === undefined ? 10_000 : Infinity);
  if (!(maxTrials >= 1) || (opts.seconds !== undefined && !(opts.seconds > 0))) {
    throw new ScenarioError('witness: trials and seconds must be positive');
  }
  if (s.threads.length === 0) throw new ScenarioError(`witness: scenario ${s.name} has no threads`);
  const libc = loadLibc();
  const ns = opts.privateNetns === false ? undefined : ensurePrivateNetns();
  const privateNetns = inPrivateNetns();
  if (!privateNetns && bindsWildcard(s)) {
    throw new ScenarioError(`scenario ${s.name} binds 0.0.0.0 but no private network namespace is available; refusing on the host`);
  }
  const ports = allocatePorts(libc, symbolicPorts(s), opts.port);
  const sockIndex = new Map(s.sockets.map((sk, i) => [sk.name, i]));
  const compile = (op: Op, where: string) => compileOp(op, where, sockIndex, ports);
  const setup = (s.setup ?? []).map((op, i) => compile(op, `setup[${i}]`));
  const programs = s.threads.map((ops, t) => ops.map((op, i) => compile(op, `threads[${t}][${i}]`)));

  // Shared memory: control words, one fd per socket, then every thread's results back to back.
  const resultBase: number[] = [];
  let next = LAYOUT.FDS + s.sockets.length;
  for (const p of programs) {
    resultBase.push(next);
    next += p.length;
  }
  const delayBase = next;
  const rankBase = next + programs.length;
  next = rankBase + programs.length;
  const ctl = new Int32Array(new SharedArrayBuffer(4 * next));
  const cpus = allowedCpus();
  const dedicated = !ALLW && programs.length <= cpus.length;
  const spin = dedicated ? 200_000 : Number(process.env.WSPIN ?? 200); // about 3 ms and 3 us of Atomics.load here
  const workers = programs.slice(ALLW ? 0 : 1).map((program, i) => {
    const thread = i + (ALLW ? 0 : 1);
    return new Worker(new URL('./witness-worker.mjs', import.meta.url), {
      workerData: {
        sab: ctl.buffer,
        layout: LAYOUT,
        nThreads: programs.length,
        program,
        resultBase: resultBase[thread],
        spin,
        thread,
        delayBase,
        rankBase,
        cpu: dedicated ? cpus[thread] : -1,
      },
    });
  });
  try {
    await Promise.all(workers.map(ready));
    const loop = { libc, s, setup, programs, resultBase, delayBase, rankBase, ctl, spin };
    const counts = trialLoop(loop, maxTrials, opts.seconds);
    return {
      scenario: s.name,
      ...counts.stats,
      ...summarize(counts.byKey, setup.length, programs),
      ports: Object.fromEntries(ports),
      privateNetns,
      ...(!privateNetns && ns?.reason ? { netnsNote: ns.reason } : {}),
      leftoverSockets: countSocketsOn([...ports.values()]),
    };
  } finally {
    Atomics.store(ctl, LAYOUT.STOP, 1);
    Atomics.add(ctl, LAYOUT.GEN, 1);
    Atomics.notify(ctl, LAYOUT.GEN);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function compileOp(op: Op, where: string, sockIndex: ReadonlyMap<string, number>, ports: PortMap): CompiledOp {
  switch (op.op) {
    case 'bind': {
      const sa = encodeSockaddrIn(op.addr, op.port && ports.get(op.port)!);
      return { kind: OP_BIND, sock: sockIndex.get(op.sk)!, sa: new Uint8Array(sa), backlog: 0 };
    }
    case 'listen':
      return { kind: OP_LISTEN, sock: sockIndex.get(op.sk)!, sa: null, backlog: op.backlog ?? 128 };
    case 'close':
      return { kind: OP_CLOSE, sock: sockIndex.get(op.sk)!, sa: null, backlog: 0 };
    case 'syn':
      throw new ScenarioError(`witness: ${where} is a syn; the witness runs only bind, listen and close`);
  }
}

/** Resolves once the worker has loaded libc; rejects with a one-line message if it fails to start. */
function ready(w: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('witness: a worker did not start within 10 s')), 10_000);
    w.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    w.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`witness: a worker failed to start: ${String(e.message).split('\n')[0]}`));
    });
  });
}

/** Spins, then sleeps, until ctl[i] >= target; false after WAIT_MS. Same protocol as the worker. */
function awaitCount(ctl: Int32Array, i: number, target: number, spin: number): boolean {
  let deadline = 0;
  for (let v, spins = 0; (v = Atomics.load(ctl, i)) < target; ) {
    if (++spins <= spin) continue;
    if (deadline === 0) deadline = performance.now() + WAIT_MS;
    else if (performance.now() > deadline) return false;
    Atomics.wait(ctl, i, v, 1);
  }
  return true;
}

interface Loop {
  libc: Libc;
  s: Scenario;
  setup: readonly CompiledOp[];
  programs: readonly CompiledOp[][];
  resultBase: readonly number[];
  delayBase: number;
  rankBase: number;
  ctl: Int32Array;
  spin: number;
}

interface Counts {
  stats: { trials: number; seconds: number; trialsPerSecond: number };
  /** Outcome code (see encodeNumeric) -> count. */
  byKey: Map<number | string, number>;
}

/** The hot loop: synchronous, and allocation-free for up to 6 results per trial. */
function trialLoop({ libc, s, setup, programs, resultBase, delayBase, rankBase, ctl, spin }: Loop, maxTrials: number, seconds?: number): Counts {
  const nSockets = s.sockets.length;
  const nThreads = programs.length;
  // Sockets some op closes: the main thread must not close their fd numbers again.
  const closedByOp = new Array<boolean>(nSockets).fill(false);
  for (const op of [...setup, ...programs.flat()]) if (op.kind === OP_CLOSE) closedByOp[op.sock] = true;
  const sa = (op: CompiledOp) => (op.sa ? Buffer.from(op.sa) : null);
  const setupSa = setup.map(sa);
  const mine = programs[0];
  const mineSa = mine.map(sa);
  const setupRes = new Int32Array(setup.length);
  const nResults = setup.length + programs.reduce((n, p) => n + p.length, 0);
  const numeric = nResults <= 6; // 6 bytes of errnos fit exactly in a double
  const byKey = new Map<number | string, number>();
  const fds = new Int32Array(nSockets).fill(-1);
  const run = (op: CompiledOp, sa: Buffer | null): number => {
    const fd = fds[op.sock];
    const r = op.kind === OP_BIND ? libc.bind(fd, sa!) : op.kind === OP_LISTEN ? libc.listen(fd, op.backlog) : libc.close(fd);
    return r < 0 ? -r : 0;
  };

  const start = performance.now();
  const end = seconds === undefined ? Infinity : start + seconds * 1000;
  let trial = 0;
  while (trial < maxTrials && performance.now() < end) {
    trial++;
    const target = trial * nThreads;
    try {
      for (let i = 0; i < nSockets; i++) ctl[LAYOUT.FDS + i] = fds[i] = openScenarioSocket(libc, s.sockets[i]);
      for (let i = 0; i < setup.length; i++) setupRes[i] = run(setup[i], setupSa[i]);
      Atomics.store(ctl, LAYOUT.GEN, trial);
      Atomics.notify(ctl, LAYOUT.GEN);
      // Barrier (counters only grow, so trial k is complete at k * nThreads), then thread 0's ops.
      if (!ALLW) {
      if (Atomics.add(ctl, LAYOUT.ARRIVE, 1) + 1 === target) Atomics.notify(ctl, LAYOUT.ARRIVE);
      if (!awaitCount(ctl, LAYOUT.ARRIVE, target, spin)) throw new Error(`witness: workers did not start trial ${trial}`);
      for (let k = ctl[delayBase]; k > 0; k--) Atomics.load(ctl, LAYOUT.GEN);
      for (let i = 0; i < mine.length; i++) ctl[resultBase[0] + i] = run(mine[i], mineSa[i]);
      Atomics.add(ctl, LAYOUT.DONE, 1);
      }
      if (!awaitCount(ctl, LAYOUT.DONE, target, spin)) throw new Error(`witness: workers stopped responding in trial ${trial}`);
    } finally {
      for (let i = 0; i < nSockets; i++) {
        if (fds[i] >= 0 && !closedByOp[i]) libc.close(fds[i]);
        fds[i] = -1;
      }
    }
    for (let t = 0; t < nThreads; t++) ctl[delayBase + t] = xorshift() % JIT;
    const key = numeric ? encodeNumeric(setupRes, ctl, resultBase, programs) : encodeString(setupRes, ctl, resultBase, programs);
    byKey.set(key, (byKey.get(key) ?? 0) + 1);
  }
  const secs = (performance.now() - start) / 1000;
  return { stats: { trials: trial, seconds: secs, trialsPerSecond: Math.round(trial / secs) }, byKey };
}

/**
 * Moves the threads' start delays so that their arrivals at the first syscall stay centred on one
 * another: the thread that came first waits one step longer next time, the last one a step less.
 */
function adjustDelays(ctl: Int32Array, delayBase: number, rankBase: number, n: number): void {
  let min = Infinity;
  for (let t = 0; t < n; t++) {
    const rank = ctl[rankBase + t];
    if (rank === 0) ctl[delayBase + t]++;
    else if (rank === n - 1) ctl[delayBase + t]--;
    min = Math.min(min, ctl[delayBase + t]);
  }
  for (let t = 0; t < n; t++) ctl[delayBase + t] -= min;
}

/** Packs the errnos (each < 256) of one trial into one number: setup first, then threads in order. */
function encodeNumeric(setupRes: Int32Array, ctl: Int32Array, base: readonly number[], programs: readonly CompiledOp[][]): number {
  let key = 0;
  let scale = 1;
  for (let i = 0; i < setupRes.length; i++, scale *= 256) key += (setupRes[i] & 255) * scale;
  for (let t = 0; t < programs.length; t++) {
    for (let i = 0; i < programs[t].length; i++, scale *= 256) key += (ctl[base[t] + i] & 255) * scale;
  }
  return key;
}

function encodeString(setupRes: Int32Array, ctl: Int32Array, base: readonly number[], programs: readonly CompiledOp[][]): string {
  const parts: number[] = [...setupRes];
  programs.forEach((p, t) => p.forEach((_, i) => parts.push(ctl[base[t] + i])));
  return parts.join(',');
}

/** Turns outcome codes back into named outcomes. */
function summarize(
  byKey: ReadonlyMap<number | string, number>,
  nSetup: number,
  programs: readonly CompiledOp[][],
): Pick<WitnessResult, 'histogram' | 'outcomes'> {
  const decode = (key: number | string): number[] => {
    if (typeof key === 'string') return key.split(',').map(Number);
    const total = nSetup + programs.reduce((n, p) => n + p.length, 0);
    return Array.from({ length: total }, (_, i) => Math.floor(key / 256 ** i) % 256);
  };
  const name = (e: number) => (e === 0 ? '0' : errnoName(e));
  const outcomes = [...byKey]
    .map(([key, count]) => {
      const errs = decode(key);
      const outcome: WitnessOutcome = {};
      errs.slice(0, nSetup).forEach((e, i) => {
        if (e !== 0) outcome[`setup.${i}`] = name(e);
      });
      let k = nSetup;
      programs.forEach((p, t) => p.forEach((_, i) => (outcome[p.length === 1 ? `${t}` : `${t}.${i}`] = name(errs[k++]))));
      return { outcome, count };
    })
    .sort((a, b) => b.count - a.count);
  const histogram = Object.fromEntries(outcomes.map((o) => [JSON.stringify(o.outcome), o.count]));
  return { histogram, outcomes };
}

/** The CPU ids this process may run on (from /proc/self/status), or [] when unknown. */
export function allowedCpus(): number[] {
  let status: string;
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    return [];
  }
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1];
  if (!list) return [];
  return list.split(',').flatMap((range) => {
    const [lo, hi = lo] = range.split('-').map(Number);
    return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  });
}

/** TCP sockets in this thread's namespace whose local port is one of `ports` (from /proc). */
function countSocketsOn(ports: readonly number[]): number {
  if (ports.length === 0) return 0;
  const wanted = new Set(ports);
  let text: string;
  try {
    text = readFileSync('/proc/thread-self/net/tcp', 'utf8');
  } catch {
    return -1;
  }
  // Each line: "sl local_address(hex ip:hex port) rem_address st ..."
  return text
    .split('\n')
    .slice(1)
    .filter((line) => {
      const local = line.trim().split(/\s+/)[1];
      return local !== undefined && wanted.has(parseInt(local.split(':')[1], 16));
    }).length;
}
