// The exploration benchmark: listen-race-N (N sockets bound to one address:port with
// SO_REUSEADDR, listening at once) and the mixed scenarios of issue 11 explored exhaustively,
// against the goals of issues 3 and 11, and, when `spin` is installed, SPIN on the Promela
// models in ../shared/spin/ run side by side.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explore } from '../explore/explore.ts';
import { listenRace } from '../scenarios/builtin.ts';
import { linux43 } from '../../model/variants/linux-4.3/index.ts';
import { linux618 } from '../../model/variants/linux-6.18/index.ts';
import type { Address, Scenario, ScenarioSocket } from '../../model/scenario.ts';
import type { Variant } from '../../model/variant.ts';
import { PROPERTIES } from '../../properties/registry.ts';
import { rootPath } from '../paths.ts';

export interface BenchRow {
  scenario: string;
  variant: string;
  symmetry: boolean;
  merge: boolean;
  /** Partial-order reduction; `outcomes only` when only the outcome and deadlock properties were checked. */
  por: 'off' | 'on' | 'on, outcomes only';
  /** Threads of the breadth-first search (src/explore/parallel.ts); 1 is the sequential search. */
  workers: number;
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

function benchScenario(scenario: Scenario, variant: Variant, symmetry: boolean, merge = true, maxSeconds = 300, por: BenchRow['por'] = 'off', workers = 1): BenchRow {
  // With only final-state properties the visibility proviso does not apply (src/explore/visibility.ts).
  const properties = por === 'on, outcomes only' ? PROPERTIES.filter((p) => p.kind === 'outcome' || p.kind === 'progress') : PROPERTIES;
  const r = explore({ variant, scenario, properties, symmetry, merge, maxSeconds, por: por !== 'off', workers });
  return {
    scenario: scenario.name, variant: variant.id, symmetry, merge, por, workers, states: r.stats.states, transitions: r.stats.transitions, seconds: r.stats.seconds,
    statesPerSecond: r.stats.statesPerSecond, bytesPerState: r.stats.bytesPerState,
    peakMiB: Math.round((r.stats.peakBytes / 2 ** 20) * 10) / 10, complete: !r.truncated,
  };
}

export const benchExplore = (n: number, symmetry: boolean, merge = true, maxSeconds = 300) =>
  benchScenario(listenRace(n), linux43, symmetry, merge, maxSeconds);

/**
 * Issue 11's mixed scenarios: socket k binds, listens and closes on one port, with the flags and
 * address of the k-th entry below, beside a thread that sends two SYNs to 127.0.0.1. mixed4
 * takes the first four sockets, mixed5 five, mixed6 all six (the sixth continues the pattern:
 * both flags, on 127.0.0.2).
 */
const MIXED: [ScenarioSocket, Address][] = [
  [{ name: 'S0', reuseaddr: true }, '0.0.0.0'],
  [{ name: 'S1', reuseport: true }, '127.0.0.1'],
  [{ name: 'S2', reuseaddr: true, reuseport: true }, '127.0.0.1'],
  [{ name: 'S3' }, '127.0.0.2'],
  [{ name: 'S4', reuseaddr: true }, '127.0.0.1'],
  [{ name: 'S5', reuseaddr: true, reuseport: true }, '127.0.0.2'],
];

function mixedScenario(n: number): Scenario {
  const socks = MIXED.slice(0, n);
  return {
    name: `mixed${n}`,
    sockets: socks.map(([s]) => s),
    threads: [
      ...socks.map(([s, addr]) => [
        { op: 'bind' as const, sk: s.name, addr, port: 8080 },
        { op: 'listen' as const, sk: s.name },
        { op: 'close' as const, sk: s.name },
      ]),
      [{ op: 'syn' as const, addr: '127.0.0.1' as const, port: 8080 }, { op: 'syn' as const, addr: '127.0.0.1' as const, port: 8080 }],
    ],
  };
}

export const benchMixed = (n: number, maxSeconds: number, por: BenchRow['por'] = 'off', workers = 1) => benchScenario(mixedScenario(n), linux618, false, true, maxSeconds, por, workers);

/** One side-by-side row: our end-to-end seconds (a fresh `explore` process) and SPIN's (spin -a, gcc, pan). */
export interface SpinRow {
  name: string;
  ours: number;
  ourStates: number;
  spin: number;
  spinStates: number;
}

const SPIN_DIR = rootPath('..', 'shared', 'spin');

/** Why the SPIN rows cannot run here, or null when they can. */
export function spinMissing(): string | null {
  if (!existsSync(join(SPIN_DIR, 'listen_race.pml'))) return `no SPIN models at ${SPIN_DIR}`;
  if (spawnSync('spin', ['-V']).error) return 'spin is not installed (Debian package `spin`)';
  if (spawnSync('gcc', ['--version']).error) return 'gcc is not installed (SPIN compiles its verifier with it)';
  return null;
}

const seconds = (f: () => void) => { const t = performance.now(); f(); return (performance.now() - t) / 1000; };

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.error || r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.error?.message ?? r.stderr.slice(0, 200)}`);
  return r.stdout;
}

/**
 * listen-race-7 and the asymmetric mixaddr-7, both without symmetry reduction, end to end on
 * both sides. `cli` is the built CLI (dist/cli.js).
 */
export function benchSpin(cli: string): SpinRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'tlm-spin-'));
  try {
    cpSync(SPIN_DIR, dir, { recursive: true });
    run(process.execPath, [join(dir, 'gen_mixaddr.js'), '7', join(dir, 'mixaddr-7.json')], dir);
    const cases: [string, string, string[]][] = [
      ['listen-race-7', 'listen-race-7', ['-DN=7']],
      ['mixaddr-7', join(dir, 'mixaddr-7.json'), ['-DN=7', '-DMIXADDR']],
    ];
    return cases.map(([name, scenario, defs]) => {
      let out = '';
      const ours = seconds(() => { out = run(process.execPath, [cli, 'explore', '--scenario', scenario, '--no-symmetry', '--variant', 'linux-4.3'], dir); });
      let pan = '';
      const spin = seconds(() => {
        run('spin', ['-a', ...defs, 'listen_race.pml'], dir);
        run('gcc', ['-O2', '-DSAFETY', '-o', 'pan', 'pan.c'], dir);
        pan = run(join(dir, 'pan'), ['-m10000'], dir);
      });
      return {
        name, ours, spin,
        ourStates: Number(/states (\d+),/.exec(out)?.[1] ?? NaN),
        spinStates: Number(/([\d.e+]+) states, stored/.exec(pan)?.[1] ?? NaN),
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
