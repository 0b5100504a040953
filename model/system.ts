// A scenario compiled against a variant: the layout of its state, each thread's ops resolved to
// indices and programs, and the one step function that `check`, `explore` and `outcomes` all
// use. There is no second copy of the semantics anywhere.

import type { Scenario, Op } from './scenario.ts';
import { ADDRESSES, checkSocketNames } from './scenario.ts';
import { type Layout, type StateNames, makeLayout, initialState, TH } from './state.ts';
import { Kernel, type SocketConfig } from './kernel-view.ts';
import { compileProgram, RETURN, type CompiledProgram, type Ctx, type Step } from './program.ts';
import type { Variant } from './variant.ts';
import { LIFE } from './lifecycle/table.ts';
import { resultName, RES_NONE } from './kernel.ts';
import { ScenarioError } from '../src/errors.ts';

/** How many ephemeral ports the model offers for port 0 (the kernel's range, abstracted). */
export const DEFAULT_EPHEMERAL_PORTS = 2;

export interface ThreadPlan {
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
  /** The state after the setup ops, where every run starts. */
  init: Uint8Array;
}

/** Thrown for a scenario that does not fit the model (names a socket that is not there, ...). */
export { ScenarioError };

export function compileSystem(scenario: Scenario, variant: Variant, ephemeralPorts = DEFAULT_EPHEMERAL_PORTS): System {
  checkSocketNames(scenario, scenario.name);
  const sockIndex = new Map(scenario.sockets.map((s, i) => [s.name, i]));
  const allOps = [...(scenario.setup ?? []), ...scenario.threads.flat()];
  const explicit = [...new Set(allOps.flatMap((o) => ('port' in o && o.port ? [o.port] : [])))].sort((a, b) => a - b);
  const portLabels = [...explicit.map(String), ...Array.from({ length: ephemeralPorts }, (_, i) => `eph${i}`)];
  // Bucket numbers (port * addresses + address) + 1 live in one byte of the state.
  if (portLabels.length * ADDRESSES.length >= 255) throw new ScenarioError(`scenario ${scenario.name}: too many distinct ports (${explicit.length}; at most ${Math.floor(254 / ADDRESSES.length) - ephemeralPorts})`);
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
  });
  const socks = scenario.sockets.map((s) => ({ name: s.name, reuse: !!s.reuseaddr, reuseport: !!s.reuseport, uid: s.uid ?? 0 }));
  const sys: System = {
    scenario, variant, L, socks, ephemeral, portLabels, threads, concurrent,
    names: { sockets: socks.map((s) => s.name), threads: threads.map((t) => t.name), ports: portLabels, lifeStates: LIFE.states },
    sharedSocket: users.map((u) => u.size > 1),
    init: initialState(L),
  };
  if (LIFE.initial !== 0) throw new Error('the lifecycle must start in state 0, as a zeroed socket does');
  // Setup runs alone, one step after another, before any thread starts.
  const k = new Kernel(L, socks, ephemeral, sys.init);
  const setup = concurrent;
  for (let guard = 0; !threadDone(sys, k, setup); guard++) {
    if (guard > 10_000 || stepOnce(sys, k, setup) === BLOCKED) throw new ScenarioError(`scenario ${scenario.name}: setup cannot finish`);
    if (k.refused) throw new ScenarioError(`scenario ${scenario.name}: setup: ${k.refused}`);
  }
  return sys;
}

// ---- The step function ---------------------------------------------------------------------

/** stepOnce result: the thread could not move (finished, or waiting on a lock). */
export const BLOCKED = 0;
/** stepOnce result: one step ran, the op goes on. */
export const STEPPED = 1;
/** stepOnce result: one step ran and the op returned. */
export const RETURNED = 2;

export function threadDone(sys: System, k: Kernel, t: number): boolean {
  return k.s[sys.L.thBase + t * sys.L.thSize + TH.op] >= sys.threads[t].ops.length;
}

