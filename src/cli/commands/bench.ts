// `bench`: the speed and memory figures of the explorer against the goals of issues 3 and 11,
// and SPIN side by side when it is installed. A table, never a timed test.

import { benchExplore, benchMixed, benchSpin, spinMissing, SPIN, type BenchRow, type SpinRow } from '../../bench/explore-bench.ts';
import { availableParallelism } from 'node:os';
import { flagsOnly } from '../options.ts';
import type { Command } from '../command.ts';

/** Seconds each mixed scenario may take: the whole bench stays within a few minutes. */
const MIXED_BOUND: Record<number, number> = { 4: 60, 5: 30, 6: 30 };

const num = (n: number) => n.toLocaleString('en-US');
const ratio = (x: number) => `${x.toFixed(2)}x`;

function line(r: BenchRow, note = ''): string {
  return `${r.scenario.padEnd(14)}  ${r.variant.padEnd(10)}  ${(r.symmetry ? 'on' : 'off').padEnd(8)}  ${(r.merge ? 'yes' : 'no').padEnd(6)}  ${r.por.padEnd(17)}  ${String(r.workers).padStart(7)}  ${num(r.states).padStart(11)}  ${num(r.transitions).padStart(12)}  ${r.seconds.toFixed(2).padStart(8)}  ${num(r.statesPerSecond).padStart(9)}  ${r.bytesPerState.toFixed(1).padStart(11)}  ${r.peakMiB.toFixed(1).padStart(8)}  ${r.complete ? 'complete' : 'NOT PROVEN (time bound)'}${note}`;
}

/**
 * The mixed scenarios with POR off, on, and on with outcome properties only; mixed4 and mixed5
 * also on two workers (POR off, then on), kept as [one worker, two] pairs.
 */
function mixedRows(quick: boolean, say: (s: string) => void) {
  const mixed = new Map<number, BenchRow>();
  const porRows: BenchRow[][] = [];
  const workerRows = new Map<string, [BenchRow, BenchRow]>();
  const mixedLine = (r: BenchRow, n: number) => say(line(r, r.complete ? '' : ` at ${MIXED_BOUND[n]} s`));
  for (const n of quick ? [4] : [4, 5, 6]) {
    const modes = ['off', 'on', 'on, outcomes only'] as const;
    const each = modes.map((por) => {
      const r = benchMixed(n, MIXED_BOUND[n], por);
      mixedLine(r, n);
      return r;
    });
    mixed.set(n, each[1]);
    porRows.push(each);
    if (n === 6) continue;
    for (const [i, por] of (['off', 'on'] as const).entries()) {
      const two = benchMixed(n, MIXED_BOUND[n], por, 2);
      mixedLine(two, n);
      workerRows.set(`mixed${n} POR ${por}`, [each[i], two]);
    }
  }
  return { mixed, porRows, workerRows };
}

