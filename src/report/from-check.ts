// Builds the report page's input from a check run: the verdict table, the lifecycle statechart,
// and per counterexample its sequence diagram and its steps, each with the decoded model state
// after it (the run is replayed once more with state snapshots on).

import { compileSystem } from '../../model/system.ts';
import type { Variant } from '../../model/variant.ts';
import type { Property } from '../../properties/types.ts';
import type { PropertyVerdict } from '../engine/check.ts';
import { runSchedule } from '../engine/run.ts';
import { traceToMermaid } from '../trace/mermaid.ts';
import { statechartMermaid } from '../trace/statechart.ts';
import type { CounterexampleSection, CounterexampleStep, ReportInput, VerdictRow } from './types.ts';

export interface ReportFromCheck {
  verdicts: readonly PropertyVerdict[];
  variant: Variant;
  /** The properties the check ran (their predicates are needed to replay). */
  properties: readonly Property[];
  merge: boolean;
  title: string;
  subtitle?: string;
  /** The command line that finds a verdict's counterexample again. */
  replay(v: PropertyVerdict): string;
}

function counterexample(v: PropertyVerdict, o: ReportFromCheck): CounterexampleSection {
  const cx = v.counterexample!;
  const property = o.properties.find((p) => p.id === v.id);
  const sys = compileSystem(cx.scenario, o.variant);
  const run = runSchedule(sys, cx.schedule, { properties: property ? [property] : [], merge: o.merge, trace: true, states: true });
  // The same schedule must give the same run; if it did not, show the run the check reported.
  const trace = run.trace.length === cx.run.trace.length ? run.trace : cx.run.trace;
  const steps = trace.map((s, i): CounterexampleStep => ({
    n: s.n,
    thread: s.thread,
    where: s.where,
    did: `${s.op}: ${s.stepId}${s.merged ? ' (merged)' : ''}${s.returned !== undefined ? ` ⇒ returns ${s.returned}` : ''}`,
    changes: s.changes.map((c) => `${c.field}: ${c.from} → ${c.to}`),
    raceWindow: s.raceWindow.length > 0,
    state: run.states?.[i] ?? null,
  }));
  return {
    id: `cx-${v.id}`,
    title: `${v.id} ${v.verdict}`,
    propertyId: v.id,
    sentence: v.sentence,
    sequenceDiagram: traceToMermaid(trace, { scenario: cx.scenario, violation: cx.run.violation }),
    steps,
    replay: o.replay(v),
  };
}

export function reportFromCheck(o: ReportFromCheck): ReportInput {
  const verdicts = o.verdicts.map((v): VerdictRow => ({
    id: v.id, sentence: v.sentence, kind: v.kind,
    verdict: v.verdict,
    runs: v.runs,
  }));
  return {
    title: o.title,
    ...(o.subtitle ? { subtitle: o.subtitle } : {}),
    verdicts,
    statechart: statechartMermaid(),
    counterexamples: o.verdicts.filter((v) => v.counterexample).map((v) => counterexample(v, o)),
  };
}
