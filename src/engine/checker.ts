// Checks properties at their moments: invariants after each transition, step properties after
// each step, postconditions when a syscall returns, outcomes on a finished run. One checker
// serves the random runner and the explorer alike.

import type { ReadonlyKernel } from '../../model/kernel-view.ts';
import type { Ctx, Step } from '../../model/program.ts';
import { COVERAGE_STRIDE, type System } from '../../model/system.ts';
import { fieldBytes } from '../../model/state.ts';
import type {
  Change, InvariantProperty, OutcomeProperty, PostconditionProperty, ProgressProperty, Property, StepProperty, Violation,
} from '../../properties/types.ts';

/** No invariant violated. */
const NO_VIOLATIONS: readonly Violation[] = Object.freeze([]);

export class Checker {
  readonly invariants: InvariantProperty[];
  readonly stepProps: StepProperty[];
  readonly posts: PostconditionProperty[];
  readonly outcomes: OutcomeProperty[];
  /** The progress property, if it is checked: it judges the states where no thread can move. */
  readonly progress: ProgressProperty | undefined;

  /**
   * readers[at]: bit i set when invariant i declares that it reads byte `at` (its `reads`);
   * `always`: the bits of the invariants that declare nothing (and of any past the 31st). Made
   * on first use: only the explorer asks (a random run builds a checker per schedule).
   */
  private readers: Int32Array | null = null;
  private always = 0;
  /** stepPropsAt[coverage index]: the step properties asked after that step (their `steps`); made on first use. */
  private stepPropsAt: (readonly StepProperty[])[] | null = null;

  constructor(readonly sys: System, properties: readonly Property[]) {
    this.invariants = properties.filter((p): p is InvariantProperty => p.kind === 'invariant');
    this.stepProps = properties.filter((p): p is StepProperty => p.kind === 'step');
    this.posts = properties.filter((p): p is PostconditionProperty => p.kind === 'postcondition');
    this.outcomes = properties.filter((p): p is OutcomeProperty => p.kind === 'outcome' && p.appliesTo(sys));
    this.progress = properties.find((p): p is ProgressProperty => p.kind === 'progress');
  }

  private readersOf(): Int32Array {
    const readers = new Int32Array(this.sys.L.size);
    this.invariants.forEach((p, i) => {
      if (p.reads === undefined || i >= 31) { this.always |= i < 31 ? 1 << i : 1 << 31; return; }
      const bytes = fieldBytes(this.sys.L, new Set(p.reads));
      for (let at = 0; at < bytes.length; at++) if (bytes[at] === 1) readers[at] |= 1 << i;
    });
    return readers;
  }

  private stepPropsByCoverage(): (readonly StepProperty[])[] {
    const at: (readonly StepProperty[])[] = [];
    for (const th of this.sys.threads) {
      for (const prog of th.programs) {
        prog.steps.forEach((step, pc) => {
          at[prog.id * COVERAGE_STRIDE + pc] = this.stepProps.filter((p) => p.steps === undefined || p.steps.includes(step.id));
        });
      }
    }
    return at;
  }

  /**
   * After one step: step properties, and postconditions if its op returned. `coverage`, the
   * step's index as the explorer's coverage arrays number it, lets the checker ask only the step
   * properties that name the step.
   */
  afterStep(k: ReadonlyKernel, step: Step, ctx: Ctx, program: string, returnedOp: number, coverage = -1): Violation | null {
    let stepProps: readonly StepProperty[] = this.stepProps;
    if (coverage >= 0) {
      this.stepPropsAt ??= this.stepPropsByCoverage();
      stepProps = this.stepPropsAt[coverage];
    }
    if (returnedOp < 0 && stepProps.length === 0) return null;
    for (const p of stepProps) {
      const m = p.check(k, this.sys, step, ctx, program);
      if (m !== null) return { propertyId: p.id, message: m };
    }
    if (returnedOp < 0) return null;
    const t = ctx.t;
    const op = this.sys.threads[t].ops[returnedOp];
    const result = k.result(t, returnedOp);
    for (const p of this.posts) {
      const m = p.check(k, this.sys, op, ctx, result);
      if (m !== null) return { propertyId: p.id, message: m };
    }
    return null;
  }

  /**
   * After a whole transition (a step and the steps merged into it). `change`, when given, says
   * what it changed in a state where every invariant held (properties with `checkFrom` use it).
   * `skipUnread`: that state was checked by this checker, or one with more invariants, and
   * passed them all (not only the first it reported), so an invariant that reads none of the
   * bytes written (`reads`) still holds and is not asked.
   */
  afterTransition(k: ReadonlyKernel, change?: Change, skipUnread = false): Violation | null {
    const ask = this.asked(change, skipUnread);
    const invariants = this.invariants;
    for (let i = 0; i < invariants.length; i++) {
      if ((ask & (1 << Math.min(i, 31))) === 0) continue;
      const m = this.judge(invariants[i], k, change);
      if (m !== null) return { propertyId: invariants[i].id, message: m };
    }
    return null;
  }

  /**
   * As afterTransition, but every invariant is asked, and each one violated is in the list, in
   * property order (NO_VIOLATIONS, shared, when none is). The explorer asks this way: a property
   * violated in the same state as an earlier one is found there, in its shortest counterexample,
   * and a state's successors may take the state as passing every invariant still asked.
   */
  violationsAfterTransition(k: ReadonlyKernel, change?: Change, skipUnread = false): readonly Violation[] {
    const ask = this.asked(change, skipUnread);
    const invariants = this.invariants;
    let found: Violation[] | null = null;
    for (let i = 0; i < invariants.length; i++) {
      if ((ask & (1 << Math.min(i, 31))) === 0) continue;
      const m = this.judge(invariants[i], k, change);
      if (m !== null) (found ??= []).push({ propertyId: invariants[i].id, message: m });
    }
    return found ?? NO_VIOLATIONS;
  }

  /** The invariants to ask after a transition that changed `change`, as bits (see afterTransition's `skipUnread`). */
  private asked(change: Change | undefined, skipUnread: boolean): number {
    if (!skipUnread || change === undefined || change.offsets === null) return -1;
    const readers = this.readers ??= this.readersOf();
    let ask = this.always;
    for (let i = 0; i < change.count; i++) ask |= readers[change.offsets[i]];
    return ask;
  }

  /** One invariant's message on the state, or null; by the change alone where the property can judge that. */
  private judge(p: InvariantProperty, k: ReadonlyKernel, change: Change | undefined): string | null {
    return change !== undefined && p.checkFrom !== undefined ? p.checkFrom(k, this.sys, change) : p.check(k, this.sys);
  }

  /** On a state where every thread finished. */
  atEnd(k: ReadonlyKernel): Violation | null {
    for (const p of this.outcomes) {
      const m = p.check(k, this.sys);
      if (m !== null) return { propertyId: p.id, message: m };
    }
    return null;
  }

  /** On a state where some thread is unfinished and none can move. */
  deadlock(stuck: string[]): Violation | null {
    if (!this.progress) return null;
    return { propertyId: this.progress.id, message: `no thread can move; ${stuck.join(', ')} still waiting` };
  }
}
