// `bench`: the speed and memory figures of the explorer (and, when the mutant catalogue is
// there, of the random checker's time to a first kill). A table, never a timed test.

import { benchExplore, SPIN, type BenchRow } from '../../bench/explore-bench.ts';
import { noPositionals, parse } from '../options.ts';
import type { Command } from '../command.ts';

export const benchCommand: Command = {
  summary: 'benchmark the explorer on listen-race-N against the goals and SPIN 6.5.2',
  usage: '[--quick]',
  run(argv) {
    const { values, positionals } = parse(argv, { quick: { type: 'boolean' } });
    noPositionals(positionals);
    const say = (s: string) => process.stdout.write(s + '\n');
    const plan: [number, boolean, boolean][] = values.quick
      ? [[5, false, true], [8, true, true]]
      : [[6, false, true], [7, false, true], [8, false, true], [5, false, false], [6, false, false], [8, true, true], [10, true, true], [12, true, true]];
    say('listen-race-N, linux-4.3, breadth-first, all properties checked on every state');
    say('');
    say('   N  symmetry  merged      states   transitions   seconds   states/s  bytes/state  peak MiB  SPIN 6.5.2 (states, s)');
    const rows: BenchRow[] = [];
    for (const [n, sym, merge] of plan) {
      const r = benchExplore(n, sym, merge);
      rows.push(r);
      const spin = SPIN[n] && !sym ? `${SPIN[n].states.toLocaleString('en-US')}, ${SPIN[n].seconds}` : '';
      say(`${String(n).padStart(4)}  ${(sym ? 'on' : 'off').padEnd(8)}  ${(merge ? 'yes' : 'no').padEnd(6)}  ${r.states.toLocaleString('en-US').padStart(10)}  ${r.transitions.toLocaleString('en-US').padStart(12)}  ${r.seconds.toFixed(2).padStart(8)}  ${r.statesPerSecond.toLocaleString('en-US').padStart(9)}  ${r.bytesPerState.toFixed(1).padStart(11)}  ${r.peakMiB.toFixed(1).padStart(8)}  ${spin}${r.complete ? '' : '  (bound reached)'}`);
    }
    say('');
    const best = Math.max(...rows.filter((r) => !r.symmetry).map((r) => r.statesPerSecond));
    const mem = Math.max(...rows.filter((r) => r.states > 100_000).map((r) => r.bytesPerState));
    const s8 = rows.find((r) => r.n === 8 && r.symmetry), s12 = rows.find((r) => r.n === 12 && r.symmetry), n7 = rows.find((r) => r.n === 7 && !r.symmetry && r.merge);
    say('State counts differ from SPIN\'s: merged runs fold private steps (lock_sock, checks, queue');
    say('alloc, backlog) into the step before them; unmerged runs interleave at every model step, a');
    say('finer grain than the Promela model\'s four steps per listen(). Compare times per scenario with care.');
    say('');
    say('goals:');
    say(`  >= 1,000,000 distinct states/s without symmetry: best ${best.toLocaleString('en-US')} (${(best / 1e6).toFixed(2)}x of the goal)`);
    if (Number.isFinite(mem)) say(`  <= 100 bytes per stored state: ${mem.toFixed(1)} bytes`);
    if (n7) say(`  N=7 under 5 s without symmetry: ${n7.seconds.toFixed(2)} s (SPIN: ${SPIN[7].seconds} s, ${(SPIN[7].seconds / n7.seconds).toFixed(1)}x)`);
    if (s8) say(`  N=8 under 2 s with symmetry: ${s8.seconds.toFixed(2)} s`);
    if (s12) say(`  N=12 under 60 s with symmetry: ${s12.seconds.toFixed(2)} s`);
    return 0;
  },
};
