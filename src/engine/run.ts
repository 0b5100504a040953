// Runs a scenario under one schedule and checks the properties at their moments.
//
// A schedule is a list of segments "run thread t for n transitions". Fewer segments means fewer
// context switches, which is what fast-check shrinks toward. When the schedule runs out, the
// lowest-numbered thread that can move runs, so the tail adds no switch of its own.

import { Kernel } from '../../model/kernel-view.ts';
import {
  currentOp, resultsOf, runLowestFirst, runThread, showOp, threadDone, type StepObserver, type System,
} from '../../model/system.ts';
import { where, type Step } from '../../model/program.ts';
import { LIFE } from '../../model/lifecycle/table.ts';
import { decodeState, diffStates, showChange, type StateChange, type StateNames } from '../../model/state.ts';
import type { Property, Violation } from '../../properties/types.ts';
import { Checker } from './checker.ts';

export interface Segment {
  thread: number;
  steps: number;
}

export interface RunOptions {
  properties: readonly Property[];
  /** Merge invisible steps into the step before them (default true). */
  merge?: boolean;
  /** Record a trace of every step. */
  trace?: boolean;
  /** With `trace`: also record the decoded state after each step (for the report page). */
  states?: boolean;
}

/** One field a step changed, as traces show it (and as version-1 trace files hold it). */
export interface Change {
  field: string;
  from: string;
  to: string;
  /** The change as the schema located it, for the renderers; absent in a trace read from a file. */
  readonly at?: StateChange;
}

/**
 * A change made by this run, shown once from its structure. The structure is not enumerable,
 * so a change made now saves as, and compares equal to, the version-1 form read from a file.
 */
export function traceChange(names: StateNames, at: StateChange): Change {
  return Object.defineProperty(showChange(names, at), 'at', { value: at, enumerable: false });
}

/** One step of a trace. */
export interface TraceStep {
  n: number;
  thread: string;
  /** The op the step belongs to, e.g. "listen(A)". */
  op: string;
  stepId: string;
  fn: string;
  /** "inet_connection_sock.c:813 (seed 812)": model/program.ts where(). */
  where: string;
  file: string;
  line: string;
  text: string;
  /** Ran without an interleaving point before it (merged into the step before). */
  merged: boolean;
  changes: Change[];
  /** Sockets that are TCP_LISTEN but not validated after this step. */
  raceWindow: string[];
  /** Set when the op returned at this step: what it returned. */
  returned?: string;
}

export interface RunResult {
  violation: (Violation & { step: number }) | null;
  trace: TraceStep[];
  /** What each thread's ops returned. */
  results: Record<string, string[]>;
  steps: number;
  final: Uint8Array;
  /** With `states`: decodeState after each trace step, aligned with `trace`. */
  states?: Record<string, unknown>[];
}

const RACE_LIFE = new Set([LIFE.states.indexOf('raceWindow'), LIFE.states.indexOf('rejected')]);

export function runSchedule(sys: System, schedule: readonly Segment[], opts: RunOptions): RunResult {
  const k = new Kernel(sys.L, sys.socks, sys.ephemeral, sys.init.slice());
  const checker = new Checker(sys, opts.properties);
  const merge = opts.merge ?? true;
  const trace: TraceStep[] = [];
  const states: Record<string, unknown>[] | undefined = opts.trace && opts.states ? [] : undefined;
  let steps = 0;
  let violation: (Violation & { step: number }) | null = null;
  let stepsBefore = 0;
  let before = opts.trace ? k.s.slice() : undefined;

  const observe: StepObserver = (step, ctx, _program, returnedOp) => {
    steps++;
    if (opts.trace) {
      trace.push(traceStep(sys, k, before!, steps, ctx.t, step, returnedOp, steps > stepsBefore + 1));
      states?.push(decodeState(sys.L, sys.names, k.s));
      before = k.s.slice();
    }
    const v = checker.afterStep(k, step, ctx, _program, returnedOp);
    if (v) violation = { ...v, step: steps };
    return v === null;
  };
  /** After each transition: the invariants; false stops the run. */
  const after = (): boolean => {
    stepsBefore = steps;
    if (violation) return false;
    const v = checker.afterTransition(k);
    if (v) violation = { ...v, step: steps };
    return v === null;
  };

  for (const seg of schedule) {
    if (violation) break;
    runThread(sys, k, seg.thread % sys.concurrent, merge, seg.steps, after, observe);
  }
  if (!violation) runLowestFirst(sys, k, merge, after, observe);
  if (!violation) {
    const stuck = sys.threads.slice(0, sys.concurrent).filter((_, t) => !threadDone(sys, k, t)).map((th) => th.name);
    const v = stuck.length ? checker.deadlock(stuck) : checker.atEnd(k);
    if (v) violation = { ...v, step: steps };
  }
  return { violation, trace, results: resultsOf(sys, k), steps, final: k.s, ...(states ? { states } : {}) };
}

function traceStep(
  sys: System, k: Kernel, before: Uint8Array, n: number, t: number,
  step: Step, returnedOp: number, merged: boolean,
): TraceStep {
  const changes = diffStates(sys.L, sys.names, before, k.s).map((c) => traceChange(sys.names, c));
  const raceWindow: string[] = [];
  for (let sk = 0; sk < sys.L.sockets; sk++) if (RACE_LIFE.has(k.lifeState(sk))) raceWindow.push(sys.names.sockets[sk]);
  const opIndex = returnedOp >= 0 ? returnedOp : (currentOp(sys, k, t) ?? 0);
  const op = sys.threads[t].ops[opIndex];
  const res = returnedOp >= 0 ? resultsOf(sys, k)[sys.threads[t].name]?.[returnedOp] : undefined;
  return {
    n, thread: sys.threads[t].name, op: op ? showOp(op) : '', stepId: step.id, fn: step.fn, where: where(step),
    file: step.file, line: step.line, text: step.text, merged, changes, raceWindow,
    ...(res !== undefined ? { returned: res } : {}),
  };
}

/**
 * The schedule as it actually ran: thread indices reduced to real threads, segments that could
 * not move dropped, neighbours on the same thread joined. Replaying it gives the same run.
 */
export function effectiveSchedule(sys: System, schedule: readonly Segment[], merge = true): Segment[] {
  const k = new Kernel(sys.L, sys.socks, sys.ephemeral, sys.init.slice());
  const out: Segment[] = [];
  for (const seg of schedule) {
    const t = seg.thread % sys.concurrent;
    const n = runThread(sys, k, t, merge, seg.steps);
    if (n === 0) continue;
    const last = out[out.length - 1];
    if (last && last.thread === t) last.steps += n;
    else out.push({ thread: t, steps: n });
  }
  return out;
}
