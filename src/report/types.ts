// The input of the HTML report page: plain data, so a check run can build it, save it as JSON,
// and render it later. Nothing here may carry a timestamp: the page must be byte-for-byte
// reproducible from the same input.

import type { Verdict } from '../engine/verdict.ts';

export type { Verdict };

export interface VerdictRow {
  id: string;
  sentence: string;
  kind: string;
  verdict: Verdict;
  runs: number;
}

export interface CounterexampleStep {
  n: number;
  thread: string;
  where: string;
  did: string;
  changes: string[];
  raceWindow: boolean;
  /** Plain JSON snapshot of the model state after the step. */
  state: unknown;
}

/** A counterexample as the report page shows it (the run's own is engine/counterexample.ts's Counterexample). */
export interface CounterexampleSection {
  /** Anchor id, e.g. "cx-some-concurrent-listener-succeeds". */
  id: string;
  /** E.g. "some-concurrent-listener-succeeds violated (expected)". */
  title: string;
  propertyId: string;
  /** The property's sentence. */
  sentence: string;
  /** Mermaid sequenceDiagram source. */
  sequenceDiagram: string;
  steps: CounterexampleStep[];
  /** A command line that replays it. */
  replay: string;
}

export interface ReportInput {
  /** E.g. "tcp-listen-model check: linux-4.3". */
  title: string;
  /** Variant, seed...; never a date (output must be deterministic). */
  subtitle?: string;
  verdicts: VerdictRow[];
  /** Mermaid stateDiagram-v2 source of the socket lifecycle. */
  statechart: string;
  counterexamples: CounterexampleSection[];
  /** `report --from V1 --to V2`: the two outcome sets side by side (then verdicts and counterexamples are not shown). */
  diff?: DiffView;
}

/** One outcome in a column of the diff view; one only its side reaches carries its witness's diagram. */
interface DiffOutcomeView {
  /** E.g. "T0 0 EADDRINUSE; listening: A". */
  text: string;
  /** Reached on this side only: lost (from) or gained (to). */
  only: boolean;
  /** Mermaid sequenceDiagram of the shortest witness, for an outcome only this side reaches. */
  sequenceDiagram?: string;
}

export interface DiffColumn {
  variant: string;
  /** "3 outcomes", or "... so far, NOT PROVEN (bound reached: states)". */
  summary: string;
  outcomes: DiffOutcomeView[];
}

export interface DiffScenarioView {
  scenario: string;
  /** "DIFFERS", "same" or "INCOMPLETE". */
  state: string;
  from: DiffColumn;
  to: DiffColumn;
  /** One line a property whose verdict changed. */
  verdictChanges: string[];
}

export interface DiffView {
  from: string;
  to: string;
  scenarios: DiffScenarioView[];
}

export interface WriteReportOptions {
  /** Replace an existing report.html; without it writeReport refuses. */
  overwrite?: boolean;
}
