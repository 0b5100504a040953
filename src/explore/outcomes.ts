// Final outcomes: what each syscall returned and who ends up listening, the key that tells
// outcomes apart, and each outcome with its shortest witness, shrunk toward fewer switches.

import { KernelReader } from '../../model/kernel-view.ts';
import { resultsOf, type System } from '../../model/system.ts';
import { runSchedule, type RunResult, type Segment } from '../engine/run.ts';
import { minimizeSchedule } from '../engine/shrink.ts';
import { PROPERTIES } from '../../properties/registry.ts';
import type { OutcomeProperty } from '../../properties/types.ts';

export interface Outcome {
  /** Thread name -> what each of its ops returned. */
  returns: Record<string, string[]>;
  /** Sockets in the listening hash at the end. */
  listening: string[];
  witness: Segment[];
  run: RunResult;
  /** The outcome properties the witness's final state breaks ("a SYN refused although a listener existed throughout"). */
  violates: { id: string; message: string }[];
}

/** The registry's outcome properties that say something about this scenario and fail on a final state. */
function violatedOutcomes(sys: System, s: Uint8Array): { id: string; message: string }[] {
  const k = new KernelReader(sys.L, sys.socks, sys.ephemeral, s);
  return PROPERTIES.filter((p): p is OutcomeProperty => p.kind === 'outcome' && p.appliesTo(sys))
    .flatMap((p) => { const message = p.check(k, sys); return message === null ? [] : [{ id: p.id, message }]; });
}

/** What a finished run returned and which sockets listen. */
function outcomeOf(sys: System, s: Uint8Array): { returns: Record<string, string[]>; listening: string[] } {
  const k = new KernelReader(sys.L, sys.socks, sys.ephemeral, s);
  return { returns: resultsOf(sys, k), listening: sys.names.sockets.filter((_, sk) => k.isHashed(sk)) };
}

/** The outcome's identity. */
export function outcomeKey(sys: System, s: Uint8Array): string {
  const o = outcomeOf(sys, s);
  return JSON.stringify([o.returns, o.listening]);
}

/**
 * Each outcome found (key -> a state id that reaches it) with a shortest witness: `pathTo`
 * gives the schedule to that state, shrunk while it still reaches the outcome.
 */
export function witnessOutcomes(sys: System, outcomeAt: ReadonlyMap<string, number>, scheduleTo: (id: number) => Segment[], merge: boolean): Outcome[] {
  return [...outcomeAt.entries()].map(([key, id]) => {
    const reaches = (s: Segment[]) => outcomeKey(sys, runSchedule(sys, s, { properties: [], merge }).final) === key;
    const witness = minimizeSchedule(sys, scheduleTo(id), reaches, merge);
    const run = runSchedule(sys, witness, { properties: [], merge, trace: true });
    return { ...outcomeOf(sys, run.final), witness, run, violates: violatedOutcomes(sys, run.final) };
  }).sort(compareOutcomes);
}

function compareOutcomes(a: Outcome, b: Outcome): number {
  const ka = JSON.stringify([a.returns, a.listening]), kb = JSON.stringify([b.returns, b.listening]);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}
