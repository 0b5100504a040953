// A scenario compiled against a variant: the layout of its state, each thread's ops resolved to
// indices and programs, and the one step function that `check`, `explore` and `outcomes` all
// use. There is no second copy of the semantics anywhere.

import type { Scenario, Op } from './scenario.ts';
import { ADDRESSES, checkSocketNames } from './scenario.ts';
import { type Layout, type StateNames, makeLayout, initialState, TH } from './state.ts';
import { MAX_REF_INDEX } from './state-schema.ts';
import { Kernel, type KernelReader, type SocketConfig } from './kernel-view.ts';
import { compileProgram, RETURN, type CompiledProgram, type Ctx, type Step } from './program.ts';
import type { Variant } from './variant.ts';
import { invisibleSteps } from './footprint.ts';
import { LIFE } from './lifecycle/table.ts';
import { resultName, RES_NONE } from './kernel.ts';
import { ScenarioError, SetupRefused } from '../src/errors.ts';

/** How many ephemeral ports the model offers for port 0 (the kernel's range, abstracted). */
const DEFAULT_EPHEMERAL_PORTS = 2;

/** The largest socket owner the model keeps: tb->fastuid is one byte of the state. */
const MAX_MODEL_UID = 255;

interface ThreadPlan {
  name: string;
  ops: readonly Op[];
  ctx: readonly Ctx[];
  programs: readonly CompiledProgram[];
}

export interface System {
  scenario: Scenario;
  variant: Variant;
  L: Layout;
  names: StateNames;
  socks: readonly SocketConfig[];
  ephemeral: readonly boolean[];
  /** Port index -> the port as the scenario wrote it (ephemeral ones get a label). */
  portLabels: readonly string[];
  /** The scenario's concurrent threads, then one last thread that ran the setup ops. */
  threads: readonly ThreadPlan[];
  /** Number of concurrent threads (the setup thread is not one of them). */
  concurrent: number;
  /** A socket some two threads both use: its lock_sock is an interleaving point. */
  sharedSocket: readonly boolean[];
  /** invisible[t][op][pc] = 1: that step commutes with every other thread's steps (by the footprints): no interleaving point before it. */
  invisible: readonly (readonly Uint8Array[])[];
  /** The state after the setup ops, where every run starts. */
  init: Uint8Array;
}

/** Thrown for a scenario that does not fit the model (names a socket that is not there, ...). */
export { ScenarioError };

/**
 * Systems compiled so far, per variant, by scenario text: a System is never written after it is
 * compiled, and the random checker compiles the same generated scenarios once per property (a
 * quarter of a mutant hunt's time went to compiling them again). Bounded: cleared when full.
 */
const compiled = new WeakMap<Variant, Map<string, System>>();
const COMPILED_PER_VARIANT = 4096;

export function compileSystem(scenario: Scenario, variant: Variant, ephemeralPorts = DEFAULT_EPHEMERAL_PORTS): System {
  let known = compiled.get(variant);
  if (!known) compiled.set(variant, known = new Map());
  const key = `${ephemeralPorts} ${JSON.stringify(scenario)}`;
  const hit = known.get(key);
  if (hit) return hit;
  const sys = compileAnew(scenario, variant, ephemeralPorts);
  if (known.size >= COMPILED_PER_VARIANT) known.clear();
  known.set(key, sys);
  return sys;
}

