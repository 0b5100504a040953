import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diffVariants, outcomeKey } from '../../src/diff/diff.ts';
import { BUILTIN_SCENARIOS, builtinScenario } from '../../src/scenarios/builtin.ts';
import { findVariant } from '../../model/registry.ts';
import { PROPERTIES } from '../../properties/registry.ts';
import { outcomes } from '../../src/explore/index.ts';
import { compileSystem } from '../../model/system.ts';
import { expectRefusal, runMain } from '../cli/in-process.ts';

const BIN = join(import.meta.dirname, '../../dist/cli.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'tlm-diff-'));
const v43 = findVariant('linux-4.3')!, v618 = findVariant('linux-6.18')!;

interface JsonDiff {
  differs: boolean; complete: boolean;
  scenarios: { scenario: string; differs: boolean; complete: boolean;
    only: { side: string; variant: string; returns: Record<string, string[]>; listening: string[]; unreachableOnOtherSide: boolean }[];
    verdictChanges: { id: string; from: string; to: string }[] }[];
}

describe('diff --from linux-4.3 --to linux-6.18 over the built-in scenarios', () => {
  const r = cli('diff', '--from', 'linux-4.3', '--to', 'linux-6.18', '--json');
  const j = JSON.parse(r.stdout) as JsonDiff;
  const byName = (n: string) => j.scenarios.find((s) => s.scenario === n)!;

  it('exits 1 and covers every built-in scenario, each searched completely', () => {
    expect(r.status).toBe(1);
    expect(j.scenarios.map((s) => s.scenario)).toEqual(BUILTIN_SCENARIOS.map((s) => s.name));
    expect(j.complete).toBe(true);
    expect(j.differs).toBe(true);
  });

  it('shows the bind-beside-reuseport-listener quirk: 4.3 binds B (then listen fails), 6.18 refuses the bind', () => {
    const d = byName('bind-beside-reuseport-listener');
    expect(d.differs).toBe(true);
    expect(d.only).toEqual([
      expect.objectContaining({ side: 'from', variant: 'linux-4.3', returns: { T0: ['0', 'EADDRINUSE'] }, listening: ['A'], unreachableOnOtherSide: true }),
      expect.objectContaining({ side: 'to', variant: 'linux-6.18', returns: { T0: ['EADDRINUSE', '0'] }, listening: ['A', 'B'], unreachableOnOtherSide: true }),
    ]);
    expect(d.verdictChanges).toEqual([expect.objectContaining({ id: 'two-socket-rule', from: 'violated as expected', to: 'holds' })]);
  });

  it('finds no difference where the kernels agree (the listen races)', () => {
    for (const n of ['listen-race-2', 'listen-vs-bind', 'listen-vs-close', 'close-vs-rebind']) {
      expect(byName(n), n).toMatchObject({ differs: false, complete: true, only: [], verdictChanges: [] });
    }
  });

  it('prints the same difference as text, and the summary line', () => {
    const t = cli('diff', '--from', 'linux-4.3', '--to', 'linux-6.18', '--scenario', 'bind-beside-reuseport-listener');
    expect(t.status).toBe(1);
    expect(t.stdout).toMatch(/== bind-beside-reuseport-listener: DIFFERS/);
    expect(t.stdout).toMatch(/only on linux-4\.3: T0 0 EADDRINUSE; listening: A\n\s+unreachable on linux-6\.18/);
    expect(t.stdout).toMatch(/verdict of two-socket-rule \(postcondition\): violated as expected on linux-4\.3 -> holds on linux-6\.18/);
    expect(t.stdout).toMatch(/result: linux-4\.3 and linux-6\.18 differ\n$/);
  });
});

describe('diff --out DIR', () => {
  it('writes each witness, and each replays on its own side and not on the other', () => {
    const out = join(dir, 'quirk');
    const r = cli('diff', '--from', 'linux-4.3', '--to', 'linux-6.18', '--scenario', 'bind-beside-reuseport-listener', '--out', out);
    expect(r.status).toBe(1);
    const files = readdirSync(out).sort();
    expect(files).toEqual([
      'only-on-linux-4.3-1.bind-beside-reuseport-listener.json', 'only-on-linux-4.3-1.bind-beside-reuseport-listener.md',
      'only-on-linux-6.18-1.bind-beside-reuseport-listener.json', 'only-on-linux-6.18-1.bind-beside-reuseport-listener.md',
      'two-socket-rule.bind-beside-reuseport-listener.linux-4.3.json', 'two-socket-rule.bind-beside-reuseport-listener.linux-4.3.md',
    ]);
    for (const [file, side, other] of [['only-on-linux-4.3-1', 'linux-4.3', 'linux-6.18'], ['only-on-linux-6.18-1', 'linux-6.18', 'linux-4.3']]) {
      const path = join(out, `${file}.bind-beside-reuseport-listener.json`);
      expect(JSON.parse(readFileSync(path, 'utf8')).variant).toBe(side);
      const same = cli('replay', path);
      expect(same.status, same.stdout + same.stderr).toBe(0);
      expect(same.stdout).toMatch(/reproduces/);
      expect(cli('replay', path, '--variant', other).status).toBe(1);
    }
    expect(cli('replay', join(out, 'two-socket-rule.bind-beside-reuseport-listener.linux-4.3.json')).status).toBe(0);
  });

  it('refuses a folder that is not empty before any work, and leaves it as it was', () => {
    const out = mkdtempSync(join(tmpdir(), 'tlm-diff-full-'));
    writeFileSync(join(out, 'mine.txt'), 'keep');
    const r = cli('diff', '--from', 'linux-4.3', '--to', 'linux-6.18', '--scenario', 'listen-race-12', '--out', out);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/is not empty; refusing/);
    expect(readdirSync(out)).toEqual(['mine.txt']);
  });
});

