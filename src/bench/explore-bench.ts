// The exploration benchmark: listen-race-N (N sockets bound to one address:port with
// SO_REUSEADDR, listening at once) explored exhaustively, with and without symmetry reduction,
// against the goals of issue 3 and SPIN 6.5.2's figures for a Promela model of the same race.

import { explore } from '../explore/explore.ts';
import { listenRace } from '../scenarios/builtin.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { PROPERTIES } from '../../properties/registry.ts';

export interface BenchRow {
  n: number;
  symmetry: boolean;
  merge: boolean;
  states: number;
  transitions: number;
  seconds: number;
  statesPerSecond: number;
  bytesPerState: number;
  peakMiB: number;
  complete: boolean;
}

/** SPIN 6.5.2 on these machines (issue 3): states and seconds of search. */
export const SPIN: Record<number, { states: number; seconds: number }> = {
  6: { states: 520_249, seconds: 0.73 },
  7: { states: 4_100_000, seconds: 10.7 },
  8: { states: 32_000_000, seconds: 128 },
};

export function benchExplore(n: number, symmetry: boolean, merge = true, maxSeconds = 300): BenchRow {
  const r = explore({ variant: linux43, scenario: listenRace(n), properties: PROPERTIES, symmetry, merge, maxSeconds });
  return {
    n, symmetry, merge, states: r.stats.states, transitions: r.stats.transitions, seconds: r.stats.seconds,
    statesPerSecond: r.stats.statesPerSecond, bytesPerState: r.stats.bytesPerState,
    peakMiB: Math.round((r.stats.peakBytes / 2 ** 20) * 10) / 10, complete: !r.truncated,
  };
}
