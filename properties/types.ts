// A property is data: an id, one sentence, why it matters, the kernel lines it rests on, when it
// is checked, and a predicate. A predicate returns null when it holds, or a sentence that says
// what is wrong in this state.

import type { Change, ReadonlyKernel } from '../model/kernel-view.ts';

export type { Change };
import type { Ctx, Step } from '../model/program.ts';
import type { Op } from '../model/scenario.ts';
import type { System } from '../model/system.ts';

/**
 * Kernel lines per kernel version, e.g. { '4.3': ['icsk.c 812-817'], '6.18': [...] }; the
 * versions are the registry's (model/registry.ts, checked by properties/kernel-lines.ts).
 */
export type KernelLines = Readonly<Record<string, readonly string[]>>;

interface PropertyBase {
  id: string;
  /** One sentence: what must hold. */
  sentence: string;
  /** Why a kernel engineer should care. */
  why: string;
  kernel: KernelLines;
  /**
   * Real Linux violates this on purpose: the checker must find the counterexample and report
   * it as an expected violation, neither a pass nor a failure.
   */
  expectedViolation?: {
    /** Kernel versions (Variant.kernel) whose source breaks it. */
    kernels: readonly string[];
    /** Built-in scenarios that show it: a check over one of them must find the violation. */
    seenIn: readonly string[];
    why: string;
  };
}

/** Checked after every step. */
export interface InvariantProperty extends PropertyBase {
  kind: 'invariant';
  /**
   * It judges the transition, not only the state it reaches (a refused lifecycle move): the
   * explorer checks it after every transition, also one into a state already visited.
   */
  everyTransition?: true;
  check(k: ReadonlyKernel, sys: System): string | null;
  /**
   * Every state field `check` may read, as the schema names them ("socket.state", "thread.op"):
   * after a transition from a state in which `check` held that wrote none of them, the answer is
   * still null, and the explorer does not ask. Left out: asked after every transition.
   * test/engine/property-reads.test.ts records what each check really reads.
   */
  reads?: readonly string[];
  /**
   * The same answer as `check` on a state reached in one transition from a state in which
   * `check` held: a property of each byte alone need look only at the bytes that changed. The
   * explorer uses it on every state after the first: the same answer, a fraction of the work.
   */
  checkFrom?(k: ReadonlyKernel, sys: System, change: Change): string | null;
}

/** Checked right after a given step ran (a Hoare triple on that kernel line). */
export interface StepProperty extends PropertyBase {
  kind: 'step';
  /** The ids of the steps it judges: asked after those only. Left out: after every step. */
  steps?: readonly string[];
  check(k: ReadonlyKernel, sys: System, step: Step, ctx: Ctx, program: string): string | null;
}

/** Checked when a syscall returns, with what it returned. */
export interface PostconditionProperty extends PropertyBase {
  kind: 'postcondition';
  check(k: ReadonlyKernel, sys: System, op: Op, ctx: Ctx, result: number): string | null;
}

/** Checked on the final state of a run in which every thread finished. */
export interface OutcomeProperty extends PropertyBase {
  kind: 'outcome';
  /** Whether the property says anything about this scenario. */
  appliesTo(sys: System): boolean;
  check(k: ReadonlyKernel, sys: System): string | null;
}

/** Checked on a state where some thread has not finished and none can move. */
export interface ProgressProperty extends PropertyBase {
  kind: 'progress';
}

export type Property = InvariantProperty | StepProperty | PostconditionProperty | OutcomeProperty | ProgressProperty;
export type PropertyKind = Property['kind'];

/** A property that failed, where and why. */
export interface Violation {
  propertyId: string;
  message: string;
}
