// The difference two variants make to the same scenarios: the final outcomes only one side can
// reach (each with that side's shortest witness) and the properties whose verdict changes. Both
// sides are explored exhaustively by the one explorer; a side that hit a bound is incomplete, and
// then an outcome it did not reach is "not reached within the bound", never "unreachable".
//
// An outcome is compared by what each thread's ops returned and which sockets listen at the end:
// thread names, socket names and errno names of the scenario, nothing of the variant's state.

import type { Scenario } from '../../model/scenario.ts';
import type { Variant } from '../../model/variant.ts';
import type { Property } from '../../properties/types.ts';
import { explore, type ExploreResult, type Outcome } from '../explore/index.ts';
import type { ExploredCounterexample } from '../engine/counterexample.ts';
import type { Verdict } from '../engine/verdict.ts';

interface DiffBounds {
  maxStates?: number;
  maxSeconds?: number;
  maxBytes?: number;
  merge?: boolean;
}

interface DiffOptions extends DiffBounds {
  from: Variant;
  to: Variant;
  scenarios: readonly Scenario[];
  properties: readonly Property[];
}

export type Side = 'from' | 'to';

/** An outcome one side reached and the other did not. */
export interface OutcomeDifference {
  /** The side that reaches it; its witness runs on that side's variant. */
  side: Side;
  variant: string;
  outcome: Outcome;
  /** False when the other side's search hit a bound: the outcome may still be reachable there. */
  provenUnreachableOnOtherSide: boolean;
}

/** A property whose verdict is not the same on both sides. */
interface VerdictChange {
  id: string;
  kind: Property['kind'];
  from: Verdict;
  to: Verdict;
  /** The counterexample of each side that violates the property. */
  counterexamples: { side: Side; variant: string; counterexample: ExploredCounterexample }[];
}

interface SideSummary {
  variant: string;
  complete: boolean;
  bound?: string;
  outcomes: number;
  states: number;
}

export interface ScenarioDiff {
  scenario: Scenario;
  from: SideSummary;
  to: SideSummary;
  only: OutcomeDifference[];
  /** Every outcome each side reached, in the explorer's order (the report shows them side by side). */
  outcomes: Record<Side, Outcome[]>;
  verdictChanges: VerdictChange[];
  /** Verdicts that one side could not decide within its bound while the other could. */
  undecided: { id: string; from: Verdict; to: Verdict }[];
  /** Both sides searched everything. */
  complete: boolean;
  /** A proven difference: an outcome the other side cannot reach, or a verdict that changed. */
  differs: boolean;
}

export interface DiffResult {
  from: string;
  to: string;
  scenarios: ScenarioDiff[];
  differs: boolean;
  complete: boolean;
}

/** The outcome's identity on either side: returns per thread, then the listening sockets. */
export function outcomeKey(o: Pick<Outcome, 'returns' | 'listening'>): string {
  return JSON.stringify([o.returns, o.listening]);
}

/** A verdict without the kernel's expectation: did a counterexample exist? */
function status(v: Verdict): Verdict {
  return v === 'violated as expected' ? 'violated' : v;
}

function summary(r: ExploreResult): SideSummary {
  return { variant: r.variant, complete: !r.truncated, ...(r.bound ? { bound: r.bound } : {}), outcomes: r.outcomes?.length ?? 0, states: r.stats.states };
}

/** One side: every interleaving, every property, the outcome set (symmetry off: winners differ). */
function exploreSide(variant: Variant, scenario: Scenario, o: DiffOptions): ExploreResult {
  return explore({
    variant, scenario, properties: o.properties, outcomes: true, symmetry: false,
    ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}),
    ...(o.maxSeconds !== undefined ? { maxSeconds: o.maxSeconds } : {}),
    ...(o.maxBytes !== undefined ? { maxBytes: o.maxBytes } : {}),
    ...(o.merge !== undefined ? { merge: o.merge } : {}),
  });
}

function diffScenario(scenario: Scenario, o: DiffOptions): ScenarioDiff {
  const sides = { from: exploreSide(o.from, scenario, o), to: exploreSide(o.to, scenario, o) };
  const other = (s: Side): Side => (s === 'from' ? 'to' : 'from');
  const keys = { from: new Set((sides.from.outcomes ?? []).map(outcomeKey)), to: new Set((sides.to.outcomes ?? []).map(outcomeKey)) };
  const only = (['from', 'to'] as const).flatMap((side) => (sides[side].outcomes ?? [])
    .filter((x) => !keys[other(side)].has(outcomeKey(x)))
    .map((outcome): OutcomeDifference => ({ side, variant: sides[side].variant, outcome, provenUnreachableOnOtherSide: !sides[other(side)].truncated })));

  const verdictChanges: VerdictChange[] = [];
  const undecided: ScenarioDiff['undecided'] = [];
  sides.from.properties.forEach((pf, i) => {
    const pt = sides.to.properties[i];
    const a = status(pf.verdict), b = status(pt.verdict);
    if (a === b) return;
    if (a === 'not proven' || b === 'not proven') { undecided.push({ id: pf.id, from: pf.verdict, to: pt.verdict }); return; }
    const counterexamples = ([['from', pf], ['to', pt]] as const).flatMap(([side, p]) =>
      p.counterexample ? [{ side, variant: sides[side].variant, counterexample: p.counterexample }] : []);
    verdictChanges.push({ id: pf.id, kind: pf.kind, from: pf.verdict, to: pt.verdict, counterexamples });
  });
  const complete = !sides.from.truncated && !sides.to.truncated;
  return {
    scenario, from: summary(sides.from), to: summary(sides.to), only,
    outcomes: { from: sides.from.outcomes ?? [], to: sides.to.outcomes ?? [] }, verdictChanges, undecided, complete,
    differs: only.some((x) => x.provenUnreachableOnOtherSide) || verdictChanges.length > 0,
  };
}

export function diffVariants(o: DiffOptions): DiffResult {
  const scenarios = o.scenarios.map((s) => diffScenario(s, o));
  return {
    from: o.from.id, to: o.to.id, scenarios,
    differs: scenarios.some((s) => s.differs), complete: scenarios.every((s) => s.complete),
  };
}