/** The step thread t would run next, or undefined if it is finished. */
export function nextStep(sys: System, k: Kernel, t: number): { step: Step; ctx: Ctx; op: number } | undefined {
  const base = sys.L.thBase + t * sys.L.thSize;
  const op = k.s[base + TH.op];
  const plan = sys.threads[t];
  if (op >= plan.ops.length) return undefined;
  return { step: plan.programs[op].steps[k.s[base + TH.pc]], ctx: plan.ctx[op], op };
}

/** Thread t can take a step now: not finished and not waiting on a lock. */
export function enabled(sys: System, k: Kernel, t: number): boolean {
  const base = sys.L.thBase + t * sys.L.thSize;
  const op = k.s[base + TH.op];
  const plan = sys.threads[t];
  if (op >= plan.ops.length) return false;
  const step = plan.programs[op].steps[k.s[base + TH.pc]];
  return step.blocked === undefined || !step.blocked(k, plan.ctx[op]);
}

/** Runs one step of thread t on k.s in place. */
export function stepOnce(sys: System, k: Kernel, t: number): number {
  const base = sys.L.thBase + t * sys.L.thSize;
  const op = k.s[base + TH.op];
  const plan = sys.threads[t];
  if (op >= plan.ops.length) return BLOCKED;
  const prog = plan.programs[op];
  const ctx = plan.ctx[op];
  const step = prog.steps[k.s[base + TH.pc]];
  if (step.blocked !== undefined && step.blocked(k, ctx)) return BLOCKED;
  return runStep(k, base, op, prog, ctx, step);
}

/** Runs `step`, known not to be blocked, and moves the thread at `base` on: STEPPED or RETURNED. */
function runStep(k: Kernel, base: number, op: number, prog: CompiledProgram, ctx: Ctx, step: Step): number {
  const s = k.s;
  const to = step.run(k, ctx);
  if (to === RETURN || (to === undefined && s[base + TH.pc] + 1 >= prog.steps.length)) {
    s[base + TH.results + op] = s[base + TH.err];
    s[base + TH.op] = op + 1;
    s[base + TH.pc] = 0;
    s[base + TH.err] = 0;
    s[base + TH.ret] = 0;
    s[base + TH.tmp] = 0;
    return RETURNED;
  }
  s[base + TH.pc] = to === undefined ? s[base + TH.pc] + 1 : prog.labels[to];
  return STEPPED;
}

/** The next step of thread t needs no interleaving point before it (see Scope). */
export function mergeable(sys: System, k: Kernel, t: number): boolean {
  const base = sys.L.thBase + t * sys.L.thSize;
  const op = k.s[base + TH.op];
  const plan = sys.threads[t];
  if (op >= plan.ops.length) return false;
  return canMerge(sys, k, plan.programs[op].steps[k.s[base + TH.pc]], plan.ctx[op]);
}

/** `step` of an op with context `ctx` needs no interleaving point before it and can run now. */
function canMerge(sys: System, k: Kernel, step: Step, ctx: Ctx): boolean {
  if (step.scope === 'shared') return false;
  if (step.scope === 'socket' && ctx.sk >= 0 && sys.sharedSocket[ctx.sk]) return false;
  return step.blocked === undefined || !step.blocked(k, ctx);
}

/** What each op returned, as users read it: thread name -> list of results. */
export function resultsOf(sys: System, k: Kernel): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let t = 0; t < sys.concurrent; t++) {
    out[sys.threads[t].name] = sys.threads[t].ops.map((_, i) => {
      const r = k.s[sys.L.thBase + t * sys.L.thSize + TH.results + i];
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
  let pc = k.s[base + TH.pc];
  let step = prog.steps[pc];
  if (step.blocked !== undefined && step.blocked(k, ctx)) return 0;
  for (let steps = 1; ; steps++) {
    const r = runStep(k, base, op, prog, ctx, step);
    if (observe !== undefined && !observe(step, ctx, prog.name, r === RETURNED ? op : -1, prog.id * COVERAGE_STRIDE + pc)) return steps;
    if (r === RETURNED || !merge) return steps;
    pc = k.s[base + TH.pc];
    step = prog.steps[pc];
    if (!canMerge(sys, k, step, ctx)) return steps;
  }
}
