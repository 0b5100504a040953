// Pure helpers of the witness: packing one trial's errnos into a Map key without allocating,
// and turning the counted keys back into named outcomes.

import { errnoName } from './libc.ts';

/**
 * One trial's results. Keys: "<thread>" when that thread has one op, "<thread>.<op index>" when it
 * has several, and "setup.<i>" only for a setup op that did not return 0. Values: "0" or errno name.
 */
export type WitnessOutcome = Record<string, string>;

/** How many results a trial has: setup ops first, then each thread's ops. */
export interface OutcomeShape {
  nSetup: number;
  /** Ops per thread. */
  threadOps: readonly number[];
}

/** Up to this many results pack into one number (6 bytes of errnos fit exactly in a double). */
export const MAX_NUMERIC_RESULTS = 6;

/** A trial's key: a number when it has <= 6 results (errnos are < 256), else "e0,e1,...". */
export function encodeOutcome(res: Int32Array, base: number, n: number): number | string {
  if (n > MAX_NUMERIC_RESULTS) return Array.from(res.subarray(base, base + n)).join(',');
  let key = 0;
  for (let i = 0, scale = 1; i < n; i++, scale *= 256) key += (res[base + i] & 255) * scale;
  return key;
}

export function decodeOutcome(key: number | string, shape: OutcomeShape): WitnessOutcome {
  const n = shape.nSetup + shape.threadOps.reduce((a, b) => a + b, 0);
  const errs = typeof key === 'string' ? key.split(',').map(Number) : Array.from({ length: n }, (_, i) => Math.floor(key / 256 ** i) % 256);
  const name = (e: number) => (e === 0 ? '0' : errnoName(e));
  const outcome: WitnessOutcome = {};
  for (let i = 0; i < shape.nSetup; i++) if (errs[i] !== 0) outcome[`setup.${i}`] = name(errs[i]);
  let k = shape.nSetup;
  shape.threadOps.forEach((len, t) => {
    for (let i = 0; i < len; i++) outcome[len === 1 ? `${t}` : `${t}.${i}`] = name(errs[k++]);
  });
  return outcome;
}

/** Named outcomes, most frequent first, and the same as a JSON-keyed histogram. */
export function summarize(
  counts: ReadonlyMap<number | string, number>,
  shape: OutcomeShape,
): { histogram: Record<string, number>; outcomes: Array<{ outcome: WitnessOutcome; count: number }> } {
  const outcomes = [...counts]
    .map(([key, count]) => ({ outcome: decodeOutcome(key, shape), count }))
    .sort((a, b) => b.count - a.count);
  const histogram = Object.fromEntries(outcomes.map((o) => [JSON.stringify(o.outcome), o.count]));
  return { histogram, outcomes };
}