describe('diff on other inputs', () => {
  it('the same variant twice: nothing differs, exit 0', () => {
    const r = cli('diff', '--from', 'linux-6.18', '--to', 'linux-6.18', '--scenario', 'mixed-three');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/== mixed-three: same/);
    expect(r.stdout).toMatch(/result: no difference\n$/);
  });

  it('a mutant against its kernel: the verdict it breaks changes, with the counterexample on the mutant', () => {
    const r = cli('diff', '--from', 'linux-6.18', '--to', 'linux-6.18/no-rollback', '--scenario', 'listen-race-2', '--json');
    expect(r.status).toBe(1);
    const j = JSON.parse(r.stdout) as { scenarios: { verdictChanges: { id: string; from: string; to: string; counterexamples: { variant: string }[] }[] }[] };
    const changes = j.scenarios[0].verdictChanges;
    expect(changes.length).toBeGreaterThan(0);
    for (const c of changes) {
      expect(c.from).toBe('holds');
      expect(c.to).toBe('violated');
      expect(c.counterexamples.map((x) => x.variant)).toEqual(['linux-6.18/no-rollback']);
    }
  });

  it('--generated N --seed S is the same byte for byte from one run to the next', () => {
    const a = cli('diff', '--from', 'linux-4.3', '--to', 'linux-6.18', '--generated', '4', '--seed', '7', '--json');
    const b = cli('diff', '--from', 'linux-4.3', '--to', 'linux-6.18', '--generated', '4', '--seed', '7', '--json');
    expect([0, 1]).toContain(a.status);
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(a.stdout) as { scenarios: { scenario: string; definition: unknown }[] };
    expect(j.scenarios.map((s) => s.scenario)).toEqual(['generated-1', 'generated-2', 'generated-3', 'generated-4']);
    expect(j.scenarios.every((s) => s.definition !== undefined)).toBe(true);
  });

  it('a bound reached makes the diff incomplete: exit 1, and nothing is claimed unreachable', () => {
    // mixed-three has 897 states on 4.3 and 826 on 6.18: at 850 only the 6.18 side is complete.
    const r = cli('diff', '--from', 'linux-4.3', '--to', 'linux-6.18', '--scenario', 'mixed-three', '--max-states', '850');
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/== mixed-three: INCOMPLETE \(linux-4\.3: 0 outcomes so far, NOT PROVEN \(bound reached: states\); linux-6\.18: 5 outcomes\)/);
    expect(r.stdout).toMatch(/not reached on linux-4\.3 within its bound \(incomplete: may still be reachable\)/);
    expect(r.stdout).not.toMatch(/unreachable on/);
    expect(r.stdout).toMatch(/result: INCOMPLETE/);
    const lib = diffVariants({ from: v43, to: v618, scenarios: [builtinScenario('mixed-three')!], properties: PROPERTIES, maxStates: 850 });
    const d = lib.scenarios[0];
    expect(lib.complete).toBe(false);
    expect(d.only).toHaveLength(5);
    expect(d.only.every((x) => x.side === 'to' && !x.provenUnreachableOnOtherSide)).toBe(true);
    expect(d.differs).toBe(false);
    expect(d.verdictChanges).toEqual([]);
    expect(d.undecided.map((u) => u.from)).toContain('not proven');
  });

  const bad: [string, string[], RegExp][] = [
    ['unknown --from', ['diff', '--from', 'linux-9.9', '--to', 'linux-6.18'], /unknown variant "linux-9.9"/],
    ['unknown --to', ['diff', '--from', 'linux-4.3', '--to', 'nope'], /unknown variant "nope"/],
    ['no --to', ['diff', '--from', 'linux-4.3'], /diff needs --from V1 and --to V2/],
    ['unknown scenario', ['diff', '--from', 'linux-4.3', '--to', 'linux-6.18', '--scenario', 'nope'], /unknown scenario "nope"/],
    ['bad scenario file', ['diff', '--from', 'linux-4.3', '--to', 'linux-6.18', '--scenario', join(dir, 'absent.json')], /cannot read scenario file/],
    ['both --scenario and --generated', ['diff', '--from', 'linux-4.3', '--to', 'linux-6.18', '--scenario', 'listen-race-2', '--generated', '3'], /not both/],
    ['--seed alone', ['diff', '--from', 'linux-4.3', '--to', 'linux-6.18', '--seed', '3'], /--seed only makes sense with --generated/],
    ['--generated 0', ['diff', '--from', 'linux-4.3', '--to', 'linux-6.18', '--generated', '0'], /--generated must be between 1/],
    ['--force alone', ['diff', '--from', 'linux-4.3', '--to', 'linux-6.18', '--force'], /--force only makes sense with --out/],
    ['unknown flag', ['diff', '--from', 'linux-4.3', '--to', 'linux-6.18', '--frob'], /Unknown option '--frob'/],
  ];
  // The first row runs the real process; the rest run main() in this process (the same exit
  // code and output, without a Node start-up each), which also checks that nothing was thrown.
  for (const [i, [what, args, message]] of bad.entries()) {
    it(`${what}: one line, exit 2`, async () => {
      const r = i === 0 ? cli(...args) : await runMain(args);
      expectRefusal({ ...r, status: r.status ?? -1 }, what);
      expect(r.stderr).toMatch(message);
    });
  }
});

describe('the outcome key', () => {
  it('holds only what the scenario names (thread names, socket names, results), on both kernels', () => {
    for (const scenario of BUILTIN_SCENARIOS) {
      const sys = compileSystem(scenario, v43);
      const threads = sys.threads.slice(0, sys.concurrent).map((t) => t.name);
      const sockets = scenario.sockets.map((s) => s.name);
      const results = new Set(['0', '-', 'EINVAL', 'EADDRINUSE', 'EBADF', 'ECONNREFUSED', 'ENOMEM', 'EBUSY', ...sockets]);
      const keys = [v43, v618].map((variant) => outcomes({ variant, scenario }).outcomes.map(outcomeKey));
      for (const key of keys.flat()) {
        const [returns, listening] = JSON.parse(key) as [Record<string, string[]>, string[]];
        expect(Object.keys(returns), `${scenario.name}: ${key}`).toEqual(threads);
        for (const r of Object.values(returns).flat()) expect(results.has(r), `${scenario.name}: ${key}`).toBe(true);
        for (const l of listening) expect(sockets).toContain(l);
      }
    }
  });
});