function compileAnew(scenario: Scenario, variant: Variant, ephemeralPorts: number): System {
  checkSocketNames(scenario, scenario.name);
  // Any kernel uid is a scenario's (the harness runs them); the model keeps tb->fastuid in a byte.
  const bigUid = scenario.sockets.findIndex((s) => (s.uid ?? 0) > MAX_MODEL_UID);
  if (bigUid >= 0) throw new ScenarioError(`scenario ${scenario.name}: /sockets/${bigUid}/uid is ${scenario.sockets[bigUid].uid}; the model keeps uids 0 to ${MAX_MODEL_UID} (tb->fastuid is one byte of its state)`);
  const sockIndex = new Map(scenario.sockets.map((s, i) => [s.name, i]));
  const allOps = [...(scenario.setup ?? []), ...scenario.threads.flat()];
  const explicit = [...new Set(allOps.flatMap((o) => ('port' in o && o.port ? [o.port] : [])))].sort((a, b) => a - b);
  const portLabels = [...explicit.map(String), ...Array.from({ length: ephemeralPorts }, (_, i) => `eph${i}`)];
  // Bucket numbers (port * addresses + address) are references: they must fit in a byte.
  if (portLabels.length * ADDRESSES.length > MAX_REF_INDEX + 1) throw new ScenarioError(`scenario ${scenario.name}: too many distinct ports (${explicit.length}; at most ${Math.floor((MAX_REF_INDEX + 1) / ADDRESSES.length) - ephemeralPorts})`);
  const ephemeral = portLabels.map((_, i) => i >= explicit.length);
  const portIndex = new Map(explicit.map((p, i) => [p, i]));

  const skOf = (name: string) => {
    const i = sockIndex.get(name);
    if (i === undefined) throw new ScenarioError(`scenario ${scenario.name}: no socket named "${name}"`);
    return i;
  };
  const programs = {
    bind: compileProgram(variant.programs.bind, 0),
    listen: compileProgram(variant.programs.listen, 1),
    close: compileProgram(variant.programs.close, 2),
    syn: compileProgram(variant.programs.syn, 3),
  };
  const plan = (name: string, t: number, ops: readonly Op[]): ThreadPlan => ({
    name,
    ops,
    ctx: ops.map((o): Ctx => {
      const base: Ctx = { t, sk: -1, addr: 0, port: -1, backlog: 0, portOf: -1 };
      switch (o.op) {
        case 'bind': return { ...base, sk: skOf(o.sk), addr: ADDRESSES.indexOf(o.addr), port: o.port ? portIndex.get(o.port)! : -1 };
        case 'listen': return { ...base, sk: skOf(o.sk), backlog: o.backlog ?? 128 };
        case 'close': return { ...base, sk: skOf(o.sk) };
        case 'syn': return { ...base, addr: ADDRESSES.indexOf(o.addr), port: o.port ? portIndex.get(o.port)! : -1, portOf: o.portOf ? skOf(o.portOf) : -1 };
      }
    }),
    programs: ops.map((o) => programs[o.op]),
  });

  const concurrent = scenario.threads.length;
  const threads = [
    ...scenario.threads.map((ops, t) => plan(`T${t}`, t, ops)),
    plan('setup', concurrent, scenario.setup ?? []),
  ];
  const users = scenario.sockets.map(() => new Set<number>());
  threads.slice(0, concurrent).forEach((th, t) => th.ctx.forEach((c) => { if (c.sk >= 0) users[c.sk].add(t); }));
  const L = makeLayout({
    sockets: scenario.sockets.length,
    threads: threads.length,
    ports: portLabels.length,
    maxOps: Math.max(1, ...threads.map((th) => th.ops.length)),
    chainOrder: scenario.threads.some((ops) => ops.some((o) => o.op === 'syn')),
  });
  const socks = scenario.sockets.map((s) => ({ name: s.name, reuse: !!s.reuseaddr, reuseport: !!s.reuseport, uid: s.uid ?? 0 }));
  const sys: System = {
    scenario, variant, L, socks, ephemeral, portLabels, threads, concurrent,
    names: { sockets: socks.map((s) => s.name), threads: threads.map((t) => t.name), ports: portLabels, lifeStates: LIFE.states },
    sharedSocket: users.map((u) => u.size > 1),
    invisible: invisibleSteps(threads, concurrent),
    init: initialState(L),
  };
  if (LIFE.initial !== 0) throw new Error('the lifecycle must start in state 0, as a zeroed socket does');
  // Setup runs alone, one step after another, before any thread starts.
  const k = new Kernel(L, socks, ephemeral, sys.init);
  runThread(sys, k, concurrent, false, SETUP_STEP_LIMIT, () => k.refused === null);
  if (k.refused) throw new SetupRefused(`scenario ${scenario.name}: setup: ${k.refused}`, scenario, variant);
  if (!threadDone(sys, k, concurrent)) throw new SetupRefused(`scenario ${scenario.name}: setup cannot finish`, scenario, variant);
  return sys;
}

// ---- The step function ---------------------------------------------------------------------

/** A setup longer than this is taken to loop. */
const SETUP_STEP_LIMIT = 10_000;

export function threadDone(sys: System, k: KernelReader, t: number): boolean {
  return k.s[sys.L.thBase + t * sys.L.thSize + TH.op] >= sys.threads[t].ops.length;
}

/** The op thread t is running (its index), or undefined if it is finished. */
export function currentOp(sys: System, k: KernelReader, t: number): number | undefined {
  const op = k.opIndex(t);
  return op < sys.threads[t].ops.length ? op : undefined;
}

/** Thread t can take a step now: not finished and not waiting on a lock. */
export function enabled(sys: System, k: KernelReader, t: number): boolean {
  const base = sys.L.thBase + t * sys.L.thSize;
  const op = k.s[base + TH.op];
  const plan = sys.threads[t];
  if (op >= plan.ops.length) return false;
  const blocked = plan.programs[op].blocks[k.s[base + TH.pc]];
  return blocked === null || !blocked(k, plan.ctx[op]);
}

/** runStep result: one step ran, the op goes on. */
const STEPPED = 1;
/** runStep result: one step ran and the op returned. */
const RETURNED = 2;

