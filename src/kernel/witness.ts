// Runs a scenario's threads truly concurrently on the real kernel, many times, and counts the
// outcomes: the witness that a racy outcome (e.g. both listen() calls failing) really happens.
//
// Scenario thread 0 runs on the calling thread, threads 1.. on worker threads (witness-worker.mjs)
// that are reused across trials. Per trial: the main thread creates the sockets and publishes
// their fds in shared memory (fds are process-wide); the setup ops run one after another, each on
// the thread that races with that socket; all threads meet at a barrier and run their ops; the
// main thread waits for them, closes what is left and counts the outcome.
//
// Why setup runs on the racing threads: when the main thread did all of it, its socket state was
// hot in its cache while the worker's was not, so its listen() won 99% of the races and the
// both-fail outcome of the two-listener race was 5-10 times rarer (measured side by side,
// 30 s each: 1 in 90,000-250,000 trials instead of 1 in 16,000-22,000).
//
// Why everyone spins: with threads that slept between trials and were woken through futexes,
// this 2-CPU VM ran 2,400-18,000 trials/s; spinning, 20,000-85,000. With one CPU per thread the
// threads are pinned and spin; with fewer CPUs than threads they spin briefly and then sleep,
// since a spinner would hold the CPU another thread needs.
//
// A syn op is a non-blocking connect() from a client the main thread opened before the trial
// (SO_LINGER 0): the racing thread only sends the SYN, at its turn like any other op; once every
// thread is done, the main thread reads the SYN's fate (syn-probe.ts: which listener queued it, or
// refused, or reset by its listener's close) before it closes anything. Every connection ends
// with a RST, so no TIME_WAIT socket holds a port, and each symbolic port is reused by every
// trial (closing a socket that never connected releases its port at once).

import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { rootPath } from '../paths.ts';
import type { Op, Scenario } from '../../model/scenario.ts';
import { SOL_SOCKET, SO_ACCEPTCONN, cpuMask, encodeSockaddrIn, errnoNumber, loadLibc, type Libc } from './libc.ts';
import { enterLoopback } from './netns.ts';
import { allocatePorts, type PortMap } from './ports.ts';
import { openScenarioSocket } from './sockets.ts';
import { openSynClient, settleSyn } from './syn-probe.ts';
import { bindsWildcard, symbolicPorts } from './ops.ts';
import { ScenarioError } from '../errors.ts';
import { checkScenario } from '../scenarios/load.ts';
import { SYN_ACCEPTED_BY, encodeOutcome, synCode, summarize, type OutcomeShape, type WitnessOutcome } from './witness-outcomes.ts';

export type { WitnessOutcome } from './witness-outcomes.ts';

interface WitnessOptions {
  /** Stop after this many trials (default 10,000 when `seconds` is not given either). */
  trials?: number;
  /** Stop after this much time; with `trials` too, whichever comes first. */
  seconds?: number;
  /** As in runOnKernel: first real port, else ports the kernel picks. */
  port?: number;
  /** Enter a private network namespace first (default true; falls back to the host loopback). */
  privateNetns?: boolean;
  /** Polled every 64 trials: true stops the run early (the CLI's Ctrl-C); the result says so. */
  stop?: () => boolean;
}

interface WitnessResult {
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
  /** Threads were pinned one per CPU and spun (false: fewer CPUs than threads, so they also slept). */
  pinned: boolean;
  /** TCP sockets on the scenario's real ports after the run, any state (TIME_WAIT would show here); expected 0. */
  leftoverSockets: number;
  /** `stop` ended the run before its trials or seconds were done. */
  interrupted: boolean;
}

/** Op kinds, shared with the worker. */
const OP_BIND = 0;
const OP_LISTEN = 1;
const OP_CLOSE = 2;
const OP_SYN = 3;

/**
 * An op ready to run: socket index, prebuilt sockaddr. Plain data (goes to workers).
 * A syn: `sock` is the socket whose port it targets (portOf; read with getsockname when the op
 * runs), else -1 and `sa` holds the port; `client` is its slot among the trial's client sockets.
 */
interface CompiledOp {
  kind: typeof OP_BIND | typeof OP_LISTEN | typeof OP_CLOSE | typeof OP_SYN;
  sock: number;
  sa: Uint8Array | null;
  backlog: number;
  client: number;
}

/** How long the main thread waits for a SYN's fate: loopback answers in microseconds, a dropped SYN is retransmitted after 1 s. */
const SYN_SETTLE_MS = 500;
const EINPROGRESS = errnoNumber('EINPROGRESS') ?? 115;

