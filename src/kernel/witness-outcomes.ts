// Pure helpers of the witness: packing one trial's errnos into a Map key without allocating,
// and turning the counted keys back into named outcomes.

import type { Scenario } from '../../model/scenario.ts';
import { errnoName, errnoNumber } from './libc.ts';

/**
 * One trial's results. Keys: "<thread>" when that thread has one op, "<thread>.<op index>" when it
 * has several, and "setup.<i>" only for a setup op that did not return 0. Values: "0" or errno
 * name; a syn's: the name of the socket whose accept queue held the connection, the client's
 * errno (ECONNREFUSED, ECONNRESET, ETIMEDOUT: see syn-probe.ts) or "unaccepted".
 */
export type WitnessOutcome = Record<string, string>;

/** How many results a trial has: setup ops first, then each thread's ops. */
export interface OutcomeShape {
  nSetup: number;
  /** Ops per thread. */
  threadOps: readonly number[];
  /** Socket names, for a syn's "accepted by" code. */
  sockets?: readonly string[];
}

/** A syn's result codes beside the errnos (all below 134 on Linux): accepted by socket i, or by none. */
export const SYN_ACCEPTED_BY = 200;
const SYN_HANGUP = 254;
export const SYN_UNACCEPTED = 255;

/** A syn's settled result as its outcome code (errno names by number). */
export function synCode(result: string): number {
  if (result === 'unaccepted') return SYN_UNACCEPTED;
  if (result === 'hangup') return SYN_HANGUP;
  const n = errnoNumber(result);
  if (n === undefined) throw new Error(`witness: no code for a syn result ${result}`);
  return n;
}

/** Up to this many results pack into one number (6 bytes of errnos fit exactly in a double). */
const MAX_NUMERIC_RESULTS = 6;

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
  const name = (e: number) => (e === 0 ? '0' : e === SYN_UNACCEPTED ? 'unaccepted' : e === SYN_HANGUP ? 'hangup' : e >= SYN_ACCEPTED_BY ? shape.sockets?.[e - SYN_ACCEPTED_BY] ?? `socket#${e - SYN_ACCEPTED_BY}` : errnoName(e));
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

/** What a syn's client saw when its listener closed before the connection was accepted, and why (syn-probe.ts). */
const CLOSED_LISTENER_FATES: ReadonlyMap<string, string> = new Map([
  ['ECONNRESET', 'reset it when it closed'],
  // The child in W's accept queue was closed with W: its FIN put the client in CLOSE_WAIT, and the
  // RST after it gives EPIPE there, not ECONNRESET (tcp_input.c tcp_reset: TCP_CLOSE_WAIT -> EPIPE).
  ['EPIPE', 'closed its queued connection (FIN, then RST) when it closed'],
  ['ETIMEDOUT', 'dropped it while closing'],
  ['unaccepted', 'closed before the final ACK could make a child'],
]);

/** A kernel outcome read as the model's: the model's outcome it stands for, and why when they differ. */
interface ModelReading {
  outcome: WitnessOutcome;
  note?: string;
}

/**
 * The model outcomes a kernel outcome may stand for. The model has no accept queue: its syn result
 * is the listener the lookup found. A SYN the client saw reset (ECONNRESET), unanswered (ETIMEDOUT)
 * or answered but never queued ("unaccepted") was taken by a listener that then closed
 * (syn-probe.ts), so it stands for "SYN to X" for each socket X a thread of the scenario closes
 * (for itself, which the model never has, when no thread closes one); every other result stands
 * for itself. Pure.
 */
export function modelReadings(outcome: WitnessOutcome, scenario: Scenario): ModelReading[] {
  const closed = [...new Set(scenario.threads.flat().flatMap((op) => (op.op === 'close' ? [op.sk] : [])))];
  let readings: ModelReading[] = [{ outcome }];
  scenario.threads.forEach((ops, t) => ops.forEach((op, i) => {
    const key = ops.length === 1 ? `${t}` : `${t}.${i}`;
    const r = outcome[key];
    const how = op.op === 'syn' && r !== undefined ? CLOSED_LISTENER_FATES.get(r) : undefined;
    if (how === undefined || closed.length === 0) return;
    readings = readings.flatMap((reading) => closed.map((sk) => ({
      outcome: { ...reading.outcome, [key]: sk },
      note: [reading.note, `T${key} ${r}: the SYN reached ${sk}, which ${how}`].filter(Boolean).join('; '),
    })));
  }));
  return readings;
}