/** Runs the step at `pc`, known not to be blocked, and moves the thread at `base` on: STEPPED or RETURNED. */
function runStep(k: Kernel, base: number, op: number, prog: CompiledProgram, ctx: Ctx, pc: number): number {
  const s = k.s;
  const to = prog.runs[pc](k, ctx);
  if (to === RETURN || (to === undefined && s[base + TH.pc] + 1 >= prog.steps.length)) {
    k.write(base + TH.results + op, s[base + TH.err]);
    k.write(base + TH.op, op + 1);
    k.write(base + TH.pc, 0);
    k.write(base + TH.err, 0);
    k.write(base + TH.ret, 0);
    k.write(base + TH.tmp, 0);
    return RETURNED;
  }
  k.write(base + TH.pc, to === undefined ? s[base + TH.pc] + 1 : labelIndex(prog, pc, to));
  return STEPPED;
}

/** Where a jump from `pc` goes; a label the program does not have is a model error, said at once. */
function labelIndex(prog: CompiledProgram, pc: number, to: string): number {
  const jumps = prog.jumps[pc];
  for (let i = 0; i < jumps.length; i += 2) if (jumps[i] === to) return jumps[i + 1] as number;
  const at = prog.labels[to];
  if (at === undefined) throw new Error(`program ${prog.name}: step ${prog.steps[pc].id} jumps to unknown label "${to}"`);
  return at;
}

/** The step at `pc` (of an op whose invisible flags are `inv`) needs no interleaving point before it and can run now. */
function canMerge(k: Kernel, prog: CompiledProgram, ctx: Ctx, inv: Uint8Array, pc: number): boolean {
  if (inv[pc] === 0) return false;
  const blocked = prog.blocks[pc];
  return blocked === null || !blocked(k, ctx);
}

/** What each op returned, as users read it: thread name -> list of results. */
export function resultsOf(sys: System, k: KernelReader): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let t = 0; t < sys.concurrent; t++) {
    out[sys.threads[t].name] = sys.threads[t].ops.map((_, i) => {
      const r = k.result(t, i);
      return r === RES_NONE ? '-' : resultName(r, sys.names.sockets);
    });
  }
  return out;
}

/** An op as users write it: "listen(A)", "bind(B, 127.0.0.1:8080)", "syn(127.0.0.1:8080)". */
export function showOp(o: Op): string {
  switch (o.op) {
    case 'bind': return `bind(${o.sk}, ${o.addr}:${o.port})`;
    case 'listen': return `listen(${o.sk})`;
    case 'close': return `close(${o.sk})`;
    case 'syn': return `syn(${o.addr}:${o.portOf ? `port of ${o.portOf}` : o.port})`;
  }
}

/** Called for every step a transition runs: the step, its op, and the op index if it returned. */
export type StepObserver = (step: Step, ctx: Ctx, program: string, returnedOp: number, coverageIndex: number) => boolean;

/** Slots per program in a coverage array indexed by `program.id * COVERAGE_STRIDE + pc`. */
export const COVERAGE_STRIDE = 64;

/**
 * One transition of thread t: one step and, with `merge`, the steps after it that need no
 * interleaving point (private or unshared-socket steps), up to the op's return. The observer
 * sees each step and may stop the transition by returning false (a violation was found).
 * Returns the number of steps run (0 if the thread could not move).
 */
export function transition(sys: System, k: Kernel, t: number, merge: boolean, observe?: StepObserver): number {
  const base = sys.L.thBase + t * sys.L.thSize;
  const plan = sys.threads[t];
  const op = k.s[base + TH.op];
  if (op >= plan.ops.length) return 0;
  // A transition never leaves its op (it ends when the op returns): look the op up once.
  const prog = plan.programs[op];
  const ctx = plan.ctx[op];
  const inv = sys.invisible[t][op];
  let pc = k.s[base + TH.pc];
  const blocked = prog.blocks[pc];
  if (blocked !== null && blocked(k, ctx)) return 0;
  for (let steps = 1; ; steps++) {
    const r = runStep(k, base, op, prog, ctx, pc);
    if (observe !== undefined && !observe(prog.steps[pc], ctx, prog.name, r === RETURNED ? op : -1, prog.id * COVERAGE_STRIDE + pc)) return steps;
    if (r === RETURNED || !merge) return steps;
    pc = k.s[base + TH.pc];
    if (!canMerge(k, prog, ctx, inv, pc)) return steps;
  }
}

/**
 * The run loop, "let thread t take its next steps": up to `limit` transitions, until the thread
 * finishes or blocks, or `after` (asked after each transition) says stop. Returns how many it took.
 */
export function runThread(
  sys: System, k: Kernel, t: number, merge: boolean, limit = Infinity, after?: () => boolean, observe?: StepObserver,
): number {
  let n = 0;
  while (n < limit && transition(sys, k, t, merge, observe) > 0) {
    n++;
    if (after !== undefined && !after()) break;
  }
  return n;
}

/** Runs the lowest-numbered thread that can move, one transition at a time, until none can or `after` says stop. */
export function runLowestFirst(sys: System, k: Kernel, merge: boolean, after?: () => boolean, observe?: StepObserver): void {
  for (let t = 0; t < sys.concurrent;) {
    if (transition(sys, k, t, merge, observe) === 0) { t++; continue; }
    if (after !== undefined && !after()) return;
    t = 0;
  }
}