/** Indices into the shared Int32Array. Counters only grow: trial g is complete at g * n. */
interface Layout {
  GEN: number; // trial number the main thread has published
  ARRIVE: number; // threads at the start barrier, cumulative
  DONE: number; // threads finished, cumulative
  STOP: number; // 1: workers exit
  STEP: number; // setup ops done, cumulative
  FDS: number; // one fd per socket
  CLI: number; // one client fd per syn op
  RES: number; // setup results, then each thread's results (0 or errno; a syn: 0 while its fate is pending)
  size: number;
}

function layoutFor(nSockets: number, nClients: number, nResults: number): Layout {
  const FDS = 8;
  const CLI = FDS + nSockets;
  const RES = CLI + nClients;
  return { GEN: 0, ARRIVE: 1, DONE: 2, STOP: 3, STEP: 4, FDS, CLI, RES, size: RES + nResults };
}

/** What one racing thread runs each trial (thread 0's on the main thread, others' in a worker). */
interface RacerPlan {
  thread: number;
  nThreads: number;
  nSetup: number;
  /** The setup ops this thread runs, with their index in `setup`. */
  setup: Array<{ k: number; op: CompiledOp }>;
  program: CompiledOp[];
  /** Where this thread's first result goes in the shared array. */
  resultBase: number;
  layout: Layout;
  /** Spin iterations before sleeping in a wait. */
  spin: number;
  /** CPU to pin to, or -1. */
  cpu: number;
}

/** Give up on a trial whose threads have not arrived or finished after this long. */
const WAIT_MS = 5000;

