// Builds the report page's diff view from a diff result (src/diff/diff.ts): per scenario both
// outcome sets side by side, and for each outcome only one side reaches (lost or gained) the
// sequence diagram of its shortest witness on that side.

import type { DiffResult, ScenarioDiff, Side } from '../diff/diff.ts';
import type { Outcome } from '../explore/index.ts';
import { traceToMermaid } from '../trace/mermaid.ts';
import { statechartMermaid } from '../trace/statechart.ts';
import type { DiffColumn, DiffScenarioView, ReportInput } from './types.ts';
import { outcomeKey } from '../diff/diff.ts';

/** What each thread's ops returned and who listens: the outcome's identity on either side. */
const outcomeText = (x: Pick<Outcome, 'returns' | 'listening'>) =>
  `${Object.entries(x.returns).map(([t, v]) => `${t} ${v.join(' ')}`).join(', ')}; listening: ${x.listening.join(', ') || 'none'}`;

function column(d: ScenarioDiff, side: Side): DiffColumn {
  const s = d[side];
  const only = new Set(d.only.filter((x) => x.side === side).map((x) => outcomeKey(x.outcome)));
  return {
    variant: s.variant,
    summary: `${s.outcomes} outcome${s.outcomes === 1 ? '' : 's'}${s.complete ? '' : ` so far, NOT PROVEN (bound reached: ${s.bound})`}`,
    outcomes: d.outcomes[side].map((x) => only.has(outcomeKey(x))
      ? { text: outcomeText(x), only: true, sequenceDiagram: traceToMermaid(x.run.trace, { scenario: d.scenario }) }
      : { text: outcomeText(x), only: false }),
  };
}

function scenarioView(d: ScenarioDiff, r: DiffResult): DiffScenarioView {
  return {
    scenario: d.scenario.name,
    state: d.differs ? 'DIFFERS' : d.complete ? 'same' : 'INCOMPLETE',
    from: column(d, 'from'),
    to: column(d, 'to'),
    verdictChanges: d.verdictChanges.map((c) => `${c.id}: ${c.from} on ${r.from} → ${c.to} on ${r.to}`),
  };
}

export function reportFromDiff(r: DiffResult, o: { title: string; subtitle?: string }): ReportInput {
  return {
    title: o.title,
    ...(o.subtitle ? { subtitle: o.subtitle } : {}),
    verdicts: [],
    statechart: statechartMermaid(),
    counterexamples: [],
    diff: { from: r.from, to: r.to, scenarios: r.scenarios.map((d) => scenarioView(d, r)) },
  };
}
