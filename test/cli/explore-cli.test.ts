import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expectRefusal, runMain } from './in-process.ts';

const BIN = join(import.meta.dirname, '../../dist/cli.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('outcomes and explore from the command line', () => {
  it('explore past --max-memory goes on in a bitstate table: NOT PROVEN, the estimate said, the both-fail run still found', () => {
    // listen-race-6 passes the smallest bound the CLI takes (32 MiB) at about 620,000 states; the
    // state bound ends the run soon after, with the bitstate table in use.
    const r = cli('explore', '--scenario', 'listen-race-6', '--no-merge', '--no-symmetry', '--strategy', 'dfs', '--max-memory', '32', '--max-states', '700000');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^result: NOT PROVEN \(bound reached: states\)/m);
    expect(r.stdout).toMatch(/^memory bound reached after \d+ states: went on with a bitstate table of [\d.]+ MiB; estimated share of states omitted [\d.e-]+%/m);
    expect(r.stdout).toMatch(/^some-concurrent-listener-succeeds +violated as expected/m);
    expect(r.stdout).toMatch(/^type-ok +not proven/m);
  });

  it('outcomes --scenario listen-race-2 prints the three outcomes with witnesses', () => {
    const r = cli('outcomes', '--scenario', 'listen-race-2');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^outcomes of listen-race-2 on linux-4\.3: 3 \(complete\)/);
    expect(r.stdout).toMatch(/T0 0, T1 EADDRINUSE; listening: A/);
    expect(r.stdout).toMatch(/T0 EADDRINUSE, T1 0; listening: B/);
    expect(r.stdout).toMatch(/T0 EADDRINUSE, T1 EADDRINUSE; listening: none/);
    expect(r.stdout.match(/witness:/g)).toHaveLength(3);
    expect(r.stderr).toMatch(/^timing: /);
  });

  it('outcomes --json has the documented shape and is repeatable byte for byte', () => {
    const a = cli('outcomes', '--scenario', 'listen-race-2', '--json');
    const b = cli('outcomes', '--scenario', 'listen-race-2', '--json');
    expect(a.stdout).toBe(b.stdout);
    const j = JSON.parse(a.stdout);
    expect(j.scenario).toBe('listen-race-2');
    expect(j.variant).toBe('linux-4.3');
    expect(j.outcomes.map((o: { returns: Record<string, string> }) => `${o.returns.T0}/${o.returns.T1}`).sort())
      .toEqual(['0/EADDRINUSE', 'EADDRINUSE/0', 'EADDRINUSE/EADDRINUSE']);
    for (const o of j.outcomes) expect(o.witness.length).toBeGreaterThan(0);
  });

  it('explore at a bound says NOT PROVEN and exits 0 (nothing violated)', () => {
    const r = cli('explore', '--scenario', 'listen-race-5', '--max-states', '100');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/NOT PROVEN \(bound reached: states\)/);
    expect(r.stdout).toMatch(/hashed-implies-validated\s+not proven/);
  });

  it('a run stopped at a bound names the flag that goes further; a complete one names none', () => {
    expect(cli('explore', '--scenario', 'listen-race-5', '--max-states', '100').stdout)
      .toMatch(/^result: NOT PROVEN \(bound reached: states\); the figures below cover the part searched; a larger --max-states searches further$/m);
    expect(cli('explore', '--scenario', 'listen-race-8', '--no-symmetry', '--max-seconds', '1').stdout)
      .toMatch(/^result: NOT PROVEN \(bound reached: seconds\);.*; a larger --max-seconds searches further$/m);
    expect(cli('explore', '--scenario', 'listen-race-6', '--no-merge', '--no-symmetry', '--strategy', 'dfs', '--max-memory', '32', '--exact').stdout)
      .toMatch(/^result: NOT PROVEN \(bound reached: memory\);.*; a larger --max-memory searches further$/m);
    expect(cli('explore', '--scenario', 'listen-race-3').stdout).not.toMatch(/searches further/);
  });

  it('explore proves listen-race-3 with symmetry and reports its orbit', () => {
    const r = cli('explore', '--scenario', 'listen-race-3');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/symmetry on \(orbits: A=B=C\)/);
    expect(r.stdout).toMatch(/result: complete/);
    expect(r.stdout).toMatch(/some-concurrent-listener-succeeds\s+violated as expected \(shortest: 12 transitions\)/);
  });

  it('explore reduces by partial order unless --no-por, with the same verdicts and shortest lengths', () => {
    const args = ['explore', '--scenario', 'listen-race-4', '--no-symmetry', '--property', 'some-concurrent-listener-succeeds'];
    const on = cli(...args), off = cli(...args, '--no-por');
    expect([on.status, off.status]).toEqual([0, 0]);
    expect(on.stdout).toMatch(/partial-order reduction on/);
    expect(off.stdout).toMatch(/partial-order reduction off/);
    const verdicts = (s: string) => s.split('\n').filter((l) => l.startsWith('some-concurrent'));
    expect(verdicts(on.stdout)).toEqual(verdicts(off.stdout));
    expect(on.stdout).toMatch(/^states 764,/m);
    expect(off.stdout).toMatch(/^states 1561,/m);
  });

  it('rejects a bad strategy or bound with one line and exit 2', async () => {
    for (const args of [['explore', '--strategy', 'random'], ['explore', '--max-states', '0'], ['outcomes', '--scenario', 'listen-race-99']]) {
      expectRefusal(await runMain(args), args.join(' '));
    }
  });
});

describe('--out on explore and outcomes', () => {
  it('writes each counterexample and witness as a trace that replays, and refuses to overwrite', async () => {
    const { mkdtempSync, readdirSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'tlm-out-'));
    // A folder that is not empty is refused before the search (its file names are not known before it).
    const found = join(dir, 'explore'), outcomes = join(dir, 'outcomes');
    expect(cli('explore', '--variant', 'linux-4.3/no-rollback', '--scenario', 'listen-race-2', '--out', found).status).toBe(1);
    expect(cli('outcomes', '--scenario', 'listen-race-2', '--out', outcomes).status).toBe(0);
    const json = [...readdirSync(found).map((f) => join(found, f)), ...readdirSync(outcomes).map((f) => join(outcomes, f))].filter((f) => f.endsWith('.json')).sort();
    expect(json).toContain(join(found, 'failure-restores-close.listen-race-2.linux-4.3_no-rollback.json'));
    expect(readdirSync(outcomes).filter((f) => f.startsWith('outcome-') && f.endsWith('.json'))).toHaveLength(3);
    // Each trace replays (in this process: the files are what is tested, not the start-up).
    for (const f of json) expect((await runMain(['replay', f, '--quiet'])).status, f).toBe(0);
    const again = cli('outcomes', '--scenario', 'listen-race-2', '--out', outcomes);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/already exists and is not empty/);
    expect(cli('outcomes', '--scenario', 'listen-race-2', '--out', outcomes, '--force').status).toBe(0);
  });
});
