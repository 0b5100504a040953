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

/** A counterexample as the report page shows it (the run's own is engine/check.ts's Counterexample). */
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
}

export interface WriteReportOptions {
  /** Replace an existing report.html; without it writeReport refuses. */
  overwrite?: boolean;
}