/** Runs the race repeatedly; throws ScenarioError / HarnessUnavailable with one-line messages. */
export async function runWitness(scenario: Scenario, opts: WitnessOptions = {}): Promise<WitnessResult> {
  const s = checkScenario(scenario);
  const maxTrials = opts.trials ?? (opts.seconds === undefined ? 10_000 : Infinity);
  if (!(maxTrials >= 1) || (opts.seconds !== undefined && !(opts.seconds > 0))) {
    throw new ScenarioError('witness: trials and seconds must be positive');
  }
  if (s.threads.length === 0) throw new ScenarioError(`witness: scenario ${s.name} has no threads`);
  const libc = loadLibc();
  const { privateNetns, note } = enterLoopback(s, bindsWildcard(s), opts.privateNetns);
  const ports = allocatePorts(libc, symbolicPorts(s), opts.port);
  const plans = planRacers(s, ports, allowedCpus());
  const shape: OutcomeShape = { nSetup: s.setup?.length ?? 0, threadOps: s.threads.map((t) => t.length), sockets: s.sockets.map((sk) => sk.name) };
  const ctl = new Int32Array(new SharedArrayBuffer(4 * plans[0].layout.size));

  const workers = plans.slice(1).map((plan) => new Worker(rootPath('src', 'kernel', 'witness-worker.mjs'), { workerData: { sab: ctl.buffer, plan } }));
  const oldAffinity = libc.getAffinity();
  try {
    await Promise.all(workers.map(ready));
    if (plans[0].cpu >= 0) libc.setAffinity(cpuMask(plans[0].cpu));
    const run = trialLoop(libc, s, plans[0], ctl, maxTrials, opts.seconds, opts.stop);
    return {
      scenario: s.name,
      trials: run.trials,
      seconds: run.seconds,
      trialsPerSecond: Math.round(run.trials / run.seconds),
      ...summarize(run.counts, shape),
      ports: Object.fromEntries(ports),
      privateNetns,
      ...(note ? { netnsNote: note } : {}),
      pinned: plans[0].cpu >= 0,
      leftoverSockets: countSocketsOn([...ports.values()]),
      interrupted: run.interrupted,
    };
  } finally {
    if (typeof oldAffinity !== 'number') libc.setAffinity(oldAffinity);
    Atomics.store(ctl, plans[0].layout.STOP, 1);
    Atomics.add(ctl, plans[0].layout.GEN, 1);
    Atomics.notify(ctl, plans[0].layout.GEN);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** Splits the scenario into one plan per thread. Pure. */
export function planRacers(s: Scenario, ports: PortMap, cpus: readonly number[]): RacerPlan[] {
  const sockIndex = new Map(s.sockets.map((sk, i) => [sk.name, i]));
  let clients = 0;
  const compile = (op: Op) => compileOp(op, sockIndex, ports, op.op === 'syn' ? clients++ : -1);
  const setup = (s.setup ?? []).map((op, k) => {
    // Its fate would be read after the race, which may change it (a close resets it).
    if (op.op === 'syn') throw new ScenarioError(`witness: setup[${k}] is a syn; the witness runs a syn only in a thread`);
    return compile(op);
  });
  const programs = s.threads.map((ops) => ops.map(compile));
  // A socket's setup ops run on the first thread that uses the socket (thread 0 if none does).
  const owner = s.sockets.map((_, i) => Math.max(0, programs.findIndex((p) => p.some((op) => op.sock === i))));
  const nResults = setup.length + programs.reduce((n, p) => n + p.length, 0);
  const layout = layoutFor(s.sockets.length, clients, nResults);
  const dedicated = programs.length <= cpus.length;
  let resultBase = layout.RES + setup.length;
  return programs.map((program, thread) => {
    const plan: RacerPlan = {
      thread,
      nThreads: programs.length,
      nSetup: setup.length,
      setup: setup.flatMap((op, k) => (owner[op.sock] === thread ? [{ k, op }] : [])),
      program,
      resultBase,
      layout,
      spin: dedicated ? 200_000 : 200, // about 3 ms or 3 us of Atomics.load on this VM
      cpu: dedicated ? cpus[thread] : -1,
    };
    resultBase += program.length;
    return plan;
  });
}

function compileOp(op: Op, sockIndex: ReadonlyMap<string, number>, ports: PortMap, client: number): CompiledOp {
  switch (op.op) {
    case 'bind': {
      const sa = encodeSockaddrIn(op.addr, op.port && ports.get(op.port)!);
      return { kind: OP_BIND, sock: sockIndex.get(op.sk)!, sa: new Uint8Array(sa), backlog: 0, client };
    }
    case 'listen':
      return { kind: OP_LISTEN, sock: sockIndex.get(op.sk)!, sa: null, backlog: op.backlog ?? 128, client };
    case 'close':
      return { kind: OP_CLOSE, sock: sockIndex.get(op.sk)!, sa: null, backlog: 0, client };
    case 'syn': {
      // As in the sequential harness: a SYN to 0.0.0.0 goes to 127.0.0.1.
      const sa = encodeSockaddrIn(op.addr === '0.0.0.0' ? '127.0.0.1' : op.addr, op.port ? ports.get(op.port)! : 0);
      return { kind: OP_SYN, sock: op.portOf ? sockIndex.get(op.portOf)! : -1, sa: new Uint8Array(sa), backlog: 0, client };
    }
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

/** Spins, then sleeps in 1 ms steps, until ctl[i] >= target; false after WAIT_MS. As in the worker. */
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

/** The hot loop: synchronous, and allocation-free for up to 6 results per trial. */
function trialLoop(libc: Libc, s: Scenario, plan: RacerPlan, ctl: Int32Array, maxTrials: number, seconds?: number, stop?: () => boolean) {
  const L = plan.layout;
  const nSockets = s.sockets.length;
  const n = plan.nThreads;
  // Sockets some op closes: the main thread must not close their fd numbers again.
  const closedByOp = new Array<boolean>(nSockets).fill(false);
  const ops = (s.setup ?? []).concat(s.threads.flat());
  ops.forEach((op) => {
    if (op.op === 'close') closedByOp[s.sockets.findIndex((sk) => sk.name === op.sk)] = true;
  });
  const toBuf = (op: CompiledOp) => (op.sa ? Buffer.from(op.sa) : null);
  const mySetup = plan.setup.map(({ k, op }) => ({ k, op, sa: toBuf(op) }));
  const myOps = plan.program.map((op) => ({ op, sa: toBuf(op) }));
  const fds = new Int32Array(nSockets).fill(-1);
  // Each syn op's result word and client slot, in the order of the threads.
  const synOps = s.threads.flat().flatMap((op, i) => (op.op === 'syn' ? [L.RES + plan.nSetup + i] : []));
  const clients = new Int32Array(synOps.length).fill(-1);
  const run = (op: CompiledOp, sa: Buffer | null): number => {
    if (op.kind === OP_SYN) return sendSyn(libc, op, sa!, clients[op.client], fds);
    const fd = fds[op.sock];
    const r = op.kind === OP_BIND ? libc.bind(fd, sa!) : op.kind === OP_LISTEN ? libc.listen(fd, op.backlog) : libc.close(fd);
    return r < 0 ? -r : 0;
  };
  const stuck = (what: string, trial: number) => new Error(`witness: worker threads stopped responding (${what}, trial ${trial})`);
  const counts = new Map<number | string, number>();
  const nResults = L.size - L.RES;

  const start = performance.now();
  const end = seconds === undefined ? Infinity : start + seconds * 1000;
  let trial = 0, interrupted = false;
  while (trial < maxTrials && performance.now() < end) {
    if ((trial & 63) === 0 && stop?.()) { interrupted = true; break; }
    trial++;
    const target = trial * n;
    const stepBase = (trial - 1) * plan.nSetup;
    try {
      for (let i = 0; i < nSockets; i++) ctl[L.FDS + i] = fds[i] = openScenarioSocket(libc, s.sockets[i]);
      for (let i = 0; i < clients.length; i++) ctl[L.CLI + i] = clients[i] = openSynClient(libc);
      Atomics.store(ctl, L.GEN, trial);
      Atomics.notify(ctl, L.GEN);
      for (const { k, op, sa } of mySetup) {
        if (!awaitCount(ctl, L.STEP, stepBase + k, plan.spin)) throw stuck('setup', trial);
        ctl[L.RES + k] = run(op, sa);
        Atomics.store(ctl, L.STEP, stepBase + k + 1);
        Atomics.notify(ctl, L.STEP);
      }
      if (Atomics.add(ctl, L.ARRIVE, 1) + 1 === target) Atomics.notify(ctl, L.ARRIVE);
      if (!awaitCount(ctl, L.ARRIVE, target, plan.spin)) throw stuck('barrier', trial);
      for (let i = 0; i < myOps.length; i++) ctl[plan.resultBase + i] = run(myOps[i].op, myOps[i].sa);
      Atomics.add(ctl, L.DONE, 1);
      if (!awaitCount(ctl, L.DONE, target, plan.spin)) throw stuck('ops', trial);
      if (clients.length > 0) settleSyns(libc, ctl, synOps, clients, fds, closedByOp);
    } finally {
      for (let i = 0; i < nSockets; i++) {
        if (fds[i] >= 0 && !closedByOp[i]) libc.close(fds[i]);
        fds[i] = -1;
      }
      for (let i = 0; i < clients.length; i++) {
        if (clients[i] >= 0) libc.close(clients[i]);
        clients[i] = -1;
      }
    }
    const key = encodeOutcome(ctl, L.RES, nResults);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return { trials: trial, seconds: (performance.now() - start) / 1000, counts, interrupted };
}

/**
 * A syn op at its turn in the race: connect() only (the fate is read after the race). With
 * portOf, the port is the socket's as getsockname() sees it now (0 when unbound or closed, which
 * is refused, as in the sequential harness). Returns 0 for "pending" or the errno of connect().
 */
function sendSyn(libc: Libc, op: CompiledOp, sa: Buffer, client: number, fds: Int32Array): number {
  if (op.sock >= 0) {
    const bound = libc.getsockname(fds[op.sock]);
    sa.writeUInt16BE(typeof bound === 'number' ? 0 : bound.port, 2);
  }
  const r = libc.connect(client, sa);
  return r < 0 && -r !== EINPROGRESS ? -r : 0;
}

/**
 * After the race, before anything is closed: each pending syn's fate, as an outcome code
 * (SYN_ACCEPTED_BY + socket, or synCode of what the client saw). The listeners are the
 * scenario sockets still open and listening; a socket some op closed is not touched (its fd
 * number may be reused).
 */
function settleSyns(libc: Libc, ctl: Int32Array, synOps: readonly number[], clients: Int32Array, fds: Int32Array, closedByOp: readonly boolean[]): void {
  const listening: number[] = [];
  for (let i = 0; i < fds.length; i++) {
    if (!closedByOp[i] && fds[i] >= 0 && libc.getsockoptInt(fds[i], SOL_SOCKET, SO_ACCEPTCONN) === 1) listening.push(i);
  }
  synOps.forEach((word, k) => {
    if (ctl[word] !== 0) return; // connect() itself failed
    const fate = settleSyn(libc, clients[k], listening.map((i) => fds[i]), SYN_SETTLE_MS);
    ctl[word] = 'accepted' in fate ? SYN_ACCEPTED_BY + listening[fate.accepted] : synCode(fate.error);
  });
}

/** The CPU ids this process may run on (from /proc/self/status), or [] when unknown. */
function allowedCpus(): number[] {
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

/** TCP sockets in this thread's namespace whose local port is one of `ports`, any state (/proc). */
function countSocketsOn(ports: readonly number[]): number {
  if (ports.length === 0) return 0;
  const wanted = new Set(ports);
  let text: string;
  try {
    text = readFileSync('/proc/thread-self/net/tcp', 'utf8');
  } catch {
    return -1;
  }
  // Each line after the header: "sl local_address(hexip:hexport) rem_address st ..."
  return text
    .split('\n')
    .slice(1)
    .filter((line) => {
      const local = line.trim().split(/\s+/)[1];
      return local !== undefined && wanted.has(parseInt(local.split(':')[1], 16));
    }).length;
}
