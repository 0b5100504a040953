// Replays a saved trace: runs its scenario under its schedule on a variant and compares, step by
// step, what the model does now with what was saved. A trace that no longer reproduces (the model
// changed, or the file was edited) is reported at the first step that differs.

import { compileSystem } from '../../model/system.ts';
import type { Variant } from '../../model/variant.ts';
import type { Property } from '../../properties/types.ts';
import { runSchedule, type RunResult, type TraceStep } from '../engine/run.ts';
import type { TraceFile } from './json.ts';
import type { TraceViolation } from './text.ts';

export type ReplayResult =
  | {
      status: 'reproduces';
      run: RunResult;
      /** With every property checked, another one is violated first (the saved one still is, alone). */
      note?: string;
    }
  | {
      status: 'diverges';
      /** The first step (1-based) that differs. */
      step: number;
      reason: string;
      run: RunResult;
    };

/** The fields that say what a step did; its prose (fn, text) may be reworded without changing the run. */
const COMPARED = ['thread', 'op', 'stepId', 'where', 'merged', 'changes', 'raceWindow', 'returned'] as const;

/** One step as a line for a person: thread, op, step id, its changes and result. */
function showStep(s: TraceStep): string {
  const changes = s.changes.map((c) => `${c.field}: ${c.from} -> ${c.to}`).join(', ');
  return `${s.thread} ${s.op} ${s.stepId} (${s.where})${changes ? ` [${changes}]` : ''}${s.returned !== undefined ? ` => ${s.returned}` : ''}`;
}

/** The first compared field in which two steps differ, or undefined when they agree. */
function differingField(a: TraceStep, b: TraceStep): (typeof COMPARED)[number] | undefined {
  return COMPARED.find((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]));
}

/** A field's value in a divergence message (showStep leaves out merged). */
const showField = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v));

const showResults = (r: Record<string, string[]>) => Object.entries(r).map(([t, rs]) => `${t} ${rs.join(' ')}`).join(', ');

const showViolation = (v: TraceViolation | null) => (v ? `${v.propertyId} at step ${v.step} (${v.message})` : 'no violation');

/** Compares a run with the saved steps and violation; null when they agree. */
export function compareRun(saved: Pick<TraceFile, 'steps' | 'violation' | 'results'>, run: RunResult): { step: number; reason: string } | null {
  const n = Math.min(saved.steps.length, run.trace.length);
  for (let i = 0; i < n; i++) {
    const f = differingField(saved.steps[i], run.trace[i]);
    if (f !== undefined) {
      const a = saved.steps[i], b = run.trace[i];
      return { step: i + 1, reason: `${f} differs (saved ${showField(a[f])}, now ${showField(b[f])}): saved ${showStep(a)}; now ${showStep(b)}` };
    }
  }
  if (saved.steps.length !== run.trace.length) {
    const at = n + 1;
    return saved.steps.length > n
      ? { step: at, reason: `saved ${showStep(saved.steps[n])}; now the run stops after step ${n} with ${showViolation(run.violation)}` }
      : { step: at, reason: `the saved trace ends after step ${n}; now the run goes on: ${showStep(run.trace[n])}` };
  }
  const a = saved.violation, b = run.violation;
  const same = a === null ? b === null : b !== null && a.propertyId === b.propertyId && a.step === b.step && a.message === b.message;
  if (!same) return { step: b?.step ?? a?.step ?? n, reason: `saved ${showViolation(a)}; now ${showViolation(b)}` };
  // The saved results are what the trace claims each op returned: an edited claim does not reproduce.
  const sorted = (r: Record<string, string[]>) => JSON.stringify(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : 1)));
  if (saved.results !== undefined && sorted(saved.results) !== sorted(run.results)) {
    return { step: n, reason: `the results differ: saved ${showResults(saved.results)}; now ${showResults(run.results)}` };
  }
  return null;
}

/**
 * Replays `file` on `variant` with every property in `properties`. When another property is
 * violated first, the saved property is replayed alone too: the trace reproduces if that run
 * matches, and the note says what else broke.
 */
export function replayTrace(file: TraceFile, variant: Variant, properties: readonly Property[]): ReplayResult {
  const sys = compileSystem(file.scenario, variant);
  const opts = { merge: file.merge ?? true, trace: true } as const;
  const all = runSchedule(sys, file.schedule, { ...opts, properties });
  const diff = compareRun(file, all);
  if (diff === null) return { status: 'reproduces', run: all };
  const savedId = file.violation?.propertyId;
  const alone = properties.find((p) => p.id === savedId);
  if (alone && all.violation && all.violation.propertyId !== savedId) {
    const one = runSchedule(sys, file.schedule, { ...opts, properties: [alone] });
    const oneDiff = compareRun(file, one);
    const note = `with every property checked, ${showViolation(all.violation)} comes first`;
    if (oneDiff === null) return { status: 'reproduces', run: one, note };
    // The saved property's own run says best where the saved steps stop matching.
    return { status: 'diverges', ...oneDiff, reason: `${oneDiff.reason} (${note})`, run: one };
  }
  if (savedId !== undefined && !alone) {
    return { status: 'diverges', step: diff.step, reason: `the saved property ${savedId} is not in the registry; ${diff.reason}`, run: all };
  }
  return { status: 'diverges', ...diff, run: all };
}