export const benchCommand: Command = {
  summary: 'benchmark the explorer on listen-race-N and the mixed scenarios against the goals, and SPIN side by side',
  usage: '[--quick]',
  run(argv) {
    const values = flagsOnly(argv, { quick: { type: 'boolean' } });
    const quick = !!values.quick;
    const say = (s: string) => process.stdout.write(s + '\n');
    const plan: [number, boolean, boolean][] = quick
      ? [[5, false, false], [8, true, true]]
      : [[6, false, true], [7, false, true], [8, false, true], [6, false, false], [8, true, true], [12, true, true]];
    say(`breadth-first, all properties checked on every state unless the POR column says "outcomes only"; this machine has ${availableParallelism()} cores, shared with whatever else runs on it`);
    say('');
    say('scenario        variant     symmetry  merged  POR                workers       states   transitions   seconds   states/s  bytes/state  peak MiB  result');
    const rows: BenchRow[] = [];
    for (const [n, sym, merge] of plan) {
      const r = benchExplore(n, sym, merge);
      rows.push(r);
      const spin = SPIN[n] && !sym ? `  (SPIN 6.5.2: ${num(SPIN[n].states)} states, ${SPIN[n].seconds} s)` : '';
      say(line(r, spin));
    }
    const { mixed, porRows, workerRows } = mixedRows(quick, say);
    say('');
    say('State counts differ from SPIN\'s: merged runs fold private steps (lock_sock, checks, queue');
    say('alloc, backlog) into the step before them; unmerged runs interleave at every model step, a');
    say('finer grain than the Promela model\'s four steps per listen(). Compare times per scenario with care.');
    say('');

    let spinRows: SpinRow[] = [];
    const missing = quick ? 'skipped with --quick' : spinMissing();
    if (missing) say(`SPIN side by side: ${missing}; its rows are skipped.`);
    else {
      spinRows = benchSpin(process.argv[1]);
      say('SPIN side by side, end to end (ours: a fresh `explore --no-symmetry` process; SPIN: spin -a, gcc -O2 -DSAFETY, pan -m10000):');
      say('scenario        our states   ours (s)  SPIN states  SPIN (s)  ours/SPIN');
      for (const s of spinRows) say(`${s.name.padEnd(14)}  ${num(s.ourStates).padStart(10)}  ${s.ours.toFixed(2).padStart(8)}  ${num(s.spinStates).padStart(11)}  ${s.spin.toFixed(2).padStart(8)}  ${ratio(s.ours / s.spin).padStart(9)}`);
    }
    say('');

    const unmerged = rows.filter((r) => !r.symmetry && !r.merge);
    const best = Math.max(...unmerged.map((r) => r.statesPerSecond));
    const mem = Math.max(...rows.filter((r) => r.states > 100_000).map((r) => r.bytesPerState));
    const n8 = rows.find((r) => r.scenario === 'listen-race-8' && !r.symmetry);
    const mix = spinRows.find((s) => s.name === 'mixaddr-7');
    const met = (ok: boolean, detail: string) => `${ok ? 'met' : 'not met'}: ${detail}`;
    say('goals (issue 11):');
    say(`  >= 1,000,000 distinct states/s, unmerged, no symmetry: ${met(best >= 1e6, `${num(best)} (${ratio(best / 1e6)} of the goal)`)}`);
    if (Number.isFinite(mem)) say(`  <= 40 bytes per stored state: ${met(mem <= 40, `${mem.toFixed(1)} bytes (${ratio(mem / 40)} of the bound)`)}`);
    if (n8) say(`  listen-race-8 without symmetry under 2 s: ${met(n8.complete && n8.seconds < 2, `${n8.seconds.toFixed(2)} s (${ratio(n8.seconds / 2)} of the bound; SPIN: ${SPIN[8].seconds} s)`)}`);
    for (const [n, bound] of [[5, 60], [6, 600]] as const) {
      const r = workerRows.get(`mixed${n} POR on`)?.[1] ?? mixed.get(n);
      if (!r) continue;
      const who = r.workers === 2 ? 'two workers' : 'one worker (no two-worker row)';
      say(`  mixed${n} on linux-6.18 proved in under ${bound} s with two workers: ${met(r.workers === 2 && r.complete && r.seconds < bound, `${who} ${r.complete ? `proved it in ${r.seconds.toFixed(2)} s (${ratio(r.seconds / bound)} of the bound)` : `NOT PROVEN after ${r.seconds.toFixed(0)} s (${num(r.states)} states)`}`)}`);
    }
    if (mix) say(`  mixaddr-7 without symmetry in at most 0.10x SPIN's end-to-end time: ${met(mix.ours / mix.spin <= 0.1, `${ratio(mix.ours / mix.spin)} (${ratio(mix.ours / mix.spin / 0.1)} of the goal)`)}`);
    else say('  mixaddr-7 against SPIN: not measured (no SPIN here)');
    // Distinct states a second: under the time bound neither run may finish, so not their times.
    const speedup = ([one, two]: [BenchRow, BenchRow]) => two.statesPerSecond / Math.max(one.statesPerSecond, 1);
    const goal = workerRows.get('mixed5 POR off');
    if (goal) say(`  two workers at least 1.7x one worker on mixed5 (distinct states/s, POR off): ${met(speedup(goal) >= 1.7, `${ratio(speedup(goal))} (${ratio(speedup(goal) / 1.7)} of the goal)`)}`);
    else say('  two workers at least 1.7x one worker on mixed5: not measured (--quick)');
    for (const [name, pair] of workerRows) say(`    ${name}: two workers ${ratio(speedup(pair))} one worker's states/s (${num(pair[0].statesPerSecond)} -> ${num(pair[1].statesPerSecond)})`);
    say('partial-order reduction (mixed scenarios, states stored: off / on / on with outcome properties only):');
    for (const [off, on, outcomes] of porRows) {
      const part = (r: BenchRow) => `${num(r.states)}${r.complete ? '' : ' (NOT PROVEN)'}`;
      say(`  ${off.scenario}: ${part(off)} / ${part(on)} / ${part(outcomes)}${off.complete && outcomes.complete ? ` (${ratio(outcomes.states / off.states)} of the states)` : ''}`);
    }
    return 0;
  },
};
